"""In-process aggregation of request metrics, active users and errors.

Nothing here writes to a database or Redis while a request is being served: the middleware and
the logging handler only add to this process's buffer. A background thread flushes it every
TELEMETRY_FLUSH_INTERVAL_SECONDS:

- without Redis, each completed minute goes to the database once per process, as an additive
  upsert into RequestRollup (and ActiveUserMinute);
- with Redis, each completed minute is pipelined into per-minute Redis hashes and, in the same
  flush, every completed minute in Redis is moved into RequestRollup (`drain_redis_requests`;
  the every-minute collection task drains too). The minute in progress stays in the process, so
  what a Redis restart without persistence can lose is only what was pushed by flushes still
  running at that moment (milliseconds of pushes, not the minute's requests);
- errors go to ErrorLog (grouped by fingerprint) and ErrorCount.

A failing flush keeps its data for the next attempt (up to a bound) and never raises into the
code that recorded it.
"""

import atexit
import logging
import os
import threading
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import close_old_connections

from . import sinks
from .batch import (
    _LATENCY_OFFSET,
    REQUEST_FIELDS,
    Batch,
    ErrorGroup,
    latency_bucket,
    merge_request_values,
    minute_of,
)

logger = logging.getLogger(__name__)

# Bounds on what a process keeps while its flushes fail.
MAX_PENDING_MINUTES = 30
MAX_ERROR_GROUPS = 1000


class TelemetryBuffer:
    def __init__(self):
        self._reset()
        atexit.register(self._flush_at_exit)

    def _reset(self):
        self._pid = os.getpid()
        # A fork copies a lock in whatever state it was: the child gets a fresh one.
        self._lock = threading.Lock()
        self._pending = Batch()
        self._thread = None
        self._failure_logged_at = 0.0

    def _for_this_process(self):
        if self._pid != os.getpid():
            self._reset()

    # --- recording (hot path: memory only) ----------------------------------------------------

    def record_request(self, *, when, route, method, status, duration_ms, db_queries=0, db_time_ms=0.0,
                       slow_queries=0, user_id=None, upstream_failure=False):
        self._for_this_process()
        minute = minute_of(when)
        key = (minute, route, method)
        with self._lock:
            values = self._pending.requests.get(key)
            if values is None:
                values = self._pending.requests[key] = [0] * len(REQUEST_FIELDS)
            values[0] += 1
            # An upstream failure (a test send Slack refused) is a failed request, not a server error.
            if 400 <= status < 500 or upstream_failure:
                values[1] += 1
            elif status >= 500:
                values[2] += 1
            values[3] += duration_ms
            values[4] = max(values[4], duration_ms)
            values[5] += db_queries
            values[6] += db_time_ms
            values[7] += slow_queries
            values[_LATENCY_OFFSET + latency_bucket(duration_ms)] += 1
            if user_id is not None:
                self._pending.users.setdefault(minute, set()).add(user_id)
        self._start_flusher()

    def record_error(self, group: ErrorGroup):
        self._for_this_process()
        minute = minute_of(group.last_seen)
        with self._lock:
            counts = self._pending.error_counts
            key = (minute, group.level, group.logger[:200], group.exception_type[:200])
            counts[key] = counts.get(key, 0) + group.occurrences
            existing = self._pending.errors.get(group.fingerprint)
            if existing is not None:
                existing.occurrences += group.occurrences
                existing.last_seen = max(existing.last_seen, group.last_seen)
                existing.message, existing.traceback = group.message, group.traceback
                existing.path, existing.method = group.path or existing.path, group.method or existing.method
                existing.user_id = group.user_id or existing.user_id
            elif len(self._pending.errors) < MAX_ERROR_GROUPS:
                self._pending.errors[group.fingerprint] = group
            # Beyond the bound the occurrence is still counted (error_count), only not grouped.
        self._start_flusher()

    # --- flushing -------------------------------------------------------------------------------

    def take(self, *, everything: bool) -> Batch:
        """Remove and return what is ready to flush: errors always; requests and active users of
        completed minutes, or of every minute when `everything` (shutdown, tests)."""
        self._for_this_process()
        current = minute_of(datetime.now(UTC))
        with self._lock:
            pending = self._pending
            batch = Batch(errors=pending.errors, error_counts=pending.error_counts)
            pending.errors, pending.error_counts = {}, {}
            for key in [k for k in pending.requests if everything or k[0] < current]:
                batch.requests[key] = pending.requests.pop(key)
            for minute in [m for m in pending.users if everything or m < current]:
                batch.users[minute] = pending.users.pop(minute)
        return batch

    def put_back(self, batch: Batch) -> None:
        """Return a batch whose flush failed, keeping at most MAX_PENDING_MINUTES of requests."""
        oldest = minute_of(datetime.now(UTC)) - timedelta(minutes=MAX_PENDING_MINUTES)
        with self._lock:
            pending = self._pending
            for key, values in batch.requests.items():
                if key[0] >= oldest:
                    merge_request_values(pending.requests.setdefault(key, [0] * len(REQUEST_FIELDS)), values)
            for minute, users in batch.users.items():
                if minute >= oldest:
                    pending.users.setdefault(minute, set()).update(users)
            for key, count in batch.error_counts.items():
                pending.error_counts[key] = pending.error_counts.get(key, 0) + count
            for fingerprint, group in batch.errors.items():
                if fingerprint not in pending.errors and len(pending.errors) < MAX_ERROR_GROUPS:
                    pending.errors[fingerprint] = group

    def flush(self, *, everything: bool = False) -> bool:
        """Write what is ready. Returns False (and keeps the data) when a write failed."""
        use_redis = bool(settings.REDIS_URL)
        batch = self.take(everything=everything)
        if not batch:
            return True
        try:
            sinks.write(batch, use_redis=use_redis)
        except Exception:
            self.put_back(batch)
            self._warn("telemetry flush failed; keeping the data for the next attempt")
            return False
        if use_redis and (batch.requests or batch.users):
            try:
                # What was just pushed leaves Redis at once: a Redis restart then finds little
                # to lose. A minute that cannot be written is given back to Redis by the drain.
                sinks.drain_redis_requests()
            except Exception:
                self._warn("moving request metrics from Redis to the database failed; the next flush retries")
        return True

    def _warn(self, message: str) -> None:
        # WARNING, not ERROR: an error here would be recorded by the error handler, into the very
        # store that is failing. At most once a minute per process.
        if time.monotonic() - self._failure_logged_at > 60:
            self._failure_logged_at = time.monotonic()
            logger.warning(message, exc_info=True)

    def clear(self) -> None:
        with self._lock:
            self._pending = Batch()

    def _start_flusher(self):
        if self._thread is not None or settings.TELEMETRY_FLUSH_INTERVAL_SECONDS <= 0:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="telemetry-flusher", daemon=True)
                self._thread.start()

    def _run(self):
        interval = settings.TELEMETRY_FLUSH_INTERVAL_SECONDS
        while True:
            time.sleep(interval)
            if self._pid != os.getpid():
                return
            try:
                self.flush()
            finally:
                close_old_connections()

    def _flush_at_exit(self):
        if self._pid == os.getpid() and self._pending:
            self.flush(everything=True)


buffer = TelemetryBuffer()


def flush(*, everything: bool = False) -> bool:
    """Flush this process's buffered telemetry now (shutdown hooks and tests)."""
    return buffer.flush(everything=everything)
