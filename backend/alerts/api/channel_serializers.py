"""Serializers of notification channels and policies. A channel's settings and secrets are checked
against its kind's declaration (services.notifier_base.clean_channel): the fields of a kind are
declared once, by its notifier."""

from django.db.models import Max
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException

from core.fields import NameField, StrictBooleanField, StrictCharField, StrictIntegerField, text_field
from core.lookups import MAX_ID
from core.provisioning import ProvisionedField
from core.secrets import mask
from monitoring.labels import MAX_LABEL_VALUE, MAX_MATCHERS, matcher_errors

from .. import validators as v
from ..models import NotificationChannel, NotificationPolicy
from ..services.channels import notifier_for
from ..services.notifier_base import clean_channel
from ..services.notifiers import NOTIFIERS
from .serializers import (
    ChannelIdField,
    DeliverySerializer,
    LabelMatcherSerializer,
    PolicyGroupByField,
    validate_named_channels,
)

MAX_CHANNEL_NAME = 100
MAX_POLICY_CHANNELS = 20
MAX_MESSAGE_LENGTH = 2000

# What the environment configures for each default channel, said instead of its settings.
ENVIRONMENT_SETTINGS = {
    "slack": "SLACK_WEBHOOK_URL, SLACK_DEFAULT_CHANNEL and SLACK_BOT_NAME",
    "email": "EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL and "
             "DEFAULT_FROM_EMAIL",
}


class NameTaken(APIException):
    """A name another channel has: a conflict with what exists (409), said on the field."""

    status_code = 409
    default_detail = "A channel with this name exists already."


class SettingSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    type = serializers.ChoiceField(choices=["string", "text", "url", "integer", "boolean", "choice", "emails",
                                            "headers"])
    required = serializers.BooleanField()  # type: ignore[assignment]  # a declared field, not Field.required
    secret = serializers.BooleanField(help_text="Write-only: stored encrypted, answered as \"set (…ab12)\".")
    help = serializers.CharField()
    default = serializers.JSONField(allow_null=True)
    choices = serializers.ListField(child=serializers.CharField())
    min_value = serializers.IntegerField(allow_null=True)
    max_value = serializers.IntegerField(allow_null=True)
    max_length = serializers.IntegerField()
    placeholder = serializers.CharField()


class ChannelKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    description = serializers.CharField()
    settings = SettingSerializer(many=True)
    target_setting = serializers.CharField(help_text="The setting that names where messages go; \"\": the "
                                           "channel is its own destination.")
    target_label = serializers.CharField()


class ChannelDeliveryStatsSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="Deliveries sent in the last 7 days.")
    failed = serializers.IntegerField(help_text="Deliveries that failed in the last 7 days.")
    skipped = serializers.IntegerField()
    pending = serializers.IntegerField()
    failure_rate = serializers.FloatField(allow_null=True, help_text="failed / (sent + failed); null with neither.")
    last_delivery_at = serializers.DateTimeField(allow_null=True)


@extend_schema_field({
    "type": "object", "additionalProperties": True,
    "description": "The kind's settings (GET /api/alerts/channels/kinds/ lists them). Sent, they replace the "
    "stored ones.",
})
class SettingsField(serializers.Field):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected an object of settings.")
        return data

    def to_representation(self, value):
        return value


@extend_schema_field({
    "type": "object", "additionalProperties": {"type": "string", "nullable": True},
    "description": "Write-only secret settings: sent with a value, a secret replaces the stored one; sent as "
    "\"\" or null, it is cleared; not sent, it is kept. Answered masked: {\"webhook_url\": \"set (…ab12)\"}.",
})
class ChannelSecretsField(serializers.Field):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected an object of secrets.")
        return data

    def to_representation(self, value):
        return value


class NotificationChannelSerializer(serializers.ModelSerializer):
    """A channel. Its secrets are write-only; viewers see only whether each is set."""

    kind = serializers.ChoiceField(choices=[], help_text="A kind from GET /api/alerts/channels/kinds/; fixed "
                                   "once the channel exists.")
    name = NameField(max_length=MAX_CHANNEL_NAME)
    settings = SettingsField(required=False)
    secrets = ChannelSecretsField(required=False)
    is_active = StrictBooleanField(required=False, help_text="Off: deliveries to it are recorded as skipped.")
    builtin = serializers.CharField(read_only=True, help_text="\"slack\" or \"email\": the environment's default "
                                    "channel of that kind, configured by its variables, not here; \"\" otherwise.")
    kind_label = serializers.SerializerMethodField()
    configured = serializers.SerializerMethodField()
    problem = serializers.SerializerMethodField(help_text="Why it cannot send; \"\" when it can.")
    targets = serializers.SerializerMethodField(help_text="Where it sends when a rule or a policy names it.")
    stats = serializers.SerializerMethodField()
    provisioned = ProvisionedField()

    class Meta:
        model = NotificationChannel
        fields = ["id", "kind", "kind_label", "name", "settings", "secrets", "is_active", "builtin", "configured",
                  "problem", "targets", "stats", "created_at", "updated_at", "provisioned"]
        read_only_fields = ["id", "builtin", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["kind"].choices = [(kind, cls.label) for kind, cls in NOTIFIERS.items()]  # type: ignore[attr-defined]
        return fields

    def get_kind_label(self, channel) -> str:
        notifier_class = NOTIFIERS.get(channel.kind)
        return notifier_class.label if notifier_class else channel.kind

    def _notifier(self, channel):
        cache = self.context.setdefault("_notifiers", {})  # type: ignore[attr-defined]  # a dict
        if channel.pk not in cache:
            cache[channel.pk] = notifier_for(channel)
        return cache[channel.pk]

    def get_configured(self, channel) -> bool:
        notifier = self._notifier(channel)
        return notifier is not None and not notifier.configuration_problem()

    def get_problem(self, channel) -> str:
        notifier = self._notifier(channel)
        if notifier is None:
            return f"Unknown kind {channel.kind!r}."
        return notifier.configuration_problem()

    def get_targets(self, channel) -> list[str]:
        notifier = self._notifier(channel)
        return notifier.default_targets() if notifier is not None else []

    @extend_schema_field(ChannelDeliveryStatsSerializer)
    def get_stats(self, channel):
        stats = (self.context.get("stats") or {}).get(channel.pk)
        if stats is None:
            stats = {"sent": 0, "failed": 0, "skipped": 0, "pending": 0, "last_delivery_at": None}
        done = stats["sent"] + stats["failed"]
        return ChannelDeliveryStatsSerializer({**stats, "failure_rate": stats["failed"] / done if done else None}).data

    def to_representation(self, channel):
        data = super().to_representation(channel)
        if channel.builtin:
            data["settings"] = {"configured_by": ENVIRONMENT_SETTINGS.get(channel.builtin, "the environment")}
            data["secrets"] = {}
            return data
        notifier_class = NOTIFIERS.get(channel.kind)
        secret_names = [s.name for s in notifier_class.settings_schema if s.secret] if notifier_class else []
        may_read = bool(self.context.get("may_change"))
        stored = channel.secrets or {}
        data["secrets"] = {
            name: (mask(str(stored[name])) if may_read else "set") if stored.get(name) else "not set"
            for name in secret_names
        }
        return data

    def validate_name(self, value):
        others = NotificationChannel.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise NameTaken({"name": [f"A channel named {value!r} exists already."]})
        return value

    def validate(self, attrs):
        instance = self.instance
        errors: dict = {}
        kind = attrs.get("kind", instance.kind if instance is not None else None)
        if instance is not None and "kind" in attrs and attrs["kind"] != instance.kind:
            errors["kind"] = ["A channel's kind cannot be changed: add a new channel instead."]
        if instance is not None and instance.builtin:
            for name in ("settings", "secrets"):
                if name in attrs:
                    errors[name] = [f"The default {instance.kind} channel is configured by the environment "
                                    f"({ENVIRONMENT_SETTINGS.get(instance.builtin, 'its variables')})."]
            if errors:
                raise serializers.ValidationError(errors)
            return attrs
        if errors:
            raise serializers.ValidationError(errors)
        notifier_class = NOTIFIERS[kind]
        cleaned = clean_channel(
            notifier_class,
            settings_in=attrs.get("settings", None if instance is not None else {}),
            secrets_in=attrs.get("secrets", {}),
            stored_settings=instance.settings if instance is not None else None,
            stored_secrets=instance.secrets if instance is not None else None,
        )
        if cleaned.errors:
            raise serializers.ValidationError(cleaned.errors)
        attrs["settings"] = cleaned.settings
        attrs["secrets"] = cleaned.secrets
        return attrs


class ChannelTestSerializer(serializers.Serializer):
    target = StrictCharField(required=False, allow_blank=True, max_length=254,
                             help_text="Where to send it on this channel (a Slack channel, an address); blank: "
                             "the channel's own target.")
    message = text_field(MAX_MESSAGE_LENGTH, required=False, allow_blank=True, trim_whitespace=False,
                         help_text=f"At most {MAX_MESSAGE_LENGTH} characters; a default when blank.")


class ChannelIdListField(serializers.ListField):
    """Channel ids: read as a list of ids, answered from the many-to-many relation."""

    def to_representation(self, data):
        return [channel.pk for channel in (data.all() if hasattr(data, "all") else data)]


def _validate_matchers(value):
    problems = {i: errors for i, m in enumerate(value) if (errors := matcher_errors(m))}
    if problems:
        raise serializers.ValidationError({str(i): errors for i, errors in problems.items()})
    return value


class NotificationPolicySerializer(serializers.ModelSerializer):
    """One step of the routing: alerts matching `matchers` also go to `channels`."""

    name = NameField(max_length=100)
    matchers = serializers.ListField(
        child=LabelMatcherSerializer(), required=False, max_length=MAX_MATCHERS,
        help_text="Over the alert's labels and severity, category, metric and rule (its name): "
        "[{\"label\": \"severity\", \"op\": \"=\", \"value\": \"critical\"}]. None: every alert.",
    )
    channels = ChannelIdListField(
        child=ChannelIdField(queryset=NotificationChannel.objects.all()), min_length=1,
        max_length=MAX_POLICY_CHANNELS, help_text="The channels matching alerts go to (ids).",
    )
    is_active = StrictBooleanField(required=False)
    position = serializers.IntegerField(read_only=True, help_text="Its place in the order (0 first): "
                                        "POST /api/alerts/policies/reorder/ changes it.")
    group_by = PolicyGroupByField(
        required=False, max_length=v.MAX_GROUP_BY, validators=[v.validate_policy_group_by],
        help_text="Label names (or [\"...\"]: every label): the alerts this policy sends that share their "
        "values go out as one message. Empty: one message per alert.",
    )
    group_wait_seconds = StrictIntegerField(
        required=False, min_value=0, max_value=v.MAX_GROUP_WAIT_SECONDS,
        help_text="With group_by: how long a new group waits for more alerts before its first message (default 30).",
    )
    group_interval_seconds = StrictIntegerField(
        required=False, min_value=v.MIN_GROUP_INTERVAL_SECONDS, max_value=v.MAX_GROUP_INTERVAL_SECONDS,
        help_text="With group_by: how long after a group's message alerts joining or resolving wait for the next "
        "one (default 300).",
    )
    repeat_interval_seconds = StrictIntegerField(
        required=False, min_value=v.MIN_REPEAT_INTERVAL_SECONDS, max_value=v.MAX_REPEAT_INTERVAL_SECONDS,
        help_text="With group_by: an unchanged group still firing is sent again after this long (default 14400).",
    )
    escalate_after_minutes = StrictIntegerField(
        required=False, allow_null=True, min_value=1, max_value=v.MAX_ESCALATE_AFTER_MINUTES,
        help_text="An alert of this policy still open and not acknowledged after this many minutes is sent to "
        "escalation_channels, once. Null: no escalation.",
    )
    escalation_channels = ChannelIdListField(
        child=ChannelIdField(queryset=NotificationChannel.objects.all()), required=False,
        max_length=MAX_POLICY_CHANNELS, help_text="Where an escalation goes (ids); needed with escalate_after_minutes.",
    )

    provisioned = ProvisionedField()

    class Meta:
        model = NotificationPolicy
        fields = ["id", "name", "position", "matchers", "channels", "is_active", "group_by", "group_wait_seconds",
                  "group_interval_seconds", "repeat_interval_seconds", "escalate_after_minutes",
                  "escalation_channels", "created_at", "updated_at", "provisioned"]
        read_only_fields = ["id", "position", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        # `continue` is a Python keyword: declared here rather than in the class body.
        ordered = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "channels":
                ordered["continue"] = StrictBooleanField(
                    source="continue_matching", required=False,
                    help_text="After a match, go on to the next policies (default false: stop here).",
                )
        return ordered

    def validate_matchers(self, value):
        return _validate_matchers(value)

    def validate_channels(self, value):
        return validate_named_channels(value)

    def validate_escalation_channels(self, value):
        return validate_named_channels(value)

    def validate(self, attrs):
        def current(name, default):
            if name in attrs:
                return attrs[name]
            if self.instance is None:
                return default
            if name == "escalation_channels":
                return list(self.instance.escalation_channels.all())
            return getattr(self.instance, name)

        if current("escalate_after_minutes", None) is not None and not current("escalation_channels", []):
            raise serializers.ValidationError(
                {"escalation_channels": ["Name at least one channel to escalate to, or set escalate_after_minutes "
                                         "to null."]}
            )
        return attrs

    def _save_channels(self, policy, channels, escalation_channels=None):
        if channels is not None:
            policy.channels.set(list(dict.fromkeys(channels)))
        if escalation_channels is not None:
            policy.escalation_channels.set(list(dict.fromkeys(escalation_channels)))

    def create(self, validated_data):
        channels = validated_data.pop("channels", None)
        escalation_channels = validated_data.pop("escalation_channels", None)
        last = NotificationPolicy.objects.aggregate(last=Max("position"))["last"]
        validated_data["position"] = 0 if last is None else last + 1
        policy = super().create(validated_data)
        self._save_channels(policy, channels, escalation_channels)
        return policy

    def update(self, instance, validated_data):
        channels = validated_data.pop("channels", None)
        escalation_channels = validated_data.pop("escalation_channels", None)
        policy = super().update(instance, validated_data)
        self._save_channels(policy, channels, escalation_channels)
        return policy


class PolicyOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID), max_length=1000,
        help_text="Every policy's id, in the new order.",
    )

    def validate_order(self, value):
        existing = set(NotificationPolicy.objects.values_list("pk", flat=True))
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each policy appears once.")
        if set(value) != existing:
            missing = sorted(existing - set(value))
            unknown = sorted(set(value) - existing)
            parts = []
            if missing:
                parts.append(f"missing: {', '.join(map(str, missing[:20]))}")
            if unknown:
                parts.append(f"no such policy: {', '.join(map(str, unknown[:20]))}")
            raise serializers.ValidationError(f"Name every policy once ({'; '.join(parts)}).")
        return value


class RoutePreviewInputSerializer(serializers.Serializer):
    """An alert to route: a saved rule's (rule_id), or described by its severity, metric, rule name
    and labels; both together: the rule's, with these labels added (a group's)."""

    rule_id = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    severity = serializers.ChoiceField(choices=["low", "medium", "high", "critical"], required=False)
    metric = StrictCharField(required=False, allow_blank=True, max_length=64)
    rule = StrictCharField(required=False, allow_blank=True, max_length=200, help_text="A rule name.")
    labels = serializers.DictField(
        child=StrictCharField(max_length=MAX_LABEL_VALUE, allow_blank=True), required=False,
    )

    def validate_labels(self, value):
        from monitoring.labels import labels_errors

        problems = labels_errors(value)
        if problems:
            raise serializers.ValidationError(problems)
        return value


class RouteSerializer(serializers.Serializer):
    channel_id = serializers.IntegerField()
    channel_name = serializers.CharField()
    kind = serializers.CharField()
    target = serializers.CharField()
    is_active = serializers.BooleanField(help_text="false: the channel is switched off; nothing would be sent.")
    via = serializers.CharField(help_text="\"rule\" (its own fields or channels), or \"policy\".")
    policy_id = serializers.IntegerField(allow_null=True)
    policy_name = serializers.CharField(allow_blank=True)


class RoutePreviewSerializer(serializers.Serializer):
    values = serializers.DictField(child=serializers.CharField(), help_text="What the policies' matchers saw.")
    matched_policies = serializers.ListField(child=serializers.IntegerField())
    routes = RouteSerializer(many=True)


class ChannelDeliveriesSerializer(serializers.Serializer):
    deliveries = DeliverySerializer(many=True)

