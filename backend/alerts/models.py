"""Alert rules, the alerts they raise, and every notification sent about them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.fields import EncryptedJSONField

from . import channel_kinds, validators
from .metrics import AGGREGATIONS, CATALOGUE


class Condition(models.TextChoices):
    GT = "gt", "greater than"
    GTE = "gte", "greater than or equal to"
    LT = "lt", "less than"
    LTE = "lte", "less than or equal to"
    EQ = "eq", "equal to"
    NE = "ne", "not equal to"


# How a condition is written in messages, as the product document lists them.
CONDITION_SYMBOLS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=", "ne": "!="}
CONDITION_ALIASES = validators.CONDITION_ALIASES


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class RuleState(models.TextChoices):
    OK = "ok", "OK"
    # The condition holds, for less than the rule's for_minutes so far: visible, never notified.
    PENDING = "pending", "Pending"
    FIRING = "firing", "Firing"
    NO_DATA = "no_data", "No data"
    ERROR = "error", "Error"
    # The condition holds but a limit (max alerts per hour, the cooldown after a manual resolve)
    # holds the new alert back; state_reason says which and until when.
    SUPPRESSED = "suppressed", "Suppressed"


def effective_aggregation(metric_name: str, aggregation: str) -> str:
    """The aggregation a rule evaluates: its own, else its metric's default (a custom metric's is
    avg)."""
    if aggregation:
        return aggregation
    metric = CATALOGUE.get(metric_name)
    return metric.default_aggregation if metric else "avg"


AGGREGATION_CHOICES = [(name, name) for name in AGGREGATIONS]


class RuleKind(models.TextChoices):
    # A metric of the catalogue (or a custom one) over a window, read from this system's telemetry.
    METRIC = "metric", "Metric"
    # A PromQL expression evaluated by a Prometheus-compatible data source: each series it returns
    # is a group (docs/architecture.md, Prometheus-compatible data sources).
    PROMQL = "promql", "PromQL"


MAX_EXPR_LENGTH = 4000


def channel_choices():
    # The kinds the notifier registry registered, read at run time: adding one needs no migration.
    return channel_kinds.choices()


class NotificationChannel(models.Model):
    """Where notifications can go: a Slack workspace's webhook, an SMTP server and its addresses,
    a PagerDuty service... (docs/architecture.md §5). `kind` names a notifier in the registry
    (alerts/services/notifiers.py), whose declaration says what `settings` and `secrets` hold.

    The two `builtin` channels are the environment's default Slack and email channels: their
    configuration is the product document's SLACK_* and EMAIL_* variables, not these columns."""

    kind = models.CharField(max_length=32, choices=channel_choices)
    name = models.CharField(max_length=100, unique=True)
    # Before `settings`, the field, which hides django.conf.settings in the rest of the class body.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settings = models.JSONField(default=dict, blank=True)
    secrets = EncryptedJSONField(default=dict, blank=True)
    # "slack" or "email" for the environment's default channel of that kind; "" for the others.
    builtin = models.CharField(max_length=16, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["builtin"], condition=~Q(builtin=""), name="notificationchannel_one_builtin"
            ),
        ]

    def __str__(self):
        return self.name


class AlertRule(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=RuleKind.choices, default=RuleKind.METRIC)
    # Blank for a promql rule, which reads `expr` from `data_source` instead.
    metric_name = models.CharField(max_length=64, blank=True, validators=[validators.validate_metric_name])
    expr = models.TextField(blank=True, default="")
    data_source = models.ForeignKey(
        "monitoring.DataSource", null=True, blank=True, on_delete=models.PROTECT, related_name="rules"
    )
    condition = models.CharField(max_length=3, choices=Condition.choices)
    threshold_value = models.FloatField(validators=[validators.validate_finite])
    time_window_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[validators.validate_time_window]
    )
    # Blank: the metric's default aggregation from the catalogue (see effective_aggregation).
    aggregation = models.CharField(max_length=8, blank=True, choices=AGGREGATION_CHOICES)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)

    slack_enabled = models.BooleanField(default=False)
    # Blank: settings.SLACK_DEFAULT_CHANNEL when the message is sent.
    slack_channel = models.CharField(
        max_length=validators.SLACK_CHANNEL_MAX_LENGTH, blank=True, validators=[validators.validate_slack_channel]
    )
    email_enabled = models.BooleanField(default=False)
    email_recipients = models.JSONField(default=list, blank=True, validators=[validators.validate_email_recipients])

    # Minutes between reminders while the alert stays open; 0 never reminds.
    cooldown_minutes = models.PositiveIntegerField(default=60, validators=[MaxValueValidator(7 * 24 * 60)])
    auto_resolve = models.BooleanField(default=True)
    notify_on_resolve = models.BooleanField(default=True)
    # Hysteresis: when set, a firing rule resolves only once the value is back past this.
    resolve_threshold = models.FloatField(null=True, blank=True, validators=[validators.validate_finite])
    alert_on_no_data = models.BooleanField(default=False)
    max_alerts_per_hour = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(default=True)

    # Labels and grouping (docs/architecture.md §9). Matchers select the metric's series
    # ([{"label", "op", "value"}], Prometheus semantics); without group_by the rule reads one value
    # over all of them, with group_by each group of series is evaluated, and alerts, on its own.
    label_matchers = models.JSONField(default=list, blank=True, validators=[validators.validate_label_matchers])
    group_by = models.JSONField(default=list, blank=True, validators=[validators.validate_group_by])
    max_series_per_rule = models.PositiveIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(validators.MAX_SERIES_PER_RULE_LIMIT)]
    )
    # Pending period: the condition must hold on every tick for this long before the rule fires.
    for_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(validators.MAX_FOR_MINUTES)]
    )
    # Free labels of the rule (team=payments), copied onto its alerts.
    labels = models.JSONField(default=dict, blank=True, validators=[validators.validate_rule_labels])
    # Annotations: where the playbook is, and a summary template (alerts/summary_template.py).
    runbook_url = models.CharField(
        max_length=validators.MAX_RUNBOOK_URL_LENGTH, blank=True, validators=[validators.validate_runbook_url]
    )
    summary = models.TextField(blank=True, validators=[validators.validate_summary_template])
    # Flapping (docs/architecture.md §10): at least flap_threshold opens and resolves of the rule (or
    # of one group) within flap_window_minutes make it flapping; 0 never does.
    flap_threshold = models.PositiveSmallIntegerField(default=6, validators=[validators.validate_flap_threshold])
    flap_window_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(validators.MAX_FLAP_WINDOW_MINUTES)]
    )
    # Channels the rule names itself, each to its own default target, besides the default Slack and
    # email channels of slack_enabled / email_enabled, and those the notification policies add.
    channels = models.ManyToManyField(NotificationChannel, blank=True, related_name="rules")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Evaluation state, written by the alert engine.
    state = models.CharField(max_length=16, choices=RuleState.choices, default=RuleState.OK)
    # Why the rule is in its state, when that needs saying (suppressed, error, no data); "" otherwise.
    state_reason = models.TextField(blank=True, default="")
    last_value = models.FloatField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # Since when an ungrouped rule is flapping (None: it is not).
    flapping_since = models.DateTimeField(null=True, blank=True)
    # The number of the rule's latest version in the audit trail (core/audit.py): written by the
    # trail when it records a change, read when an alert fires.
    config_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["is_active"], name="alertrule_is_active"),
            models.Index(fields=["metric_name"], name="alertrule_metric_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_window_minutes__gte=validators.MIN_WINDOW_MINUTES)
                & Q(time_window_minutes__lte=validators.MAX_WINDOW_MINUTES),
                name="alertrule_window_range",
            ),
            models.CheckConstraint(condition=Q(condition__in=Condition.values), name="alertrule_condition_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="alertrule_severity_valid"),
            models.CheckConstraint(condition=Q(state__in=RuleState.values), name="alertrule_state_valid"),
            models.CheckConstraint(
                condition=Q(aggregation__in=["", *AGGREGATIONS]), name="alertrule_aggregation_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="alertrule_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        # The product document's symbols (">", ">=", ...) are stored as the codes they stand for.
        self.condition = validators.normalize_condition(self.condition)
        # The API and the admin may hand over the product document's "a@x.com,b@y.com": made a
        # list before the field's validators see it.
        try:
            self.email_recipients = validators.parse_email_recipients(self.email_recipients)
        except ValidationError:
            pass  # reported by the field's validator
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}
        if self.kind == RuleKind.PROMQL:
            if not (self.expr or "").strip():
                errors["expr"] = ["A promql rule needs an expression."]
            elif len(self.expr) > MAX_EXPR_LENGTH:
                errors["expr"] = [f"At most {MAX_EXPR_LENGTH:,} characters."]
            if self.data_source_id is None:
                errors["data_source"] = ["A promql rule needs a data source."]
        elif not self.metric_name:
            errors["metric_name"] = ["This field is required."]
        if self.email_enabled and not self.email_recipients:
            errors["email_recipients"] = ["Email notifications need at least one recipient."]
        try:
            validators.validate_resolve_threshold(
                condition=self.condition, threshold=self.threshold_value, resolve_threshold=self.resolve_threshold
            )
        except ValidationError as error:
            errors["resolve_threshold"] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def condition_symbol(self) -> str:
        return CONDITION_SYMBOLS.get(self.condition, self.condition)

    @property
    def is_grouped(self) -> bool:
        """Whether the rule is evaluated per group: with group_by, or a promql rule (each series)."""
        return bool(self.group_by) or self.kind == RuleKind.PROMQL

    @property
    def effective_aggregation(self) -> str:
        return effective_aggregation(self.metric_name, self.aggregation)

    @property
    def effective_slack_channel(self) -> str:
        return self.slack_channel or settings.SLACK_DEFAULT_CHANNEL


class AlertRuleGroup(models.Model):
    """The state of one group of a grouped rule (its series sharing the group_by labels), written
    by the engine as the rule's own state is for an ungrouped rule."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="groups")
    # monitoring.labels.fingerprint(labels): the group's identity, also on its alerts.
    fingerprint = models.CharField(max_length=64)
    labels = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=RuleState.choices, default=RuleState.OK)
    state_reason = models.TextField(blank=True, default="")
    last_value = models.FloatField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # Since when this group is flapping (None: it is not).
    flapping_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rule", "fingerprint"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "fingerprint"], name="alertrulegroup_rule_fingerprint"),
            models.CheckConstraint(condition=Q(state__in=RuleState.values), name="alertrulegroup_state_valid"),
        ]

    def __str__(self):
        from monitoring.labels import describe

        return f"{self.rule_id}{describe(self.labels)}: {self.state}"


class AlertStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"


class AlertHistory(models.Model):
    """One alert: opened when a rule fires, resolved by the system or by a person.

    Name, severity, condition, threshold and metric are copied from the rule at trigger time, so
    the history stays true when the rule is edited, or deleted, later.
    """

    # Null once the rule is deleted: the history outlives it (rule_name keeps what it was called).
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    rule_name = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    condition = models.CharField(max_length=3, choices=Condition.choices)
    threshold_value = models.FloatField()
    metric_name = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=AlertStatus.choices, default=AlertStatus.ACTIVE)
    triggered_at = models.DateTimeField(default=timezone.now)
    # Null for a manual trigger without a measured value.
    metric_value = models.FloatField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True)
    # How the value was computed: {"window_minutes": 5, "aggregation": "avg", "values": [...], ...}
    context = models.JSONField(default=dict, blank=True)
    manual = models.BooleanField(default=False)
    # Successful deliveries (one per channel and target), counted by the notification service.
    notification_count = models.PositiveIntegerField(default=0)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    # When the engine last queued a reminder (claimed with a compare-and-set, so overlapping ticks
    # remind once); the cooldown counts from here, or from triggered_at before the first one.
    reminded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Null on a resolved alert: resolved by the system.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_notes = models.TextField(blank=True)
    # Who has it (docs/architecture.md §10): reminders stop while it is acknowledged; kept when it
    # resolves, cleared by an unacknowledge.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_comment = models.TextField(blank=True, default="")
    # A trigger or reminder of this alert was held back by a silence or a maintenance window: when
    # nothing holds it any more and it is still open, one message goes out (services.silences,
    # which clears this with a compare-and-set, so two sweeps send it once).
    held_by_silence = models.BooleanField(default=False)
    # The group of a grouped rule it belongs to: its labels and their fingerprint ("" ungrouped).
    group_labels = models.JSONField(default=dict, blank=True)
    group_fingerprint = models.CharField(max_length=64, blank=True, default="")
    # The rule's labels and the group's together (the group's win), as routing and filters see them.
    labels = models.JSONField(default=dict, blank=True)
    # The rule's annotations when it fired: its runbook and its summary, rendered.
    runbook_url = models.CharField(max_length=validators.MAX_RUNBOOK_URL_LENGTH, blank=True)
    summary = models.TextField(blank=True)
    # Opened while its rule (or group) was flapping, or open when it began to.
    flapping = models.BooleanField(default=False)
    # The rule's version (its config_version) when the alert fired; null for alerts from before.
    rule_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-triggered_at", "-id"]
        verbose_name_plural = "alert history"
        indexes = [
            models.Index(fields=["status", "triggered_at"], name="alerthistory_status_time"),
            models.Index(fields=["rule", "triggered_at"], name="alerthistory_rule_time"),
            models.Index(fields=["held_by_silence"], condition=Q(held_by_silence=True), name="alerthistory_held"),
        ]
        constraints = [
            # Two overlapping evaluation ticks (or two beat processes) can never open the same
            # alert twice: the second insert fails.
            models.UniqueConstraint(
                fields=["rule", "group_fingerprint"],
                condition=Q(status="active"),
                name="alerthistory_one_active_per_rule_group",
                violation_error_message="This rule (or this group of it) already has an active alert.",
            ),
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alerthistory_status_valid"),
            models.CheckConstraint(
                condition=Q(status="active", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False),
                name="alerthistory_resolved_at_with_status",
            ),
        ]

    def __str__(self):
        symbol = CONDITION_SYMBOLS.get(self.condition, self.condition)
        return f"#{self.pk} {self.metric_name} {symbol} {self.threshold_value:g} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == AlertStatus.ACTIVE


class NotificationEvent(models.TextChoices):
    TRIGGER = "trigger", "Trigger"
    REMINDER = "reminder", "Reminder"
    RESOLVE = "resolve", "Resolve"
    TEST = "test", "Test"
    SUMMARY = "summary", "Summary"
    # A rule's channels told, once per episode, that a limit holds its new alerts back.
    SUPPRESSED = "suppressed", "Suppressed"
    # Someone has the alert: its channels hear who (PagerDuty and Opsgenie acknowledge it too).
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    # One message for the alerts of one notification group (a policy with group_by).
    GROUP = "group", "Group"
    # Not acknowledged in time: sent to a policy's escalation channels.
    ESCALATION = "escalation", "Escalation"
    # The rule (or a group of it) began, or stopped, flapping.
    FLAPPING = "flapping", "Flapping"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class NotificationPolicy(models.Model):
    """One step of the routing (docs/architecture.md §5): an alert whose severity, category, rule,
    metric and labels match `matchers` also goes to `channels`. Policies are tried in `position`
    order; matching stops at the first match that does not say `continue_matching`."""

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    # [{"label", "op", "value"}], Prometheus semantics, over the alert's labels and its severity,
    # category, metric and rule (the name); [] matches every alert.
    matchers = models.JSONField(default=list, blank=True)
    channels = models.ManyToManyField(NotificationChannel, related_name="policies")
    continue_matching = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Grouping (Alertmanager semantics, docs/architecture.md §10): with group_by, the alerts this
    # policy sends that share the values of these labels (["..."]: every label) go out as one
    # message: group_wait after the group's first alert, then at most every group_interval while
    # it changes, and again every repeat_interval while it is unchanged and firing.
    group_by = models.JSONField(default=list, blank=True, validators=[validators.validate_policy_group_by])
    group_wait_seconds = models.PositiveIntegerField(
        default=30, validators=[MaxValueValidator(validators.MAX_GROUP_WAIT_SECONDS)]
    )
    group_interval_seconds = models.PositiveIntegerField(
        default=300, validators=[MinValueValidator(validators.MIN_GROUP_INTERVAL_SECONDS),
                                 MaxValueValidator(validators.MAX_GROUP_INTERVAL_SECONDS)]
    )
    repeat_interval_seconds = models.PositiveIntegerField(
        default=4 * 60 * 60, validators=[MinValueValidator(validators.MIN_REPEAT_INTERVAL_SECONDS),
                                         MaxValueValidator(validators.MAX_REPEAT_INTERVAL_SECONDS)]
    )
    # Escalation: an alert this policy matched that is still open and not acknowledged after
    # escalate_after_minutes is sent to escalation_channels, once.
    escalate_after_minutes = models.PositiveIntegerField(
        null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(validators.MAX_ESCALATE_AFTER_MINUTES)],
    )
    escalation_channels = models.ManyToManyField(
        NotificationChannel, blank=True, related_name="escalating_policies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "notification policies"

    def __str__(self):
        return self.name


class NotificationDelivery(models.Model):
    """One message to one target on one channel, written before the attempt and updated with
    its outcome, so a failed notification is visible with its error."""

    # Null for test and summary sends, which belong to no alert.
    alert = models.ForeignKey(
        AlertHistory, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=16, choices=NotificationEvent.choices)
    # The channel's kind, kept when the channel is deleted.
    channel = models.CharField(max_length=32, choices=channel_choices)
    notification_channel = models.ForeignKey(
        NotificationChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # What the channel was called when this was sent.
    channel_name = models.CharField(max_length=100, blank=True, default="")
    # A Slack channel or an email address, or "" for a channel that is its own destination (a
    # webhook, a PagerDuty service); never a webhook URL.
    target = models.CharField(max_length=254)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The HTTP status (Slack) or SMTP reply code (email) of the last attempt, when there was one.
    response_code = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a pending delivery is next tried (a retry after a transient failure).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while an attempt runs: when it will have ended one way or another (the task's hard time
    # limit). A later message to the same target waits for it; past it, the sender is gone.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The message as built once for the event (NotificationMessage.as_dict()): every channel, and
    # every retry, sends the same content. It holds no secret.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "notification deliveries"
        indexes = [
            models.Index(fields=["alert", "created_at"], name="delivery_alert_time"),
            models.Index(fields=["status", "created_at"], name="delivery_status_time"),
            models.Index(fields=["notification_channel", "created_at"], name="delivery_channel_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            models.CheckConstraint(condition=Q(event__in=NotificationEvent.values), name="delivery_event_valid"),
        ]

    def __str__(self):
        return f"{self.event} via {self.channel} to {self.target}: {self.status}"


class SilenceState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"


class Silence(models.Model):
    """Alerts matching `matchers` between starts_at and ends_at are opened and recorded but not
    notified: each delivery that would have gone is recorded as skipped (docs/architecture.md §10).
    Its state comes from the clock: pending before starts_at, active until ends_at, expired after.
    Expiring one sets its ends_at to now."""

    # [{"label", "op", "value"}] over what a policy's matchers see (services.channels.routing_labels):
    # the alert's labels and its severity, category, metric and rule (its name).
    matchers = models.JSONField(default=list, validators=[validators.validate_silence_matchers])
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    comment = models.TextField(max_length=validators.MAX_SILENCE_COMMENT_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="silence_period")]
        constraints = [
            # Equal when a pending silence is expired before it began.
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="silence_ends_after_start"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.comment[:60]}"

    def state_at(self, now: datetime) -> str:
        if now < self.starts_at:
            return SilenceState.PENDING
        if now < self.ends_at:
            return SilenceState.ACTIVE
        return SilenceState.EXPIRED

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def clean(self):
        errors = validators.silence_period_errors(self.starts_at, self.ends_at)
        if not (self.comment or "").strip():
            errors["comment"] = ["Say why (the others on call read it): a comment is required."]
        if errors:
            raise ValidationError(errors)


class MaintenanceWindow(models.Model):
    """A recurring silence: on each of `weekdays`, from start_time to end_time in `time_zone`
    (wall-clock times, so across a DST change the window keeps its local hours; an end before the
    start ends the next day; equal: 24 hours), between starts_on and ends_on (the first and last
    days a window starts on) when set, alerts matching `matchers` are not notified."""

    matchers = models.JSONField(default=list, validators=[validators.validate_silence_matchers])
    # 0 Monday ... 6 Sunday, as date.weekday().
    weekdays = models.JSONField(default=list, validators=[validators.validate_weekdays])
    start_time = models.TimeField()
    end_time = models.TimeField()
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validators.validate_time_zone])
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    comment = models.TextField(max_length=validators.MAX_SILENCE_COMMENT_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        days = ", ".join(validators.WEEKDAY_NAMES[d][:3] for d in sorted(self.weekdays or []) if 0 <= d <= 6)
        return f"#{self.pk} {days} {self.start_time:%H:%M}-{self.end_time:%H:%M} {self.time_zone}"

    def clean(self):
        errors = {}
        if not (self.comment or "").strip():
            errors["comment"] = ["Say why (the others on call read it): a comment is required."]
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ["Must be on or after starts_on."]
        if errors:
            raise ValidationError(errors)

    # --- the schedule (wall-clock times in time_zone, through zoneinfo) ---

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def occurrence_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The window that starts on local `day`, as (start, end) in UTC, or None. A local time
        that does not exist that day (skipped by a DST change) is read as the time the clocks
        showed after the jump, as zoneinfo does; a window entirely inside the gap does not happen."""
        if day.weekday() not in (self.weekdays or []):
            return None
        if (self.starts_on and day < self.starts_on) or (self.ends_on and day > self.ends_on):
            return None
        zone = self._zone()
        start = datetime.combine(day, self.start_time, tzinfo=zone).astimezone(UTC)
        end_day = day if self.end_time > self.start_time else day + timedelta(days=1)
        end = datetime.combine(end_day, self.end_time, tzinfo=zone).astimezone(UTC)
        return (start, end) if end > start else None

    def occurrence_at(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The window `now` is in, or None."""
        today = now.astimezone(self._zone()).date()
        for day in (today - timedelta(days=1), today):
            occurrence = self.occurrence_on(day)
            if occurrence and occurrence[0] <= now < occurrence[1]:
                return occurrence
        return None

    def next_start(self, now: datetime) -> datetime | None:
        """When the next window starts after `now` (None: no window is to come)."""
        day = now.astimezone(self._zone()).date()
        if self.starts_on and day < self.starts_on:
            day = self.starts_on
        for offset in range(15):  # a whole week twice: one may fall inside a DST gap
            candidate = day + timedelta(days=offset)
            if self.ends_on and candidate > self.ends_on:
                return None
            occurrence = self.occurrence_on(candidate)
            if occurrence and occurrence[0] > now:
                return occurrence[0]
        return None


class InhibitionRule(models.Model):
    """While an open alert matching `source_matchers` fires, an alert matching `target_matchers`
    whose values of every label in `equal` are the source's (a label both lack counts as equal)
    is not notified: each delivery that would have gone is recorded as skipped, naming the source
    alert and this rule (docs/architecture.md §10). An alert never inhibits itself."""

    name = models.CharField(max_length=100)
    # [{"label", "op", "value"}] over what a policy's matchers see (services.channels.routing_labels).
    source_matchers = models.JSONField(default=list, validators=[validators.validate_silence_matchers])
    target_matchers = models.JSONField(default=list, validators=[validators.validate_silence_matchers])
    equal = models.JSONField(default=list, blank=True, validators=[validators.validate_inhibition_equal])
    is_active = models.BooleanField(default=True)
    comment = models.TextField(max_length=validators.MAX_SILENCE_COMMENT_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.name}"


class AlertEventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNACKNOWLEDGED = "unacknowledged", "Unacknowledged"
    SILENCED = "silenced", "Silenced"
    ESCALATED = "escalated", "Escalated"
    FLAPPING_STARTED = "flapping_started", "Began flapping"
    FLAPPING_ENDED = "flapping_ended", "Stopped flapping"
    RESOLVED = "resolved", "Resolved"


class AlertEventVia(models.TextChoices):
    ENGINE = "engine", "Engine"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    LINK = "link", "Action link"


class AlertEvent(models.Model):
    """One thing that happened to an alert, for its timeline (docs/architecture.md §10): who (a
    user, or a signed action link, or the engine), when, how and what. Deliveries are the rest of
    the timeline. `key` makes an event that must happen once (an escalation by one policy) unique
    per alert and kind."""

    alert = models.ForeignKey(AlertHistory, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=AlertEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's user name when it acted (kept if the user is deleted later), or "" for the engine.
    actor_name = models.CharField(max_length=150, blank=True, default="")
    via = models.CharField(max_length=8, choices=AlertEventVia.choices, default=AlertEventVia.ENGINE)
    text = models.TextField(blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"], name="alertevent_alert_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "kind", "key"], condition=~Q(key=""), name="alertevent_once_per_key"
            ),
            models.CheckConstraint(condition=Q(kind__in=AlertEventKind.values), name="alertevent_kind_valid"),
        ]

    def __str__(self):
        return f"#{self.alert_id} {self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class NotificationGroup(models.Model):
    """The alerts one grouping policy (a policy with group_by) sends together: those with the same
    values of its group_by labels (docs/architecture.md §10, Alertmanager's aggregation group).
    `next_flush_at` is when services.grouping looks at it next (null: closed, nothing in it);
    `sent_firing` the alerts its last message listed as firing; `version` the compare-and-set that
    lets one flush at a time send."""

    policy = models.ForeignKey(NotificationPolicy, on_delete=models.CASCADE, related_name="groups")
    # A digest of `labels`: the group key within the policy.
    key = models.CharField(max_length=64)
    labels = models.JSONField(default=dict, blank=True)
    # The policy's group_by when this round of the group began: a policy whose group_by changes
    # closes its groups rather than send under keys that mean something else.
    group_by = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    next_flush_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    sent_firing = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["next_flush_at"], name="notificationgroup_next_flush")]
        constraints = [
            models.UniqueConstraint(fields=["policy", "key"], name="notificationgroup_one_per_key"),
        ]

    def __str__(self):
        return f"group #{self.pk} of policy {self.policy_id}"


class NotificationGroupAlert(models.Model):
    """An alert in a notification group, from the event that routed it there until the group has
    said it resolved (or it resolved without the group ever having listed it)."""

    group = models.ForeignKey(NotificationGroup, on_delete=models.CASCADE, related_name="members")
    alert = models.ForeignKey(AlertHistory, on_delete=models.CASCADE, related_name="notification_groups")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "alert"], name="notificationgroupalert_once"),
        ]
