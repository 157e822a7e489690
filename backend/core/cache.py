"""The Redis cache as an optimisation, never a dependency: when Redis cannot be reached, reads
answer their default (the caller then reads the database), writes do nothing, and the API keeps
answering. It recovers by itself: after a failure Redis is left alone for RETRY_AFTER_SECONDS,
then tried again.

`add()` answers False while Redis is down. For the evaluation tick's lock that means the tick is
skipped (and counted as skipped): in this configuration Redis is also the Celery broker, so no
tick could be delivered anyway, and a tick run without its lock could overlap another beat's.
For the rate limits (add, then incr) it means requests are let through: a rate limit is not
worth refusing every test send while the cache is away.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Only the failures of reaching Redis; a bad value or a Lua error is a bug and is raised.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_SECONDS = 2.0
WARN_EVERY_SECONDS = 60.0
SOCKET_TIMEOUT_SECONDS = 0.5


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        options = params["OPTIONS"]
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        # One attempt per call: redis-py's default retries with backoff would hold a request for
        # seconds per cache call while Redis is down.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, params)
        self._state_lock = threading.Lock()
        self._down_until = 0.0
        self._warned_at = -WARN_EVERY_SECONDS
        self._clock = time.monotonic

    # --- availability -------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False while a recent call could not reach Redis (until it is tried again)."""
        return self._clock() >= self._down_until

    def _failed(self, operation: str, error: Exception) -> None:
        now = self._clock()
        with self._state_lock:
            self._down_until = now + RETRY_AFTER_SECONDS
            warn = now - self._warned_at >= WARN_EVERY_SECONDS
            if warn:
                self._warned_at = now
        if warn:
            # WARNING, not ERROR: this is handled, and must not page as an application error.
            logger.warning(
                "cache: Redis unreachable (%s during %s); reading from the database and skipping cache "
                "writes until it answers again (logged at most every %d s)",
                type(error).__name__, operation, WARN_EVERY_SECONDS,
            )

    def _call(self, operation: str, fallback, call, *args, **kwargs):
        if not self.available:
            return fallback
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as error:
            self._failed(operation, error)
            return fallback
        if self._down_until:
            with self._state_lock:
                self._down_until = 0.0
            logger.warning("cache: Redis answers again")
        return result

    def ping(self) -> bool:
        """Whether Redis answers now (for the health probe): tried even while marked down."""
        try:
            client = self._cache.get_client(write=False)
            return bool(client.ping())
        except UNREACHABLE as error:
            self._failed("ping", error)
            return False

    # --- the cache API --------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # As if the counter had just been created: callers counting a rate then let it through.
        return self._call("incr", delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys not set, as Django's API says: all of them while Redis is away.
        failed = self._call("set_many", None, super().set_many, data, timeout, version)
        return list(data) if failed is None else failed

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
