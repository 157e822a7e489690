from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """The telemetry the alerts read. It knows nothing about alerts."""

    name = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the worker signal handlers)
