"""Probes that measure the platform and record what they measure as MetricSample rows.

They run in the Celery worker on beat's schedule, never inside a web request.
"""

import logging
import socket
import time

import psutil
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import ChannelError

from . import sinks
from .models import MetricSample, MetricSeries

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


def db_connection_count() -> float | None:
    """Connections to this database; SQLite has no such thing."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return float(cursor.fetchone()[0])


class RedisProbe:
    """Reads Redis's INFO once per collection for the three Redis metrics."""

    HITS_BASELINE_KEY = "monitoring:redis-keyspace"

    def __init__(self):
        self._info = None

    def info(self) -> dict | None:
        if not settings.REDIS_URL:
            return None
        if self._info is None:
            self._info = sinks.redis_client().info()
        return self._info

    def memory_mb(self) -> float | None:
        info = self.info()
        return None if info is None else round(info["used_memory"] / (1024 * 1024), 3)

    def connected_clients(self) -> float | None:
        info = self.info()
        return None if info is None else float(info["connected_clients"])

    def hit_rate(self) -> float | None:
        """Percent of key lookups that hit since the previous collection; no data when there was
        no previous collection to count from, or no lookup in between."""
        info = self.info()
        if info is None:
            return None
        now = (info["keyspace_hits"], info["keyspace_misses"])
        before = cache.get(self.HITS_BASELINE_KEY)
        cache.set(self.HITS_BASELINE_KEY, now, timeout=None)
        if before is None:
            return None
        hits, misses = now[0] - before[0], now[1] - before[1]
        if hits < 0 or misses < 0 or hits + misses == 0:  # Redis restarted, or nothing was read
            return None
        return round(hits / (hits + misses) * 100, 2)


def celery_queue_length(app=None) -> float | None:
    """Messages waiting in the default queue, on whatever broker is configured."""
    app = app or current_app
    with app.connection_for_read() as conn:
        try:
            declared = conn.default_channel.queue_declare(queue=app.conf.task_default_queue, passive=True)
        except ChannelError:
            return 0.0  # an empty queue that the broker has not kept
        return float(declared.message_count)


# The embedded broker is polled about once a second, so a reply can take more than one.
PING_TIMEOUT_SECONDS = 2.0


def celery_workers(app=None) -> float:
    """Workers that answer a ping within PING_TIMEOUT_SECONDS."""
    app = app or current_app
    return float(len(app.control.ping(timeout=PING_TIMEOUT_SECONDS) or []))


def system_probes():
    redis_probe = RedisProbe()
    return {
        "cpu_usage": cpu_usage_percent,
        "memory_usage": memory_usage_percent,
        "disk_usage": disk_usage_percent,
        "db_connection_count": db_connection_count,
        "redis_memory_usage": redis_probe.memory_mb,
        "redis_connected_clients": redis_probe.connected_clients,
        "cache_hit_rate": redis_probe.hit_rate,
        "celery_queue_length": celery_queue_length,
        "celery_workers": celery_workers,
    }


def system_labels(app=None) -> dict[str, dict[str, str]]:
    """The labels of each probe's series, where the probe can tell: the host it measures, the
    queue it counts, the cache it reads."""
    app = app or current_app
    host = {"host": socket.gethostname()}
    return {
        "cpu_usage": host,
        "memory_usage": host,
        "disk_usage": host,
        "celery_queue_length": {"queue": app.conf.task_default_queue},
        "cache_hit_rate": {"cache": "default"},  # Django's default cache, the Redis INFO read
    }


def collect_metrics(probes: dict | None = None, labels: dict[str, dict[str, str]] | None = None) -> dict[str, float]:
    """Run every probe once and store what they measured under one timestamp, each in its series
    (`labels`, by default system_labels()).

    A probe that cannot measure in this deployment returns None and records nothing ("no
    data"); one that fails is logged and left out; the others are still recorded."""
    now = timezone.now()
    labels = system_labels() if labels is None else labels
    values = {}
    for name, probe in (probes or system_probes()).items():
        try:
            value = probe()
        except Exception:
            logger.warning("collecting %s failed", name, exc_info=True)
            continue
        if value is not None:
            values[name] = value
    samples = [MetricSample(name=name, value=value, timestamp=now) for name, value in values.items()]
    with transaction.atomic():
        MetricSeries.assign(samples, [labels.get(name) for name in values])
        MetricSample.objects.bulk_create(samples)
    return values


def record_task_failure(queue: str | None = None) -> None:
    """One failed Celery task: a celery_failed_tasks sample of 1, in its queue's series when the
    queue is known."""
    sample = MetricSample(name="celery_failed_tasks", value=1.0)
    with transaction.atomic():
        MetricSeries.assign([sample], [{"queue": queue} if queue else None])
        sample.save()
