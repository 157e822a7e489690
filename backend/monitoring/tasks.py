import logging

from celery import shared_task
from django.conf import settings

from . import collectors, sinks

logger = logging.getLogger(__name__)


@shared_task
def collect_system_metrics():
    """Every minute: sample the system and its services (cpu, memory, disk, database, Redis,
    Celery), and move the request metrics buffered in Redis into the database."""
    values = collectors.collect_metrics()
    if settings.REDIS_URL:
        try:
            values["request_minutes_drained"] = sinks.drain_redis_requests()
        except Exception:
            logger.warning("moving request metrics from Redis to the database failed", exc_info=True)
    return values
