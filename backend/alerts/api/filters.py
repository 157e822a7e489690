import django_filters
from django import forms
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.utils import extend_schema_field

from core.filters import IdFilter, OrderingFilter, StrictBooleanFilter, UtcIsoDateTimeFilter
from monitoring.labels import (
    LABEL_NAME_MAX_LENGTH,
    MAX_LABEL_VALUE,
    MAX_MATCHERS,
    label_name_error,
    label_value_error,
)

from .. import search
from ..models import AGGREGATIONS, AlertHistory, AlertRule, AlertStatus, RuleState, Severity, Silence, SilenceState
from ..services import inhibitions, silences
from ..validators import CONDITION_INPUTS, normalize_condition


class ConditionFilter(django_filters.ChoiceFilter):
    """?condition=gt, or the same as a symbol: ?condition=> (URL-encoded: %3E)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [(value, value) for value in CONDITION_INPUTS])
        kwargs.setdefault("help_text", "gt, gte, lt, lte, eq, ne, or > >= < <= = == !=.")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, normalize_condition(value) if value else value)


class EveryValueWidget(QueryArrayWidget):
    """Every `?label=` as given, blanks and repeats too, so that the limit counts what the schema's
    maxItems counts (QueryArrayWidget drops them before the field sees the list)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        return super().value_from_datadict(data, files, name)


class LabelFilterField(forms.Field):
    """`?label=route:/api/orders/&label=team:payments`: each a label name, a colon and the exact
    value (the first colon splits: the value may have more). Cleaned to [(name, value), ...]; a
    blank one is no filter, but counts toward the limit."""

    widget = EveryValueWidget

    def to_python(self, value):
        given = [value] if isinstance(value, str) else list(value or [])
        if len(given) > MAX_MATCHERS:
            raise forms.ValidationError(f"At most {MAX_MATCHERS} label filters (got {len(given)}).", code="invalid")
        pairs, problems = [], []
        for text in sorted(set(given) - {""}):
            name, colon, label_value = text.partition(":")
            if not colon:
                problems.append(f"{text[:80]!r}: write a label filter as name:value, e.g. route:/api/orders/.")
                continue
            problem = label_name_error(name) or label_value_error(label_value)
            if problem:
                problems.append(f"{text[:80]!r}: {problem}")
                continue
            pairs.append((name, label_value))
        if problems:
            raise forms.ValidationError(problems, code="invalid")
        return pairs


@extend_schema_field({
    "type": "array",
    "items": {
        "type": "string",
        # A blank one is no filter, as for every filter here.
        "pattern": rf"^$|^[a-z_][a-z0-9_]{{0,{LABEL_NAME_MAX_LENGTH - 1}}}:"
                   rf"[^\u0000-\u001f\u007f]{{0,{MAX_LABEL_VALUE}}}$",
    },
    "maxItems": MAX_MATCHERS,
})
class LabelFilter(django_filters.Filter):
    """Rows whose `labels` have every given name:value, exactly. An empty value (`route:`) means
    the label is absent, as a missing label reads "" in matchers (monitoring/labels.py).

    The key is read with KeyTransform, as `labels__<name>` reads it, but never parsed from a path: a
    label may be named like a lookup (`in`, `contains`) or hold a double underscore."""

    field_class = LabelFilterField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "name:value, repeatable; every one must match (exact values).")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        for index, (name, label_value) in enumerate(value or []):
            alias = f"_label_{index}"
            qs = qs.alias(**{alias: KeyTransform(name, self.field_name)})
            if label_value == "":
                qs = qs.filter(Q(**{f"{alias}__isnull": True}) | Q(**{alias: ""}))
            else:
                qs = qs.filter(**{alias: label_value})
        return qs


class AlertRuleFilter(django_filters.FilterSet):
    is_active = StrictBooleanFilter()
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    metric_name = django_filters.CharFilter()
    condition = ConditionFilter()
    state = django_filters.ChoiceFilter(choices=RuleState.choices)
    aggregation = django_filters.ChoiceFilter(choices=[(a, a) for a in AGGREGATIONS])
    search = django_filters.CharFilter(method="search_words", max_length=500, help_text=(
        "Words, every one in the rule's name, description, summary, labels or expression (as part of a word)."))
    label = LabelFilter(field_name="labels", help_text="Rules with this label, name:value (team:payments); "
                        "repeatable, every one must match.")
    ordering = OrderingFilter(
        fields=(
            "name", ("severity_rank", "severity"), "metric_name", "state", "created_at", "updated_at",
            "last_evaluated_at", "id",
        ),
        help_text="Default: name. severity: most severe first.",
    )

    class Meta:
        model = AlertRule
        fields = ["is_active", "severity", "metric_name", "condition", "state", "aggregation", "search", "label"]

    def search_words(self, queryset, name, value):
        return search.search_rules(queryset, value)


class AlertHistoryFilter(django_filters.FilterSet):
    rule = IdFilter(field_name="rule_id", help_text="Alerts of this rule.")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    metric_name = django_filters.CharFilter()
    condition = ConditionFilter()
    manual = StrictBooleanFilter()
    acknowledged = StrictBooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True,
                                       help_text="true: acknowledged (someone has it); false: nobody has.")
    since = UtcIsoDateTimeFilter(field_name="triggered_at", lookup_expr="gte",
                                             help_text="Triggered at or after this time.")
    until = UtcIsoDateTimeFilter(field_name="triggered_at", lookup_expr="lte",
                                             help_text="Triggered at or before this time.")
    label = LabelFilter(field_name="labels", help_text="Alerts with this label (the rule's or the group's), "
                        "name:value (route:/api/orders/); repeatable, every one must match.")
    silenced = StrictBooleanFilter(method="filter_silenced", help_text="true: open alerts an active silence or "
                                   "maintenance window holds now (their silenced_by); false: every other alert.")
    inhibited = StrictBooleanFilter(method="filter_inhibited", help_text="true: open alerts inhibited now (their "
                                    "inhibited_by); false: every other alert.")
    flapping = StrictBooleanFilter(help_text="true: alerts opened while their rule (or group) was flapping, or open "
                                   "when it began to; false: the others.")
    search = django_filters.CharFilter(method="search_words", max_length=500, help_text=(
        "Words, every one in the alert's rule name, message, summary, labels, resolution notes or acknowledgement "
        "comment, as a word or the beginning of one (on PostgreSQL its full-text search)."))
    ordering = OrderingFilter(
        fields=("triggered_at", "resolved_at", ("severity_rank", "severity"), "status", "metric_value", "id"),
        help_text="Default: -triggered_at (newest first). severity: most severe first.",
    )

    class Meta:
        model = AlertHistory
        fields = ["rule", "severity", "status", "metric_name", "condition", "manual", "acknowledged", "since", "until",
                  "label", "silenced", "inhibited", "flapping", "search"]

    def search_words(self, queryset, name, value):
        return search.search_alerts(queryset, value)

    @staticmethod
    def _open_alerts():
        """The open alerts with the fields matching reads (silences and inhibitions match in Python)."""
        return AlertHistory.objects.filter(status=AlertStatus.ACTIVE).only(
            "id", "status", "labels", "severity", "metric_name", "rule_name").order_by()

    @staticmethod
    def _held(queryset, ids: list[int], value: bool):
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)

    def filter_silenced(self, queryset, name, value):
        holds = silences.active_holds()
        if not holds:
            return queryset if not value else queryset.none()
        ids = [alert.pk for alert in self._open_alerts() if any(silences.silenced_by(alert, holds).values())]
        return self._held(queryset, ids, value)

    def filter_inhibited(self, queryset, name, value):
        rules = inhibitions.active_rules()
        if not rules:
            return queryset if not value else queryset.none()
        sources = inhibitions.open_sources(rules)
        ids = [alert.pk for alert in self._open_alerts() if inhibitions.inhibited_by(alert, rules, sources)]
        return self._held(queryset, ids, value)


class SilenceFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=SilenceState.choices, method="in_state",
                                        help_text="pending (not begun), active (holding alerts now), expired.")

    class Meta:
        model = Silence
        fields = ["state"]

    def in_state(self, queryset, name, value):
        now = timezone.now()
        if value == SilenceState.PENDING:
            return queryset.filter(starts_at__gt=now)
        if value == SilenceState.ACTIVE:
            return queryset.filter(starts_at__lte=now, ends_at__gt=now)
        return queryset.filter(ends_at__lte=now)
