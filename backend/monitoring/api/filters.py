import django_filters
from django.db.models import Q

from core.filters import OrderingFilter, StrictBooleanFilter, UtcIsoDateTimeFilter

from ..models import ErrorLog


class ErrorLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Words in the message, exception type, path or logger.")
    level = django_filters.ChoiceFilter(choices=ErrorLog.LEVELS)
    resolved = StrictBooleanFilter()
    since = UtcIsoDateTimeFilter(field_name="last_seen", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="last_seen", lookup_expr="lte")
    ordering = OrderingFilter(fields=("last_seen", "first_seen", "occurrences", "level"))

    class Meta:
        model = ErrorLog
        fields = ["q", "level", "resolved", "since", "until"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(message__icontains=word) | Q(exception_type__icontains=word)
                | Q(path__icontains=word) | Q(logger__icontains=word)
            )
        return queryset
