"""Serializers of the alerts API. They check types and shapes and call the model's validators
(alerts/validators.py, the model's clean()); the services decide and change things."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.fields import (
    NO_NUL_PATTERN,
    FiniteFloatField,
    NameField,
    QueryIntegerField,
    SchemaPattern,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    text_field,
)
from core.lookups import MAX_ID
from core.provisioning import ProvisionedField
from monitoring.catalogue import METRIC_NAME
from monitoring.labels import (
    LABEL_NAME,
    LABEL_NAME_MAX_LENGTH,
    MAX_LABEL_VALUE,
    MAX_LABELS,
    MAX_MATCHERS,
    MAX_REGEX_LENGTH,
    OPS,
    matcher_errors,
)
from monitoring.models import DataSource
from monitoring.serializers import OverviewMetricSerializer

from ..models import (
    AGGREGATIONS,
    MAX_EXPR_LENGTH,
    AlertHistory,
    AlertRule,
    AlertRuleGroup,
    NotificationChannel,
    NotificationDelivery,
    RuleKind,
    Severity,
)
from ..services import inhibitions, silences
from ..services.alert_engine import STATE_RANK
from ..services.channels import notifier_for
from ..services.lifecycle import MAX_NOTES_LENGTH, finite
from ..summary_template import MAX_TEMPLATE_LENGTH, VARIABLES
from ..validators import (
    CONDITION_INPUTS,
    MAX_EMAIL_RECIPIENTS,
    MAX_FLAP_THRESHOLD,
    MAX_FLAP_WINDOW_MINUTES,
    MAX_FOR_MINUTES,
    MAX_GROUP_BY,
    MAX_RUNBOOK_URL_LENGTH,
    MAX_SERIES_PER_RULE_LIMIT,
    MAX_WINDOW_MINUTES,
    MIN_WINDOW_MINUTES,
    RUNBOOK_URL_RE,
    SLACK_CHANNEL_MAX_LENGTH,
    SLACK_CHANNEL_RE,
    normalize_condition,
    parse_email_recipients,
    validate_email_recipients,
    validate_flap_threshold,
    validate_group_by,
    validate_rule_labels,
    validate_runbook_url,
    validate_summary_template,
    validate_time_window,
)

MAX_MESSAGE_LENGTH = 2000
MAX_RULE_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
MAX_EMAIL_ADDRESS_LENGTH = 254
# Room for MAX_EMAIL_RECIPIENTS full-length addresses and their separators, read as one string.
MAX_RECIPIENTS_TEXT_LENGTH = MAX_EMAIL_RECIPIENTS * (MAX_EMAIL_ADDRESS_LENGTH + 2)
# Addresses in one string, for the schema: a conservative form of what Django's email validator
# takes (dot-atom local part, a domain with a letters-only top level), at most MAX_EMAIL_RECIPIENTS.
_ADDRESS = (
    r"[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?)*\.[A-Za-z]{2,20}"
)
RECIPIENTS_TEXT_PATTERN = (
    rf"^[,;\s]*({_ADDRESS}([,;\s]+{_ADDRESS}){{0,{MAX_EMAIL_RECIPIENTS - 1}}}[,;\s]*)?$"
)
# The schema's patterns of what the validators check: a Slack channel (the schema adds the blank
# alternative of a field that allows blank by itself), a metric name.
SLACK_CHANNEL_OR_BLANK = SchemaPattern(SLACK_CHANNEL_RE.pattern)
METRIC_NAME_PATTERN = SchemaPattern(METRIC_NAME.pattern)


def django_errors(error: DjangoValidationError):
    """A Django ValidationError as DRF's, field by field when it has fields."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError(error.messages)


def _choices_message(values) -> str:
    return '"{input}" is not a valid choice. Valid: ' + ", ".join(values) + "."


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "array", "maxItems": MAX_EMAIL_RECIPIENTS,
                "items": {"type": "string", "format": "email", "maxLength": MAX_EMAIL_ADDRESS_LENGTH},
            },
            {"type": "string", "description": "Addresses separated by commas.",
             "maxLength": MAX_RECIPIENTS_TEXT_LENGTH, "pattern": RECIPIENTS_TEXT_PATTERN},
        ]
    }
)
class EmailRecipientsField(serializers.Field):
    """A list of addresses, or one string of them separated by commas (the product document's
    "dev@resee.com,ops@resee.com"). Always answered as a list."""

    def to_internal_value(self, data):
        # Bounded before parsing, so that a huge list is refused with one message, not one per item.
        if isinstance(data, str) and len(data) > MAX_RECIPIENTS_TEXT_LENGTH:
            raise serializers.ValidationError(f"At most {MAX_RECIPIENTS_TEXT_LENGTH:,} characters.")
        if isinstance(data, (list, tuple)):
            if len(data) > MAX_EMAIL_RECIPIENTS:
                raise serializers.ValidationError(f"At most {MAX_EMAIL_RECIPIENTS} email recipients (got {len(data)}).")
            if any(isinstance(item, str) and len(item) > MAX_EMAIL_ADDRESS_LENGTH for item in data):
                raise serializers.ValidationError(f"An address has at most {MAX_EMAIL_ADDRESS_LENGTH} characters.")
            if any(isinstance(item, str) and not item.strip() for item in data):
                raise serializers.ValidationError("An address in the list is empty.")
        try:
            return parse_email_recipients(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value):
        return list(value or [])


@extend_schema_field({"type": "integer", "minimum": MIN_WINDOW_MINUTES, "maximum": MAX_WINDOW_MINUTES})
class WindowMinutesField(StrictIntegerField):
    pass


class ConditionField(serializers.ChoiceField):
    """gt, gte, lt, lte, eq, ne, or the product document's symbols for them (> >= < <= = == !=);
    stored and answered as the code."""

    def __init__(self, **kwargs):
        super().__init__(choices=list(CONDITION_INPUTS), **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(normalize_condition(data))


class _NullIsBlank(serializers.Field):
    """Null is taken as blank (which the model stores for "the default")."""

    def run_validation(self, data=serializers.empty):
        return super().run_validation("" if data is None else data)


class BlankableChoiceField(_NullIsBlank, serializers.ChoiceField):
    pass


class BlankableCharField(_NullIsBlank, StrictCharField):
    pass


_RULE_WRITABLE = [
    "name", "description", "kind", "expr", "data_source", "metric_name", "condition", "threshold_value",
    "time_window_minutes", "aggregation",
    "severity", "slack_enabled", "slack_channel", "email_enabled", "email_recipients", "cooldown_minutes",
    "auto_resolve", "notify_on_resolve", "resolve_threshold", "alert_on_no_data", "max_alerts_per_hour",
    "is_active", "label_matchers", "group_by", "max_series_per_rule", "for_minutes", "labels", "runbook_url",
    "summary", "channels", "flap_threshold", "flap_window_minutes",
]


class LabelMatcherSerializer(serializers.Serializer):
    """Selects series by one label, as Prometheus does: `=`, `!=`, `=~`, `!~` (regexes anchored);
    a label a series does not have is the empty string."""

    label = StrictCharField(  # type: ignore[assignment]  # a declared field, not Field.label
        max_length=LABEL_NAME_MAX_LENGTH, validators=[SchemaPattern(LABEL_NAME.pattern)]
    )
    op = serializers.ChoiceField(choices=OPS, error_messages={"invalid_choice": _choices_message(OPS)})
    value = StrictCharField(allow_blank=True, max_length=MAX_REGEX_LENGTH, trim_whitespace=False)

    def validate(self, attrs):
        problems = matcher_errors(attrs)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


@extend_schema_field(
    {
        "type": "object", "maxProperties": MAX_LABELS,
        "additionalProperties": {
            "type": "string", "maxLength": MAX_LABEL_VALUE, "pattern": r"^[^\u0000-\u001f\u007f]*$",
        },
    }
)
class LabelsField(serializers.DictField):
    """Labels: name -> value (at most 10; names [a-z_][a-z0-9_]*, up to 64 characters, which OpenAPI
    3.0 cannot state of an object's keys; values up to 128 characters)."""

    child = StrictCharField(allow_blank=True, max_length=MAX_LABEL_VALUE, trim_whitespace=False)


def _label_values_field(**kwargs):
    return LabelsField(**kwargs)


@extend_schema_field(
    {
        "type": "array", "maxItems": MAX_GROUP_BY, "uniqueItems": True,
        "items": {"type": "string", "pattern": f"^{LABEL_NAME.pattern}$", "maxLength": LABEL_NAME_MAX_LENGTH},
    }
)
class GroupByField(serializers.ListField):
    child = StrictCharField(max_length=LABEL_NAME_MAX_LENGTH)


@extend_schema_field(
    {
        "type": "array", "maxItems": MAX_GROUP_BY, "uniqueItems": True,
        "items": {"type": "string", "pattern": f"^({LABEL_NAME.pattern}|\\.\\.\\.)$",
                  "maxLength": LABEL_NAME_MAX_LENGTH},
    }
)
class PolicyGroupByField(serializers.ListField):
    """A policy's group_by: label names, or "..." alone for every label."""

    child = StrictCharField(max_length=LABEL_NAME_MAX_LENGTH)


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_FLAP_THRESHOLD, "not": {"enum": [1]}})
class FlapThresholdField(StrictIntegerField):
    """0 (never flapping), or 2 and more state changes: one change is not flapping."""


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID, "nullable": True})
class RelatedIdField(serializers.PrimaryKeyRelatedField):
    """A related row's id (a whole number, not a string of one): a data source, a channel."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class ChannelIdField(RelatedIdField):
    """A notification channel's id, in a list of them (never null)."""


def validate_named_channels(channels):
    """Channels a policy or a rule names go to their own targets: one without any (the default
    email channel, whose addresses are each rule's email_recipients) would send nothing."""
    unusable = [channel.name for channel in channels
                if (notifier := notifier_for(channel)) is not None and not notifier.default_targets()]
    if unusable:
        raise serializers.ValidationError(
            f"{', '.join(unusable)} has no target of its own (the default email channel sends to each rule's "
            "email_recipients): add an email channel with its recipients, and name that one."
        )
    return channels



class _StrictNumbersMixin:
    # true and false are not numbers here (Python would read them as 1 and 0), and only they are
    # booleans; a string is a string, not a number turned into one: what the schema says.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.FloatField: FiniteFloatField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
    }


@extend_schema_serializer(component_name="AlertRuleInput")
class AlertRuleInputSerializer(_StrictNumbersMixin, serializers.ModelSerializer):
    """What a person sets on a rule. Fields the system sets (state, created_by, timestamps) are
    not accepted here and ignored when sent."""

    time_window_minutes = WindowMinutesField(
        required=False, validators=[validate_time_window], help_text="1 to 60 minutes (default 5)."
    )
    aggregation = BlankableChoiceField(
        choices=AGGREGATIONS, required=False, allow_blank=True, allow_null=True,
        error_messages={"invalid_choice": _choices_message(AGGREGATIONS)},
        help_text="Blank or omitted: the metric's default aggregation.",
    )
    name = NameField(max_length=MAX_RULE_NAME_LENGTH)
    description = text_field(MAX_DESCRIPTION_LENGTH, required=False, allow_blank=True)
    kind = serializers.ChoiceField(
        choices=RuleKind.choices, required=False, error_messages={"invalid_choice": _choices_message(RuleKind.values)},
        help_text="metric (default): a metric of this system over a window; promql: `expr` evaluated by `data_source`, "
        "each series returned a group.",
    )
    expr = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_EXPR_LENGTH, trim_whitespace=False,
        help_text="A promql rule's PromQL expression, evaluated at each tick's time, e.g. "
        "\"sum by (queue) (my_queue_depth)\"; its series' values are compared with condition and threshold_value.",
    )
    data_source = RelatedIdField(
        queryset=DataSource.objects.all(), required=False, allow_null=True,
        help_text="The data source a promql rule queries (/api/monitoring/data-sources/).",
    )
    channels = serializers.ListField(
        child=ChannelIdField(queryset=NotificationChannel.objects.all()), required=False, max_length=20,
        help_text="Channels (/api/alerts/channels/) the rule's alerts go to, besides slack_enabled / email_enabled "
        "and the notification policies that match them; each to its own target.",
    )
    metric_name = StrictCharField(
        required=False, max_length=64,
        validators=[*AlertRule._meta.get_field("metric_name").validators],
        help_text="The metric a metric rule watches (required for those); a promql rule has none.",
    )
    # The Slack channel's pattern admits no control or bidirectional-text character.
    slack_channel = BlankableCharField(
        required=False, allow_blank=True, allow_null=True, max_length=80,
        help_text="#channel or @user; blank: SLACK_DEFAULT_CHANNEL.",
    )
    email_recipients = EmailRecipientsField(
        required=False, validators=[validate_email_recipients],
        help_text="A list of addresses, or one comma-separated string.",
    )
    condition = ConditionField(
        error_messages={"invalid_choice": _choices_message(CONDITION_INPUTS)},
        help_text="gt, gte, lt, lte, eq, ne, or the symbols > >= < <= = (or ==) !=; stored as the code.",
    )
    # A list field (not many=True) so that the schema states the limit as maxItems.
    label_matchers = serializers.ListField(
        child=LabelMatcherSerializer(), required=False, max_length=MAX_MATCHERS,
        help_text="Which of the metric's series the rule reads; none: all of them.",
    )
    group_by = GroupByField(
        required=False, max_length=MAX_GROUP_BY, validators=[validate_group_by],
        help_text="Label names: each group of series is evaluated, and alerts, on its own. Empty: one value "
        "over all matching series.",
    )
    max_series_per_rule = StrictIntegerField(
        required=False, min_value=1, max_value=MAX_SERIES_PER_RULE_LIMIT,
        help_text="Past this many groups the rule is in error (never silently cut). Default 100.",
    )
    for_minutes = StrictIntegerField(
        required=False, min_value=0, max_value=MAX_FOR_MINUTES,
        help_text="Pending period: the condition must hold on every tick this long before the rule fires "
        "(0: at once).",
    )
    labels = _label_values_field(
        required=False, validators=[validate_rule_labels], help_text="Free labels of the rule, copied onto its alerts."
    )
    runbook_url = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_RUNBOOK_URL_LENGTH,
        validators=[validate_runbook_url, SchemaPattern(RUNBOOK_URL_RE.pattern)],
        help_text="An http(s) link to the playbook, shown with every alert.",
    )
    summary = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_TEMPLATE_LENGTH, trim_whitespace=False,
        validators=[validate_summary_template, SchemaPattern(NO_NUL_PATTERN)],
        help_text="A template (Jinja, sandboxed) rendered for each alert, e.g. "
        "\"{{ labels.route }} fails {{ value | round(1) }} %\"; one that does not parse, or fails on example "
        f"values, is refused. Variables: {', '.join(VARIABLES)}.",
    )
    flap_threshold = FlapThresholdField(
        required=False, min_value=0, max_value=MAX_FLAP_THRESHOLD, validators=[validate_flap_threshold],
        help_text="Opens and resolves of the rule (or of one group) within flap_window_minutes that make it "
        "flapping: one message says so, and further changes are not notified until it has been stable that "
        "long. Default 6; 0: never.",
    )
    flap_window_minutes = StrictIntegerField(
        required=False, min_value=1, max_value=MAX_FLAP_WINDOW_MINUTES,
        help_text="The window of flap_threshold, and how long a flapping rule must be stable to be quiet no "
        "more (default 30).",
    )

    class Meta:
        model = AlertRule
        fields = _RULE_WRITABLE
        extra_kwargs = {
            "severity": {"error_messages": {"invalid_choice": _choices_message(Severity.values)}},
        }

    def validate_channels(self, value):
        return validate_named_channels(value)

    def get_fields(self):
        fields = super().get_fields()
        # The slack channel's validator is the model's: keep it on the replacement field.
        fields["slack_channel"].validators = [
            *AlertRule._meta.get_field("slack_channel").validators, SLACK_CHANNEL_OR_BLANK,
        ]
        fields["metric_name"].validators.append(METRIC_NAME_PATTERN)
        return fields

    def validate(self, attrs):
        """The rule as a whole (e.g. email on with no recipients, the resolve threshold on the
        wrong side): the model's clean(), on the rule as it would be saved."""
        rule = AlertRule() if self.instance is None else AlertRule(
            **{f.attname: getattr(self.instance, f.attname) for f in AlertRule._meta.concrete_fields}
        )
        for name, value in attrs.items():
            if name != "channels":  # many-to-many: set once the rule is saved
                setattr(rule, name, value)
        try:
            rule.clean()
        except DjangoValidationError as error:
            raise django_errors(error) from None
        return attrs


@extend_schema_serializer(component_name="AlertRuleDraft")
class AlertRuleDraftSerializer(AlertRuleInputSerializer):
    """A rule as a form holds it before saving: every field a rule takes, validated as a create (or,
    with `rule_id`, as a change of that rule) would be, for a dry run. Nothing is saved."""

    rule_id = StrictIntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID,
        help_text="The saved rule these fields would change, if any: the dry run then sees its open alert "
        "and state, as the engine would.",
    )

    class Meta(AlertRuleInputSerializer.Meta):
        fields = [*_RULE_WRITABLE, "rule_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = kwargs.get("data")
        rule_id = data.get("rule_id") if isinstance(data, dict) else None
        if isinstance(rule_id, int) and not isinstance(rule_id, bool) and 0 < rule_id <= MAX_ID:
            # The rule as it would be saved: its fields, changed by those sent (validate() reads
            # self.instance).
            self.instance = AlertRule.objects.filter(pk=rule_id).first()

    def validate_rule_id(self, value):
        if value is not None and self.instance is None:
            raise serializers.ValidationError(f"No rule with id {value}.")
        return value

    def validate(self, attrs):
        rule_id = attrs.pop("rule_id", None)
        attrs = super().validate(attrs)
        attrs["rule_id"] = rule_id
        return attrs


class AlertRuleGroupSerializer(serializers.ModelSerializer):
    """One group of a grouped rule, with the state the engine keeps for it."""

    labels = _label_values_field()
    open_alert_id = serializers.IntegerField(allow_null=True, help_text="The group's active alert, if any.")

    class Meta:
        model = AlertRuleGroup
        fields = ["fingerprint", "labels", "state", "state_reason", "last_value", "last_evaluated_at",
                  "state_changed_at", "flapping_since", "open_alert_id"]
        read_only_fields = fields

    def to_representation(self, group):
        if not hasattr(group, "open_alert_id"):
            group.open_alert_id = (self.context.get("open_alerts_by_group") or {}).get(
                (group.rule_id, group.fingerprint)
            )
        data = super().to_representation(group)
        # The latest tick's value and state (the engine writes a group's row only when it changes).
        evaluation = ((self.context.get("group_evaluations") or {}).get(group.rule_id) or {}).get(group.fingerprint)
        if evaluation is not None:
            cached_at = datetime.fromisoformat(evaluation.evaluated_at)
            if group.last_evaluated_at is None or cached_at > group.last_evaluated_at:
                data["state"], data["state_reason"] = evaluation.state, evaluation.state_reason
                data["last_value"] = evaluation.value
                data["last_evaluated_at"] = serializers.DateTimeField().to_representation(cached_at)
        data["last_value"] = finite(data["last_value"])
        return data


class AlertRuleSerializer(serializers.ModelSerializer):
    """A rule as the API shows it, with its evaluation state: the latest tick's value, state and
    time (from the engine's cache, where the engine keeps the values of rules whose state held)
    and the id of its open alert."""

    email_recipients = serializers.ListField(child=serializers.CharField())
    aggregation = serializers.ChoiceField(choices=AGGREGATIONS, allow_blank=True, help_text="Blank: the default.")
    effective_aggregation = serializers.CharField(help_text="The aggregation evaluated.")
    effective_slack_channel = serializers.CharField(help_text="Where Slack notifications go.")
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    open_alert_id = serializers.IntegerField(allow_null=True, help_text="The rule's active alert, if any.")
    label_matchers = LabelMatcherSerializer(many=True)
    group_by = GroupByField()
    labels = _label_values_field()
    groups = AlertRuleGroupSerializer(
        many=True, help_text="A grouped rule's groups, worst state first; empty for a rule without group_by."
    )
    channels: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    provisioned = ProvisionedField()

    class Meta:
        model = AlertRule
        fields = [
            "id", *_RULE_WRITABLE, "effective_aggregation", "effective_slack_channel",
            "state", "state_reason", "last_value", "last_evaluated_at", "last_error", "state_changed_at",
            "flapping_since", "open_alert_id", "groups", "created_by", "created_at", "updated_at", "provisioned",
        ]
        read_only_fields = fields

    def to_representation(self, rule):
        if not hasattr(rule, "open_alert_id"):  # a rule just saved, not from the annotated list
            rule.open_alert_id = rule.alerts.filter(status="active").values_list("id", flat=True).first()
        data = super().to_representation(rule)
        evaluation = (self.context.get("evaluations") or {}).get(rule.pk)
        if evaluation is not None:
            stored = rule.last_evaluated_at
            cached_at = datetime.fromisoformat(evaluation.evaluated_at)
            if stored is None or cached_at > stored:
                data["state"] = evaluation.state
                data["last_value"] = evaluation.value
                data["last_evaluated_at"] = serializers.DateTimeField().to_representation(cached_at)
                data["last_error"] = evaluation.error
                data["state_reason"] = evaluation.state_reason
        # A value stored before non-finite ones were refused must not make the list fail.
        data["last_value"] = finite(data["last_value"])
        data["groups"].sort(key=lambda g: (-STATE_RANK.get(g["state"], 0), g["fingerprint"]))
        return data


class AlertRuleSavedSerializer(AlertRuleSerializer):
    """A rule just created or changed, with what the person saving it should know."""

    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="E.g. a custom metric with no sample yet; empty when none."
    )

    class Meta(AlertRuleSerializer.Meta):
        fields = [*AlertRuleSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class RulePointSerializer(serializers.Serializer):
    t = serializers.DateTimeField(help_text="The sample's time, or the start of the minute.")
    v = serializers.FloatField(allow_null=True)


# What the engine does about a rule or a group at a tick (alert_engine's FIRE, REMIND, ...).
ENGINE_ACTIONS = ["fire", "remind", "resolve", "update", "none", "suppressed"]


class GroupEvaluationSerializer(serializers.Serializer):
    labels = LabelsField()
    fingerprint = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null: no data for this group in the window.")
    condition_met = serializers.BooleanField(allow_null=True)
    current_state = serializers.CharField(allow_null=True, help_text="The group's state now; null for a new group.")
    state = serializers.CharField(help_text="The state the engine would move the group to.")
    action = serializers.ChoiceField(choices=ENGINE_ACTIONS, help_text="What the engine would do about the group.")
    reason = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    open_alert_id = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField(
        allow_blank=True, help_text="The rule's summary as an alert of this group opened now would get it; blank if "
        "the rule has none."
    )


class EvaluationSerializer(serializers.Serializer):
    rule_id = serializers.IntegerField(allow_null=True, help_text="Null for a rule not saved yet.")
    evaluated_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    query = serializers.CharField(allow_blank=True, help_text="A promql rule's expression; blank for a metric rule.")
    data_source = serializers.IntegerField(allow_null=True, help_text="A promql rule's data source; null otherwise.")
    metric_name = serializers.CharField(allow_blank=True, help_text="Blank for a promql rule.")
    source = serializers.CharField(  # type: ignore[assignment]  # a declared field, not Field.source
        help_text="Where the points come from: samples, pushed, requests, errors, ai, users."
    )
    aggregation = serializers.CharField()
    window_minutes = serializers.IntegerField()
    window_start = serializers.DateTimeField(allow_null=True)
    window_end = serializers.DateTimeField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="Null: no data in the window.")
    no_data = serializers.BooleanField()
    condition = serializers.CharField()
    threshold_value = serializers.FloatField()
    resolve_threshold = serializers.FloatField(allow_null=True)
    condition_met = serializers.BooleanField(allow_null=True, help_text="Null when there is no value to compare.")
    current_state = serializers.CharField(allow_null=True, help_text="The rule's state now; null for a rule not "
                                          "saved yet.")
    state = serializers.CharField(help_text="The state the engine would move the rule to.")
    action = serializers.ChoiceField(
        choices=ENGINE_ACTIONS,
        help_text="What the engine would do: open an alert, remind, resolve it, update it, nothing, or hold back.",
    )
    reason = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    open_alert_id = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField(
        allow_blank=True, help_text="The rule's summary as an alert opened now would get it (the note an alert gets "
        "when the template fails on these values); blank if the rule has none."
    )
    points = RulePointSerializer(
        many=True, help_text="The samples (or per-minute values) the value came from; a promql rule's: the last hour "
        "of its worst series (query_range, a point a minute)."
    )
    groups = GroupEvaluationSerializer(
        many=True, help_text="A grouped rule's groups, worst first (the rule's own fields are its worst group's); "
        "empty for a rule without group_by."
    )


class DeliverySerializer(serializers.ModelSerializer):
    channel = serializers.CharField(help_text="The channel's kind (slack, email, webhook, ...).")
    channel_id = serializers.IntegerField(source="notification_channel_id", allow_null=True,
                                          help_text="The channel it went through; null once that was deleted.")
    channel_name = serializers.CharField(help_text="What the channel was called when this was sent.")

    class Meta:
        model = NotificationDelivery
        fields = [
            "id", "channel", "channel_id", "channel_name", "target", "event", "status", "attempts", "last_error",
            "response_code", "created_at", "sent_at", "next_attempt_at",
        ]
        read_only_fields = fields


class SilencedBySerializer(serializers.Serializer):
    silences = serializers.ListField(child=serializers.IntegerField(), help_text="Silence ids.")
    maintenance_windows = serializers.ListField(child=serializers.IntegerField(), help_text="Maintenance window ids.")


class AlertHistorySerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(read_only=True)
    value = serializers.FloatField(source="metric_value", allow_null=True, help_text="The value that fired it.")
    resolved_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    notes = serializers.CharField(source="resolution_notes")
    context = serializers.DictField(  # type: ignore[assignment]  # a declared field, not Field.context
        help_text="How the value was computed: window, aggregation, points."
    )
    labels = _label_values_field(help_text="The rule's labels and its group's.")
    group_labels = _label_values_field(help_text="The labels of the group that fired (a grouped rule); {} else.")
    runbook_url = serializers.CharField(help_text="The rule's runbook when it fired; blank if none.")
    summary = serializers.CharField(help_text="The rule's summary template, rendered when it fired; blank if none.")
    acknowledged_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who has it; null when nobody does."
    )
    acknowledged_comment = serializers.CharField(help_text="What they said when acknowledging it.")
    acknowledged_via = serializers.SerializerMethodField(
        help_text="How it was acknowledged: api (the API or the dashboard), admin, or link (a one-click link in a "
        "message; acknowledged_by is then who was signed in, or null); null when nobody has it."
    )
    silenced_by = serializers.SerializerMethodField(
        help_text="The silences and maintenance windows holding its notifications now (an open alert); empty "
        "lists when none does."
    )
    inhibited_by = serializers.SerializerMethodField(
        help_text="The open alerts (ids) inhibiting its notifications now through an active inhibition rule; "
        "empty when none does (and for a resolved alert)."
    )

    @extend_schema_field(serializers.ChoiceField(choices=["api", "admin", "link"], allow_null=True))
    def get_acknowledged_via(self, alert):
        if alert.acknowledged_at is None:
            return None
        if hasattr(alert, "acknowledged_via"):  # annotated by selectors.alerts_for_api
            return alert.acknowledged_via
        return (alert.events.filter(kind="acknowledged").order_by("-at", "-id").values_list("via", flat=True)
                .first())

    @extend_schema_field(SilencedBySerializer)
    def get_silenced_by(self, alert):
        # Loaded once per answer (two queries), however many alerts it lists. (`context` is a field of
        # this serializer: the answer's context is the root's.)
        answer = self.root._context
        if "active_holds" not in answer:
            answer["active_holds"] = silences.active_holds()  # type: ignore[index]  # a dict
        return silences.silenced_by(alert, answer["active_holds"])

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_inhibited_by(self, alert):
        # The active inhibition rules and the open alerts that may be sources: loaded once per answer
        # (two queries, the second only when there are active rules), however many alerts it lists.
        answer = self.root._context
        if "inhibition_rules" not in answer:
            rules = inhibitions.active_rules()
            answer["inhibition_rules"] = rules  # type: ignore[index]  # a dict
            answer["inhibition_sources"] = inhibitions.open_sources(rules)  # type: ignore[index]  # a dict
        return inhibitions.inhibited_by(alert, answer["inhibition_rules"], answer["inhibition_sources"])

    def to_representation(self, alert):
        # Infinite or NaN values (stored before the engine refused them) are not JSON: null.
        return finite(super().to_representation(alert))

    class Meta:
        model = AlertHistory
        fields = [
            "id", "rule", "rule_name", "metric_name", "severity", "value", "last_value", "threshold_value",
            "condition", "status", "message", "triggered_at", "resolved_at", "resolved_by", "notes", "manual",
            "notification_count", "last_notified_at", "context", "labels", "group_labels", "runbook_url", "summary",
            "acknowledged_at", "acknowledged_by", "acknowledged_comment", "acknowledged_via", "silenced_by",
            "inhibited_by", "flapping", "rule_version",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "flapping": {"help_text": "Opened while its rule (or group) was flapping, or open when it began to; "
                                      "cleared on the open alert when the flapping ends."},
            "rule_version": {"help_text": "The rule's version (/api/alerts/rules/{id}/versions/) it fired under; "
                                          "null when the rule had no recorded version then."},
        }


class RuleVersionSerializer(serializers.Serializer):
    """One version of a rule: one change (a request, an import) and its diff against the version before."""

    number = serializers.IntegerField(help_text="1 for the rule as created, then one more for each change.")
    when = serializers.DateTimeField()
    user_name = serializers.CharField(allow_null=True)
    token_name = serializers.CharField(allow_null=True, help_text="The API token the change came with, if any.")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        choices=["api", "dashboard", "admin", "import", "provisioning", "system"]
    )
    action = serializers.ChoiceField(choices=["create", "update", "delete"])
    changes = serializers.DictField(
        child=serializers.ListField(allow_null=True, min_length=2, max_length=2),
        help_text="Field -> [old, new] against the version before; channels as the ids before and after.",
    )


class AlertHistoryDetailSerializer(AlertHistorySerializer):
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta(AlertHistorySerializer.Meta):
        fields = [*AlertHistorySerializer.Meta.fields, "deliveries"]
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    comment = text_field(MAX_NOTES_LENGTH, required=False, allow_blank=True,
                         help_text="What you are doing about it, for the others on call.")


class ResolveSerializer(serializers.Serializer):
    notes = text_field(MAX_NOTES_LENGTH, required=False, allow_blank=True)
    resolution_notes = text_field(MAX_NOTES_LENGTH, required=False, allow_blank=True, help_text="Same as notes.")

    def validate(self, attrs):
        attrs["notes"] = (attrs.get("notes") or attrs.get("resolution_notes") or "").strip()
        return attrs


class StatsQuerySerializer(serializers.Serializer):
    days = QueryIntegerField(min_value=1, max_value=90, default=7, help_text="The last N days (1 to 90).")


class CountByRuleSerializer(serializers.Serializer):
    rule_id = serializers.IntegerField(allow_null=True, help_text="Null when the rule has been deleted since.")
    name = serializers.CharField()
    count = serializers.IntegerField()


class CountByMetricSerializer(serializers.Serializer):
    metric_name = serializers.CharField()
    count = serializers.IntegerField()


class CountPerDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class CountPerHourSerializer(serializers.Serializer):
    hour = serializers.DateTimeField()
    count = serializers.IntegerField()


class ChannelStatsSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    pending = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    total = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True, help_text="sent / (sent + failed), in percent.")


class EngineStatusSerializer(serializers.Serializer):
    last_tick_at = serializers.DateTimeField(allow_null=True, help_text="When the last tick finished; null: none yet.")
    last_tick_seconds = serializers.FloatField(allow_null=True, help_text="How long it took.")
    skipped_ticks = serializers.IntegerField(help_text="Ticks skipped since the cache was last emptied.")
    skipped_by_reason = serializers.DictField(child=serializers.IntegerField())
    last_skipped_at = serializers.DateTimeField(allow_null=True)
    last_skip_reason = serializers.CharField(
        allow_blank=True, help_text="previous tick still running, database is locked, ...; blank: none skipped."
    )


def _counts_of(choices, help_text: str):
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text + " " + ", ".join(choices))


class StatsSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    total = serializers.IntegerField(help_text="Alerts triggered in the period.")
    manual = serializers.IntegerField(help_text="Of those, triggered by hand.")
    by_severity = _counts_of(["critical", "high", "medium", "low"], "Alerts triggered, by severity:")
    by_status = _counts_of(["active", "resolved"], "Alerts triggered, by what they are now:")
    by_rule = CountByRuleSerializer(many=True, help_text="The 10 rules that fired most.")
    by_metric = CountByMetricSerializer(many=True)
    per_day = CountPerDaySerializer(many=True)
    per_hour = CountPerHourSerializer(many=True)
    open_now = serializers.IntegerField(help_text="Alerts open now, whenever triggered.")
    resolved_in_period = serializers.IntegerField()
    mean_time_to_resolve_seconds = serializers.FloatField(
        allow_null=True, help_text="Of the alerts resolved in the period; null when none was."
    )
    acknowledged_in_period = serializers.IntegerField(help_text="Alerts acknowledged in the period.")
    mean_time_to_acknowledge_seconds = serializers.FloatField(
        allow_null=True, help_text="From trigger to acknowledgement, of those; null when none was."
    )
    p90_time_to_acknowledge_seconds = serializers.FloatField(
        allow_null=True, help_text="Nine in ten of those were acknowledged within this."
    )
    notifications = ChannelStatsSerializer(many=True)
    engine = EngineStatusSerializer(help_text="The evaluation ticks: the last one run, and those skipped.")


class TestSlackSerializer(serializers.Serializer):
    message = text_field(MAX_MESSAGE_LENGTH, required=False, allow_blank=True, trim_whitespace=False,
                         help_text=f"At most {MAX_MESSAGE_LENGTH} characters; a default when blank.")
    channel = StrictCharField(max_length=SLACK_CHANNEL_MAX_LENGTH, required=False, allow_blank=True,
                              trim_whitespace=False, validators=[SLACK_CHANNEL_OR_BLANK],
                        help_text="#channel or @user; default SLACK_DEFAULT_CHANNEL.")


class TestEmailSerializer(serializers.Serializer):
    recipient = serializers.EmailField(max_length=MAX_EMAIL_ADDRESS_LENGTH)
    message = text_field(MAX_MESSAGE_LENGTH, required=False, allow_blank=True, trim_whitespace=False,
                         help_text=f"At most {MAX_MESSAGE_LENGTH} characters; a default when blank.")


class TestSendResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["sent", "not_configured", "failed"])
    detail = serializers.CharField(help_text="What happened; never a webhook URL or password.")
    delivery = DeliverySerializer(allow_null=True, help_text="The delivery record of this test.")


class TriggerSerializer(serializers.Serializer):
    rule_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    message = text_field(MAX_MESSAGE_LENGTH, required=False, allow_blank=True)


class AlreadyActiveSerializer(serializers.Serializer):
    detail = serializers.CharField()
    alert_id = serializers.IntegerField(allow_null=True)


class CatalogueMetricSerializer(OverviewMetricSerializer):
    value = serializers.FloatField(allow_null=True, help_text="Over the last window_minutes; null: no data.")


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label


class MetricCatalogueSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    window_minutes = serializers.IntegerField()
    metrics = CatalogueMetricSerializer(many=True)
    aggregations = serializers.ListField(child=serializers.CharField())
    conditions = ChoiceSerializer(many=True)
    severities = ChoiceSerializer(many=True)


class ChannelStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    configured = serializers.BooleanField()
    problem = serializers.CharField(
        allow_blank=True, help_text="Why it cannot send; names the setting, never its value."
    )


class IntegrationsSerializer(serializers.Serializer):
    channels = ChannelStatusSerializer(many=True)
    slack_default_channel = serializers.CharField()
    summary_recipients = serializers.IntegerField(help_text="How many addresses get the daily summary.")


class OpenAlertsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_severity = _counts_of(["critical", "high", "medium", "low"], "Open alerts by severity:")



class MetricHealthSerializer(serializers.Serializer):
    metric_name = serializers.CharField()
    active_rules = serializers.IntegerField(help_text="Active rules watching this metric.")
    ok = serializers.IntegerField(help_text="Of those, within their threshold.")
    firing = serializers.IntegerField()
    suppressed = serializers.IntegerField(help_text="Breaching, with new alerts held back by a limit "
                                          "(max_alerts_per_hour, or the cooldown after a manual resolve).")
    no_data = serializers.IntegerField()
    error = serializers.IntegerField()
    worst_firing_severity = serializers.ChoiceField(
        choices=Severity.choices, allow_null=True, help_text="The most severe firing rule's severity; null when none "
        "fires."
    )
    health = serializers.ChoiceField(
        choices=["critical", "warning", "ok"],
        help_text="critical: a critical or high rule is firing or suppressed; warning: a medium or low rule is "
        "firing or suppressed, or a rule has no data or is in error; ok: none of those.",
    )


class MetricHealthListSerializer(serializers.Serializer):
    metrics = MetricHealthSerializer(many=True, help_text="Only metrics that at least one active rule watches.")
