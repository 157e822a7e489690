from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules, their evaluation, alert history and notifications."""

    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The notifier registry registers the channel kinds that the models' choices list.
        from .services import notifiers  # noqa: F401
