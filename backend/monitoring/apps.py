from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """The telemetry the alerts read. It knows nothing about alerts."""

    name = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the worker signal handlers)
        _audit_configuration()


# What a check's runs and pings write: never in the audit trail (nor the default rule's id,
# which the system sets).
CHECK_STATE_FIELDS = (
    "status", "status_since", "last_checked_at", "last_response_time_ms", "last_error", "cert_days_left",
    "last_ping_at", "last_start_at", "last_fail_at", "next_run_at", "rule_id",
)


def _audit_configuration() -> None:
    from core import audit

    from . import models

    # An HTTP check's headers may carry credentials (Authorization, cookies, API keys).
    audit.register(models.Check, exclude=(*CHECK_STATE_FIELDS, "created_at", "updated_at"), masked=("headers",))
    audit.register(models.DataSource, exclude=("created_at", "updated_at"), masked=("secrets",))
