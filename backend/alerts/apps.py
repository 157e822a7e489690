from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules, their evaluation, alert history and notifications."""

    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from monitoring.checks import hooks

        # The notifier registry registers the channel kinds that the models' choices list.
        from .services import notifiers  # noqa: F401
        from .services.check_rules import DefaultCheckRules

        # A check's default rule ("<name> is down") is an alert rule.
        hooks.register(DefaultCheckRules())
        _audit_configuration()


# What the engine writes (evaluation state) and what only records when: never in the audit trail.
_TIMES = ("created_at", "updated_at")
RULE_STATE_FIELDS = (
    "state", "state_reason", "last_value", "last_evaluated_at", "last_error", "state_changed_at", "flapping_since",
)


def _audit_configuration() -> None:
    from core import audit

    from . import models

    audit.register(models.AlertRule, exclude=(*RULE_STATE_FIELDS, *_TIMES), m2m=("channels",),
                   version_field="config_version")
    audit.register(models.NotificationChannel, exclude=_TIMES, masked=("secrets",))
    audit.register(models.NotificationPolicy, exclude=_TIMES, m2m=("channels", "escalation_channels"))
    for model in (models.Silence, models.MaintenanceWindow, models.InhibitionRule):
        audit.register(model, exclude=_TIMES)
