import logging

from celery import shared_task
from django.conf import settings

from . import collectors, sinks
from .checks import service as checks

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


@shared_task
def sweep_checks():
    """Every CHECK_SWEEP_SECONDS (checks queue): claim the due checks, hand each HTTP/TCP one to
    its own run_check task (so a slow target holds one worker process, never the sweep), and
    judge the due heartbeats here (a database read each)."""
    runs, beats = checks.claim_due()
    for check_id in runs:
        run_check.apply_async((check_id,), expires=checks.RUN_EXPIRES_SECONDS)
    for check_id in beats:
        try:
            checks.evaluate_heartbeat(check_id)
        except Exception:
            logger.exception("evaluating heartbeat %s failed", check_id)
    return {"runs": len(runs), "heartbeats": len(beats)}


# A check may time out after 60 s (and 5 s to connect, and a certificate read): beyond the default
# task limits.
@shared_task(soft_time_limit=150, time_limit=160)
def run_check(check_id: int):
    """Run one claimed HTTP/TCP check and record its result and series."""
    result = checks.run_check(check_id)
    return None if result is None else {"up": result.up}
