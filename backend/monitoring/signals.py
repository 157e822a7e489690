import logging

from celery.signals import task_failure, worker_process_shutdown, worker_ready

from .labels import label_value_error

logger = logging.getLogger(__name__)


@worker_ready.connect(dispatch_uid="monitoring.prime_cpu_baseline")
def prime_cpu_baseline(**kwargs):
    # The first collection after start-up then measures CPU over the time since the worker
    # started instead of having to wait.
    from .collectors import prime_cpu_baseline

    try:
        prime_cpu_baseline()
    except Exception:
        logger.warning("could not record the CPU baseline", exc_info=True)


def _queue_of(sender) -> str | None:
    """The queue the failed task was taken from, when the worker says."""
    delivery = getattr(getattr(sender, "request", None), "delivery_info", None) or {}
    queue = delivery.get("routing_key") or delivery.get("queue")
    return queue if isinstance(queue, str) and queue and label_value_error(queue) is None else None


@task_failure.connect(dispatch_uid="monitoring.count_task_failure")
def count_task_failure(sender=None, **kwargs):
    from .collectors import record_task_failure

    try:
        record_task_failure(_queue_of(sender))
    except Exception:
        logger.warning("could not count a failed task", exc_info=True)


@worker_process_shutdown.connect(dispatch_uid="monitoring.flush_telemetry")
def flush_telemetry(**kwargs):
    # Pool processes end without running atexit handlers: write their buffered errors first.
    from .telemetry import flush

    flush(everything=True)
