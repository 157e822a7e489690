"""The kinds of object a configuration document holds, each described once: its model, the API
serializer that validates it, the name that identifies it, the fields that refer to other objects
(by name in the document, by id in the API) and the field holding its secrets.

A document's fields are the API's writable fields; saving goes through the same services the API
views call, so an import is checked and applied exactly as the same changes made through the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, ProtectedError, QuerySet
from django.utils import timezone

from alerts.api.channel_serializers import NotificationChannelSerializer, NotificationPolicySerializer
from alerts.api.inhibition_serializers import InhibitionRuleSerializer
from alerts.api.serializers import _RULE_WRITABLE, AlertRuleInputSerializer
from alerts.api.silence_serializers import MaintenanceWindowSerializer, SilenceSerializer
from alerts.models import (
    AlertRule,
    InhibitionRule,
    MaintenanceWindow,
    NotificationChannel,
    NotificationPolicy,
    Silence,
)
from alerts.services import lifecycle, rules
from alerts.services.notifiers import NOTIFIERS
from monitoring.api.check_serializers import CheckSerializer
from monitoring.api.serializers import DataSourceSerializer
from monitoring.checks import service as checks
from monitoring.models import Check, DataSource


class DeleteRefused(Exception):
    """An object that cannot be deleted (say why)."""


@dataclass(frozen=True)
class Ref:
    """A field naming objects of another kind: `many` a list of names, else one name or null."""

    kind: str
    many: bool = False


@dataclass
class Kind:
    name: str  # the document's key: "rules"
    singular: str
    model: type[Model]
    serializer: type
    fields: list[str]
    key: str = "name"
    refs: dict[str, Ref] = field(default_factory=dict)
    # The field of secrets: exported as ${ENV} references, resolved from the environment on import.
    secret_field: str | None = None

    def queryset(self) -> QuerySet:
        return self.model.objects.all()  # type: ignore[attr-defined]

    def key_of(self, obj) -> str:
        return getattr(obj, self.key)

    def secret_names(self, obj) -> list[str]:
        """The names of `obj`'s secrets that are set."""
        return sorted(name for name, value in (getattr(obj, self.secret_field or "", None) or {}).items() if value)

    def stored_secrets(self, obj) -> dict:
        return {k: v for k, v in (getattr(obj, self.secret_field or "", None) or {}).items() if v}

    def secrets_input(self, resolved: dict, instance) -> dict:
        """What the serializer is sent for secrets: the document's are the whole set."""
        return dict(resolved)

    def create(self, serializer, user) -> Model:
        return serializer.save(created_by=user)

    def update(self, serializer, instance, user) -> Model:
        return serializer.save()

    def delete(self, instance, user) -> None:
        instance.delete()


class RuleKind(Kind):
    def create(self, serializer, user):
        return rules.create_rule(user=user, **serializer.validated_data)

    def update(self, serializer, instance, user):
        return rules.update_rule(rule=instance, user=user, **serializer.validated_data)

    def delete(self, instance, user):
        rules.delete_rule(rule=instance, user=user)


class ChannelKind(Kind):
    def queryset(self):
        # The environment's default Slack and email channels are configured by its variables.
        return NotificationChannel.objects.filter(builtin="")

    def secret_names(self, obj):
        notifier_class = NOTIFIERS.get(obj.kind)
        declared = [s.name for s in notifier_class.settings_schema if s.secret] if notifier_class else []
        stored = obj.secrets or {}
        return [name for name in declared if stored.get(name)]

    def secrets_input(self, resolved, instance):
        # The API merges secrets into the stored ones; the document's are the whole set, so the
        # stored ones it does not name are cleared.
        cleared = {name: "" for name in (self.stored_secrets(instance) if instance is not None else {})}
        return {**cleared, **resolved}


class SilenceKind(Kind):
    def queryset(self):
        # An expired silence is history, not configuration.
        return Silence.objects.filter(ends_at__gt=timezone.now())

    def update(self, serializer, instance, user):
        saved = serializer.save()
        lifecycle.release_held_alerts_on_commit()
        return saved

    def delete(self, instance, user):
        instance.delete()
        lifecycle.release_held_alerts_on_commit()


class MaintenanceWindowKind(SilenceKind):
    def queryset(self):
        return MaintenanceWindow.objects.all()


class CheckKind(Kind):
    def create(self, serializer, user):
        fields = dict(serializer.validated_data)
        fields.pop("create_rule", None)
        # A check's default rule is not made here: the document lists the rules it wants.
        return checks.create_check(user=user, create_rule=False, **fields)

    def update(self, serializer, instance, user):
        fields = dict(serializer.validated_data)
        fields.pop("create_rule", None)
        return checks.update_check(instance, **fields)

    def delete(self, instance, user):
        checks.delete_check(instance, user=user)


class DataSourceKind(Kind):
    def create(self, serializer, user):
        return serializer.save()

    def delete(self, instance, user):
        try:
            instance.delete()
        except ProtectedError as error:
            names = sorted(str(rule) for rule in error.protected_objects)
            raise DeleteRefused(f"Rules use this data source: {', '.join(names[:10])}.") from None


_POLICY_FIELDS = ["name", "matchers", "channels", "continue", "is_active", "group_by", "group_wait_seconds",
                  "group_interval_seconds", "repeat_interval_seconds", "escalate_after_minutes",
                  "escalation_channels"]

# In the order they are applied: a kind only refers to kinds before it.
KINDS: dict[str, Kind] = {kind.name: kind for kind in [
    DataSourceKind("data_sources", "data source", DataSource, DataSourceSerializer,
                   ["name", "kind", "base_url", "secrets", "timeout_seconds"], secret_field="secrets"),
    ChannelKind("channels", "channel", NotificationChannel, NotificationChannelSerializer,
                ["name", "kind", "settings", "secrets", "is_active"], secret_field="secrets"),
    RuleKind("rules", "rule", AlertRule, AlertRuleInputSerializer,
             [name for name in _RULE_WRITABLE],
             refs={"channels": Ref("channels", many=True), "data_source": Ref("data_sources")}),
    Kind("policies", "policy", NotificationPolicy, NotificationPolicySerializer, _POLICY_FIELDS,
         refs={"channels": Ref("channels", many=True), "escalation_channels": Ref("channels", many=True)}),
    Kind("inhibition_rules", "inhibition rule", InhibitionRule, InhibitionRuleSerializer,
         ["name", "source_matchers", "target_matchers", "equal", "is_active", "comment"]),
    SilenceKind("silences", "silence", Silence, SilenceSerializer,
                ["comment", "matchers", "starts_at", "ends_at"], key="comment"),
    MaintenanceWindowKind("maintenance_windows", "maintenance window", MaintenanceWindow,
                          MaintenanceWindowSerializer,
                          ["comment", "matchers", "weekdays", "start_time", "end_time", "time_zone", "starts_on",
                           "ends_on"], key="comment"),
    CheckKind("checks", "check", Check, CheckSerializer,
              ["name", "kind", "is_active", "interval_seconds", "timeout_seconds", "url", "method", "headers",
               "expected_status", "body_contains", "body_regex", "follow_redirects", "verify_tls", "host", "port",
               "period_seconds", "grace_seconds", "cron", "time_zone"]),
]}


def field_value(kind: Kind, obj, name: str) -> Any:
    """A field of `obj` as the API's serializer writes it (dates as ISO text, times as HH:MM)."""
    serializer_field = kind.serializer().fields[name]
    return serializer_field.to_representation(serializer_field.get_attribute(obj))
