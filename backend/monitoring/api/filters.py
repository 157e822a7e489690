import django_filters
from django.conf import settings
from django.db.models import Q

from core.filters import OrderingFilter, StrictBooleanFilter, UtcIsoDateTimeFilter

from ..models import ErrorLog


class ErrorLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Words in the message, exception type, path or logger.")
    level = django_filters.ChoiceFilter(choices=ErrorLog.LEVELS)
    service = django_filters.CharFilter(
        method="of_service", max_length=128, help_text="The service's name (SERVICE_NAME for this server's own)."
    )
    resolved = StrictBooleanFilter()
    since = UtcIsoDateTimeFilter(field_name="last_seen", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="last_seen", lookup_expr="lte")
    ordering = OrderingFilter(fields=("last_seen", "first_seen", "occurrences", "level"))

    class Meta:
        model = ErrorLog
        fields = ["q", "level", "service", "resolved", "since", "until"]

    def of_service(self, queryset, name, value):
        if value == settings.SERVICE_NAME:
            return queryset.filter(service__in=["", value])
        return queryset.filter(service=value)

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(message__icontains=word) | Q(exception_type__icontains=word)
                | Q(path__icontains=word) | Q(logger__icontains=word)
            )
        return queryset
