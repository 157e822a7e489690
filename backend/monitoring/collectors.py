"""Probes that measure the platform and record what they measure as MetricSample rows.

They run in the Celery worker on beat's schedule, never inside a web request.
"""

import logging
import time

import psutil
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .models import MetricSample

logger = logging.getLogger(__name__)

CPU_BASELINE_KEY = "monitoring:cpu-times"
# Below this, a CPU-time delta is too coarse to mean much (the kernel counts in 10 ms ticks).
MIN_CPU_INTERVAL_SECONDS = 0.5


def _cpu_busy_and_total(times: dict[str, float]) -> tuple[float, float]:
    # As psutil computes it: guest time is already part of user time on Linux, and waiting for
    # I/O is idle time.
    total = sum(times.values()) - times.get("guest", 0.0) - times.get("guest_nice", 0.0)
    idle = times.get("idle", 0.0) + times.get("iowait", 0.0)
    return total - idle, total


def _cpu_snapshot() -> dict:
    return {"at": time.time(), "times": psutil.cpu_times()._asdict()}


def prime_cpu_baseline() -> None:
    """Record the CPU counters now, unless a baseline exists, so that the first collection has an
    interval to measure over."""
    cache.add(CPU_BASELINE_KEY, _cpu_snapshot(), timeout=None)


# Used only while the shared cache cannot be reached, so that an outage of the cache does not also
# take CPU measurement down.
_local_baseline: dict | None = None


def _swap_baseline(now: dict) -> dict | None:
    """Store `now` as the baseline for the next collection and return the previous one."""
    global _local_baseline
    try:
        previous = cache.get(CPU_BASELINE_KEY)
        cache.set(CPU_BASELINE_KEY, now, timeout=None)
    except Exception:
        logger.warning("cache unavailable; measuring CPU against this process's own baseline", exc_info=True)
        previous = _local_baseline
    _local_baseline = now
    return previous


def cpu_usage_percent() -> float:
    """Percent of all CPUs busy since the previous collection (shared by every worker process).

    Measured from counter deltas, so it never blocks while a recent baseline exists. Without one
    (the very first call on a fresh cache) it takes one and measures over half a second, rather
    than returning the meaningless value a first psutil.cpu_percent() gives.
    """
    now = _cpu_snapshot()
    baseline = _swap_baseline(now) or now
    wait = MIN_CPU_INTERVAL_SECONDS - (now["at"] - baseline["at"])
    if wait > 0:
        time.sleep(wait)
        now = _cpu_snapshot()
        _swap_baseline(now)

    busy_before, total_before = _cpu_busy_and_total(baseline["times"])
    busy_now, total_now = _cpu_busy_and_total(now["times"])
    total_delta = total_now - total_before
    if total_delta <= 0:  # counters went backwards (a different host's baseline): start over
        return psutil.cpu_percent(interval=MIN_CPU_INTERVAL_SECONDS)
    return round(min(100.0, max(0.0, (busy_now - busy_before) / total_delta * 100)), 2)


def memory_usage_percent() -> float:
    return float(psutil.virtual_memory().percent)


def disk_usage_percent() -> float:
    return float(psutil.disk_usage(settings.DISK_USAGE_PATH).percent)


SYSTEM_PROBES = {
    "cpu_usage": cpu_usage_percent,
    "memory_usage": memory_usage_percent,
    "disk_usage": disk_usage_percent,
}


def collect_system_metrics() -> dict[str, float]:
    """Sample every system probe once and store the samples under one timestamp.

    A probe that fails is logged and left out; the others are still recorded.
    """
    now = timezone.now()
    values = {}
    for name, probe in SYSTEM_PROBES.items():
        try:
            values[name] = probe()
        except Exception:
            logger.exception("collecting %s failed", name)
    MetricSample.objects.bulk_create(
        MetricSample(name=name, value=value, timestamp=now) for name, value in values.items()
    )
    return values
