"""The evaluation tick's lock, and the record of ticks run and skipped.

One tick at a time: a tick takes the lock with an atomic add, and releases it with an atomic
compare-and-delete, so a tick whose lock expired can never delete the next tick's. The lock lives
ALERT_TICK_LOCK_SECONDS (by default the check interval less 5 s, see settings): shorter than the
interval, so a crashed tick never blocks the next one, and far longer than a tick takes (well
under a second for thousands of rules), so a running tick keeps it.

A skipped tick is counted with its reason (the previous tick still running, or SQLite's
"database is locked", which is not the same thing) and shown in `GET /api/alerts/stats/` and by
`manage.py check_alerts`.
"""

import base64
import logging
import pickle
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, OperationalError, connections, router
from django.utils import timezone

from core import selfwatch

logger = logging.getLogger(__name__)

TICK_LOCK_KEY = "alerts:tick-lock"
LAST_TICK_KEY = "alerts:engine:last-tick"
SKIPPED_TICKS_KEY = "alerts:engine:skipped-ticks"
LAST_SKIP_KEY = "alerts:engine:last-skip"
SKIPS_BY_REASON_KEY = "alerts:engine:skips-by-reason"

STILL_RUNNING = "previous tick still running"
DATABASE_LOCKED = "database is locked"
LOCK_UNAVAILABLE = "the tick lock could not be taken"

# Deletes the key only while it holds this caller's token, in one step on the server.
_REDIS_COMPARE_AND_DELETE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def _is_database_locked(error: Exception) -> bool:
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def release_lock(key: str, token: str) -> bool:
    """Delete the lock `key` if, and only if, it still holds `token`, atomically. Returns whether
    it was deleted."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        value = backend._cache._serializer.dumps(token)  # type: ignore[attr-defined]  # not in the stubs
        return bool(client.eval(_REDIS_COMPARE_AND_DELETE, 1, full_key, value))
    if isinstance(backend, DatabaseCache):
        # The value column holds the pickled token in base64, as DatabaseCache writes it.
        full_key = backend.make_and_validate_key(key)
        value = base64.b64encode(pickle.dumps(token, backend.pickle_protocol)).decode("latin1")
        connection = connections[router.db_for_write(backend.cache_model_class)]
        table = backend.cache_model_class._meta.db_table  # the private _table is not in the stubs
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(table)} WHERE {quote('cache_key')} = %s AND {quote('value')} = %s",
                [full_key, value],
            )
            return cursor.rowcount == 1
    # A per-process cache (development, some tests): no other process shares it.
    if backend.get(key) == token:
        return bool(backend.delete(key))
    return False


# Skips not counted yet: with the database cache, a tick skipped because the database is locked
# cannot write its count either; this process writes it with the next count or tick that can.
_uncounted: list[tuple[str, str]] = []


def _flush_skips() -> None:
    while _uncounted:
        at, reason = _uncounted[0]
        if not cache.add(SKIPPED_TICKS_KEY, 0, timeout=None) and cache.get(SKIPPED_TICKS_KEY) is None:
            raise RuntimeError("the cache cannot be written")
        by_reason = cache.get(SKIPS_BY_REASON_KEY) or {}
        by_reason[reason] = by_reason.get(reason, 0) + 1
        cache.incr(SKIPPED_TICKS_KEY)
        cache.set(SKIPS_BY_REASON_KEY, by_reason, timeout=None)
        cache.set(LAST_SKIP_KEY, {"at": at, "reason": reason}, timeout=None)
        _uncounted.pop(0)


def _record_skip(reason: str) -> None:
    _uncounted.append((timezone.now().isoformat(), reason))
    try:
        _flush_skips()
    except Exception:  # counted later; the skip itself is logged either way
        logger.info("check_alert_rules: the skipped tick is counted when the cache can be written")


def _record_tick(seconds: float) -> None:
    try:
        _flush_skips()
        cache.set(LAST_TICK_KEY, {"at": timezone.now().isoformat(), "seconds": round(seconds, 3)}, timeout=None)
    except Exception:
        logger.warning("check_alert_rules: could not record the tick", exc_info=True)
    # /metrics' resee_ticks_total and resee_tick_duration_seconds (never raises).
    selfwatch.record_tick(seconds)


def _skip(reason: str, detail: str = ""):
    logger.warning("check_alert_rules: tick skipped: %s%s", reason, f" ({detail})" if detail else "")
    _record_skip(reason)
    return None, reason


def _why_not_taken() -> str:
    """The add failed: another tick holds the lock, or the cache could not be written at all
    (DatabaseCache swallows its database errors, SQLite's "database is locked" among them)."""
    try:
        holder = cache.get(TICK_LOCK_KEY)
    except Exception as error:
        return DATABASE_LOCKED if _is_database_locked(error) else f"{LOCK_UNAVAILABLE}: {type(error).__name__}"
    if holder is not None:
        return STILL_RUNNING
    backend = caches["default"]
    if getattr(backend, "available", True) is False:
        return f"{LOCK_UNAVAILABLE}: the cache (Redis) is unreachable"
    if isinstance(backend, DatabaseCache):
        vendor = connections[router.db_for_write(backend.cache_model_class)].vendor
        return DATABASE_LOCKED if vendor == "sqlite" else f"{LOCK_UNAVAILABLE}: the cache table could not be written"
    return LOCK_UNAVAILABLE


def run_locked(tick: Callable):
    """Run `tick()` under the lock. Returns (its result, "") or (None, why it was skipped)."""
    token = uuid.uuid4().hex
    try:
        taken = cache.add(TICK_LOCK_KEY, token, timeout=settings.ALERT_TICK_LOCK_SECONDS)
    except Exception as error:
        reason = DATABASE_LOCKED if _is_database_locked(error) else f"{LOCK_UNAVAILABLE}: {type(error).__name__}"
        return _skip(reason, str(error))
    if not taken:
        return _skip(_why_not_taken())
    started = time.monotonic()
    try:
        result = tick()
    except DatabaseError as error:
        if not _is_database_locked(error):
            raise
        return _skip(DATABASE_LOCKED, "while reading the rules and telemetry")
    finally:
        try:
            release_lock(TICK_LOCK_KEY, token)
        except Exception:  # it expires by itself, before the next tick is due
            logger.warning("check_alert_rules: could not release the tick lock", exc_info=True)
    _record_tick(time.monotonic() - started)
    return result, ""


def engine_status() -> dict:
    """What operators look at: the last tick, and the ticks skipped (in all, and by reason)."""
    try:
        last_tick = cache.get(LAST_TICK_KEY) or {}
        last_skip = cache.get(LAST_SKIP_KEY) or {}
        skipped = cache.get(SKIPPED_TICKS_KEY) or 0
        by_reason = cache.get(SKIPS_BY_REASON_KEY) or {}
    except Exception:
        last_tick, last_skip, skipped, by_reason = {}, {}, 0, {}
    return {
        "last_tick_at": last_tick.get("at"),
        "last_tick_seconds": last_tick.get("seconds"),
        "skipped_ticks": int(skipped),
        "skipped_by_reason": dict(by_reason),
        "last_skipped_at": last_skip.get("at"),
        "last_skip_reason": last_skip.get("reason", ""),
    }
