"""Self-watch (docs/operations.md, "Watching the watcher"): the counters /metrics exposes, who may
read /metrics, and the dead-man's switch ping.

Counters are kept in the shared cache, not in each process: the web processes (gunicorn), the
Celery workers and beat may run on several hosts (docker compose: several containers), and a
scrape reaches one web process only, so a per-process count (prometheus_client's default, or its
multiprocess mode, which needs one shared directory) would be a fraction of the truth. Every
increment is atomic across processes: Redis' INCRBY with Redis as the cache; with the database
cache, a read and write of the row in one transaction that holds its lock (SQLite's write lock,
taken up front; a row lock on PostgreSQL). A counter starts again from 0 when the cache is
cleared (Redis restarted without persistence), which Prometheus' rate() and increase() take as a
counter reset. An increment that cannot be written (the cache unreachable) is lost, never an
error of what it counts.

Gauges (rules by state, open alerts, deliveries, the queue) are read from the database at scrape
time (alerts/services/selfwatch.py), so they are exact whatever process answers.
"""

import ipaddress
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction

from . import outbound

logger = logging.getLogger(__name__)

PREFIX = "selfwatch:"

# The tick's duration histogram: its upper bounds in seconds (a tick of 5,000 rules takes about
# 0.1 s; the tick's lock lives 55 s).
TICK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
TICKS_KEY = "ticks"
TICK_SECONDS_SUM_KEY = "tick-seconds-sum-us"  # microseconds, so that an integer increment adds it

INGEST_SOURCES = ("json", "otlp_metrics", "otlp_logs")
INGEST_OUTCOMES = ("accepted", "rejected")
CHECK_KINDS = ("http", "tcp", "heartbeat")
CHECK_OUTCOMES = ("up", "down")


def _bucket_key(index: int) -> str:
    return f"tick-bucket:{index}"


def _ingest_key(source: str, outcome: str) -> str:
    return f"ingest:{source}:{outcome}"


def _check_key(kind: str, outcome: str) -> str:
    return f"check-runs:{kind}:{outcome}"


# --- counters in the shared cache -------------------------------------------------------------


def increment(deltas: dict[str, int]) -> None:
    """Add each delta to its counter, atomically across processes. Never raises."""
    deltas = {PREFIX + key: int(delta) for key, delta in deltas.items() if delta}
    if not deltas:
        return
    try:
        _increment(deltas)
    except Exception:
        logger.warning("self-watch: a counter could not be written", exc_info=True)


def _increment(deltas: dict[str, int]) -> None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        for key, delta in deltas.items():
            backend.add(key, 0, timeout=None)
            backend.incr(key, delta)
        return
    if isinstance(backend, DatabaseCache):
        alias = router.db_for_write(backend.cache_model_class)
        connection = connections[alias]
        table = connection.ops.quote_name(backend.cache_model_class._meta.db_table)
        with transaction.atomic(using=alias):
            for key, delta in deltas.items():
                backend.add(key, 0, timeout=None)
                if connection.features.has_select_for_update:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"SELECT 1 FROM {table} WHERE cache_key = %s FOR UPDATE",
                            [backend.make_and_validate_key(key)],
                        )
                # SQLite: the transaction took the database's write lock when it began.
                backend.set(key, int(backend.get(key) or 0) + delta, timeout=None)
        return
    # A per-process cache (development, some tests): nothing else shares it.
    for key, delta in deltas.items():
        backend.set(key, int(backend.get(key) or 0) + delta, timeout=None)


def read(keys: Iterable[str]) -> dict[str, int]:
    """The counters' values (0 for one never incremented); {} of them when the cache fails."""
    keys = list(keys)
    try:
        found = caches["default"].get_many([PREFIX + key for key in keys])
    except Exception:
        logger.warning("self-watch: the counters could not be read", exc_info=True)
        found = {}
    return {key: int(found.get(PREFIX + key) or 0) for key in keys}


def record_tick(seconds: float) -> None:
    """A completed evaluation tick and how long it took."""
    index = next((i for i, bound in enumerate(TICK_BUCKETS) if seconds <= bound), len(TICK_BUCKETS))
    increment({TICKS_KEY: 1, _bucket_key(index): 1, TICK_SECONDS_SUM_KEY: round(max(seconds, 0.0) * 1e6)})


def tick_histogram() -> tuple[list[tuple[str, int]], float, int]:
    """(cumulative buckets as (le, count) with +Inf last, sum of seconds, ticks)."""
    keys = [_bucket_key(i) for i in range(len(TICK_BUCKETS) + 1)]
    values = read([*keys, TICK_SECONDS_SUM_KEY])
    buckets, running = [], 0
    for index, key in enumerate(keys):
        running += values[key]
        bound = "+Inf" if index == len(TICK_BUCKETS) else repr(float(TICK_BUCKETS[index]))
        buckets.append((bound, running))
    # The count is the +Inf bucket's, so that the two always agree.
    return buckets, values[TICK_SECONDS_SUM_KEY] / 1e6, running


def ticks_completed() -> int:
    return read([TICKS_KEY])[TICKS_KEY]


def count_ingest(source: str, *, accepted: int = 0, rejected: int = 0) -> None:
    """Samples (or OTLP data points, log records) taken in and refused by the ingest endpoints."""
    increment({_ingest_key(source, "accepted"): accepted, _ingest_key(source, "rejected"): rejected})


def ingest_counts() -> dict[tuple[str, str], int]:
    pairs = [(source, outcome) for source in INGEST_SOURCES for outcome in INGEST_OUTCOMES]
    values = read(_ingest_key(*pair) for pair in pairs)
    return {pair: values[_ingest_key(*pair)] for pair in pairs}


def count_check_run(kind: str, *, up: bool) -> None:
    """One run of an uptime check (or evaluation of a heartbeat): the checks' runners call it."""
    increment({_check_key(kind, "up" if up else "down"): 1})


def check_run_counts() -> dict[tuple[str, str], int]:
    pairs = [(kind, outcome) for kind in CHECK_KINDS for outcome in CHECK_OUTCOMES]
    values = read(_check_key(*pair) for pair in pairs)
    return {pair: values[_check_key(*pair)] for pair in pairs}


# --- who may read /metrics --------------------------------------------------------------------


def metrics_access(authorization: str, client_address: str) -> tuple[int, str]:
    """(200, "") when a scrape may read /metrics, else (status, why).

    With METRICS_TOKEN set, the scrape must send `Authorization: Bearer <token>`; with
    METRICS_ALLOWED_IPS set, it must come from one of those networks; with both, both. With
    neither, /metrics is refused (403) with how to enable it: the numbers say what this system
    watches and how it is doing, which is not for anyone who can reach the port."""
    token = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return 403, (
            "/metrics is not enabled: set METRICS_TOKEN (scrape with Authorization: Bearer <token>) "
            "and/or METRICS_ALLOWED_IPS (the scraper's addresses or networks)."
        )
    if networks:
        try:
            address = ipaddress.ip_address(client_address.split("%", 1)[0])
        except ValueError:
            return 403, "/metrics: this client's address is not in METRICS_ALLOWED_IPS."
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not any(address in network for network in networks):
            return 403, "/metrics: this client's address is not in METRICS_ALLOWED_IPS."
    if token:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(credentials.strip().encode(), token.encode()):
            return 401, "/metrics needs Authorization: Bearer <METRICS_TOKEN>."
    return 200, ""


# --- the dead-man's switch --------------------------------------------------------------------


def deadman_timeout() -> float:
    """At most DEADMAN_PING_TIMEOUT_SECONDS, and never more than half a check interval, so that a
    ping that hangs can never hold the worker into the next tick."""
    return max(0.5, min(settings.DEADMAN_PING_TIMEOUT_SECONDS, settings.ALERT_CHECK_INTERVAL_SECONDS / 2))


def ping_deadman() -> bool | None:
    """After a good tick: one GET (or POST) to DEADMAN_PING_URL. None when none is configured;
    else whether it was answered with a 2xx. Never raises; a failure is logged at WARNING naming
    only the target's scheme://host:port (the path of a healthchecks.io URL is its secret).

    The URL is the operator's own setting, as SLACK_WEBHOOK_URL is, so private targets are
    allowed unless DEADMAN_PING_ALLOW_PRIVATE is false; the connection still goes to the address
    that was resolved and checked, with no redirects followed."""
    url = settings.DEADMAN_PING_URL
    if not url:
        return None
    try:
        origin = outbound.parse_target(url).origin
    except outbound.OutboundError:
        origin = "DEADMAN_PING_URL"
    timeout = deadman_timeout()
    try:
        response = outbound.request(
            settings.DEADMAN_PING_METHOD, url, timeout=(timeout, timeout),
            allow_private=settings.DEADMAN_PING_ALLOW_PRIVATE, max_bytes=16 * 1024,
            headers={"User-Agent": "Resee-Alerts dead-man ping"},
        )
    except outbound.OutboundError as error:
        logger.warning("dead-man ping failed: %s", error)
        return False
    except Exception as error:  # never the tick's failure
        logger.warning("dead-man ping to %s failed: %s", origin, type(error).__name__)
        return False
    if not 200 <= response.status_code < 300:
        logger.warning("dead-man ping to %s answered HTTP %s", origin, response.status_code)
        return False
    return True
