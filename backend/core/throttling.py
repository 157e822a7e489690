"""Rate limits counted in the shared cache (Redis, or the database cache of the embedded default),
so every web process enforces the same limit, and keyed by a client address that a forged
X-Forwarded-For cannot change."""

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView

    _ViewBase = APIView  # what the mixin is mixed into
else:
    _ViewBase = object

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def client_address(request) -> str:
    """The address of the client: the connection's, or with TRUSTED_PROXY_COUNT proxies in front,
    the one the outermost trusted proxy saw (the Nth entry of X-Forwarded-For from the right).
    Entries further left were written by the client and are ignored."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period]


def _key(scope: str, ident: str, period: int, window: int) -> str:
    return f"throttle:{scope}:{ident}:{period}:{window}"


def reset(scope: str, ident: str) -> None:
    """Forget what `ident` (e.g. "user-12", "addr-203.0.113.9") has used of `scope`'s limit."""
    _, period = parse_rate(settings.API_THROTTLE_RATES[scope])
    window = int(time.time() // period)
    cache.delete_many([_key(scope, ident, period, w) for w in (window - 1, window, window + 1)])


class CacheRateThrottle(BaseThrottle):
    """At most N requests per period and key, counted in fixed windows with the cache's atomic
    increment. `scope` names the rate in settings.API_THROTTLE_RATES (read at request time)."""

    scope: str

    def get_ident_key(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        ident = self.get_ident_key(request, view)
        if ident is None:
            return True
        limit, period = parse_rate(settings.API_THROTTLE_RATES[self.scope])
        now = time.time()
        window = int(now // period)
        key = _key(self.scope, ident, period, window)
        # add() creates the counter only if it does not exist; incr() is atomic in Redis.
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=period + 1)
            count = 1
        self._wait = (window + 1) * period - now
        allowed = count <= limit
        if allowed:
            # Given back by RefundRejectedMixin if the request is then refused as invalid.
            request.__dict__.setdefault("_resee_throttle_keys", []).append(key)
        return allowed

    def wait(self) -> float:
        return max(1.0, getattr(self, "_wait", 1.0))


def refund(request) -> None:
    """Give back what `request` took of its rate limits."""
    for key in request.__dict__.pop("_resee_throttle_keys", []):
        try:
            cache.decr(key)
        except ValueError:  # the window ended meanwhile: nothing left to give back
            pass


class RefundRejectedMixin(_ViewBase):
    """For views with a rate limit: a request refused as invalid (400) does not count, so that
    typos in a form never use up the limit of real sends (the limit is for what is done)."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code == 400:
            refund(request)
        return super().finalize_response(request, response, *args, **kwargs)


class UserActionThrottle(CacheRateThrottle):
    """Test sends and manual triggers: per signed-in user."""

    scope = "alert_actions"

    def get_ident_key(self, request, view):
        user = request.user
        return f"user-{user.pk}" if user and user.is_authenticated else f"addr-{client_address(request)}"


class AddressThrottle(CacheRateThrottle):
    """Token requests: per client address (whoever they claim to be)."""

    scope = "token"

    def get_ident_key(self, request, view):
        return f"addr-{client_address(request)}"
