from celery import shared_task

from .provisioning import provision


@shared_task(soft_time_limit=120, time_limit=150)
def provision_configuration() -> dict:
    """Apply the files of PROVISIONING_DIR (at beat's start and every PROVISIONING_INTERVAL_SECONDS)."""
    return provision()
