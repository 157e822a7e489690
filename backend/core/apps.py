from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender, using, **kwargs):
    # The database cache needs its table; `migrate` is the one set-up step every deployment runs.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    """What the whole project shares: authentication, health probe, process management."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # OpenAPI extensions register themselves when imported.
        from . import audit, schema  # noqa: F401

        # The audit trail's receivers (the apps register their audited models in their own ready()).
        audit.connect()

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="core.create_cache_table")
