from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    """The whole configuration (rules, channels, policies, silences, maintenance windows, checks,
    inhibition rules, data sources) as one versioned document: export, import, provisioning."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "configuration"
    verbose_name = "Configuration as code"

    def ready(self):
        from celery.signals import beat_init

        from core import provisioning as hook

        from .provisioning import files_of

        # The API's viewsets and serializers ask core which objects are provisioned.
        hook.register(files_of)
        beat_init.connect(_provision_at_start, dispatch_uid="configuration.provision_at_start", weak=False)


def _provision_at_start(sender=None, **kwargs):
    from django.conf import settings

    if settings.PROVISIONING_DIR:
        from .tasks import provision_configuration

        provision_configuration.delay()
