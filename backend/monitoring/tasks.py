from celery import shared_task

from . import collectors


@shared_task
def collect_system_metrics():
    """Every minute: cpu_usage, memory_usage and disk_usage samples."""
    return collectors.collect_system_metrics()
