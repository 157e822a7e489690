import django_filters
from django.db.models import Q

from core.filters import IdFilter, StrictBooleanFilter, UtcIsoDateTimeFilter

from ..models import AGGREGATIONS, AlertHistory, AlertRule, AlertStatus, RuleState, Severity
from ..validators import CONDITION_INPUTS, normalize_condition


class ConditionFilter(django_filters.ChoiceFilter):
    """?condition=gt, or the same as a symbol: ?condition=> (URL-encoded: %3E)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [(value, value) for value in CONDITION_INPUTS])
        kwargs.setdefault("help_text", "gt, gte, lt, lte, eq, ne, or > >= < <= = == !=.")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, normalize_condition(value) if value else value)


class AlertRuleFilter(django_filters.FilterSet):
    is_active = StrictBooleanFilter()
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    metric_name = django_filters.CharFilter()
    condition = ConditionFilter()
    state = django_filters.ChoiceFilter(choices=RuleState.choices)
    aggregation = django_filters.ChoiceFilter(choices=[(a, a) for a in AGGREGATIONS])
    search = django_filters.CharFilter(method="search_words", help_text="Words in the name or description.")
    ordering = django_filters.OrderingFilter(
        fields=(
            "name", ("severity_rank", "severity"), "metric_name", "state", "created_at", "updated_at",
            "last_evaluated_at", "id",
        ),
        help_text="Default: name. severity: most severe first.",
    )

    class Meta:
        model = AlertRule
        fields = ["is_active", "severity", "metric_name", "condition", "state", "aggregation", "search"]

    def search_words(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(name__icontains=word) | Q(description__icontains=word))
        return queryset


class AlertHistoryFilter(django_filters.FilterSet):
    rule = IdFilter(field_name="rule_id", help_text="Alerts of this rule.")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    metric_name = django_filters.CharFilter()
    condition = ConditionFilter()
    manual = StrictBooleanFilter()
    since = UtcIsoDateTimeFilter(field_name="triggered_at", lookup_expr="gte",
                                             help_text="Triggered at or after this time.")
    until = UtcIsoDateTimeFilter(field_name="triggered_at", lookup_expr="lte",
                                             help_text="Triggered at or before this time.")
    ordering = django_filters.OrderingFilter(
        fields=("triggered_at", "resolved_at", ("severity_rank", "severity"), "status", "metric_value", "id"),
        help_text="Default: -triggered_at (newest first). severity: most severe first.",
    )

    class Meta:
        model = AlertHistory
        fields = ["rule", "severity", "status", "metric_name", "condition", "manual", "since", "until"]
