import logging

from celery.signals import worker_ready

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
