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
