"""Named API tokens (core.models.ApiToken): creating them, finding the one a request sends, and
what each scope may do.

A key is `rst_` and 43 random URL-safe characters; only its SHA-256 is stored. A token's last use
(time and client address) is written at most once a minute, so that a busy script does not write
on every request.
"""

import hashlib
import ipaddress
import logging
import re
import secrets
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import ApiToken, TokenScope

logger = logging.getLogger(__name__)

# How often a token's last use is written (not on every request).
LAST_USE_PRECISION = timedelta(minutes=1)
HINT_LENGTH = 10
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The ingest endpoints (URL names) a push token may POST to; the OTLP receivers, which are not DRF
# views, accept push tokens themselves (monitoring.api.otlp_views).
PUSH_ROUTES = frozenset({"monitoring-metric-ingest", "monitoring-ai-usage"})
# What a token of each scope may create: never a token that may do more than itself.
GRANTS = {TokenScope.WRITE: {TokenScope.READ, TokenScope.WRITE, TokenScope.PUSH}, TokenScope.READ: set(),
          TokenScope.PUSH: set()}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user, name: str, *, scope: str = TokenScope.WRITE,
                 expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token of `user` and its key, which is shown this once: only its digest is stored."""
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=digest(key), hint=key[:HINT_LENGTH], scope=scope,
                                    expires_at=expires_at)
    return token, key


def find(key: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(digest=digest(key)).first()


def note_use(token: ApiToken, address: str | None) -> None:
    """Write the token's last use, unless it was written less than a minute ago from the same address."""
    now = timezone.now()
    try:
        address = str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        address = None  # not an address (a proxy's odd X-Forwarded-For entry)
    if (token.last_used_at is not None and now - token.last_used_at < LAST_USE_PRECISION
            and token.last_used_address == address):
        return
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_address=address)
    except DatabaseError:
        # Bookkeeping only: a database that cannot take the write now (SQLite locked by another
        # writer) must not refuse the request; the next one notes it.
        logger.info("could not note the use of API token %s now", token.pk)
    else:
        token.last_used_at, token.last_used_address = now, address


def scope_refusal(token: ApiToken, method: str, url_name: str | None) -> str | None:
    """Why `token`'s scope does not allow this request, or None if it does."""
    if token.scope == TokenScope.READ and method not in SAFE_METHODS:
        return f"This token's scope is read: it may only read (GET), not {method}."
    if token.scope == TokenScope.PUSH and not (url_name in PUSH_ROUTES and method in ("POST", "OPTIONS")):
        return ("This token's scope is push: it may only push telemetry (POST /api/monitoring/metrics/, "
                "/api/monitoring/ai-usage/, /otlp/v1/metrics, /otlp/v1/logs).")
    return None


_DURATION = re.compile(r"^(\d{1,5})([dhw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_expiry(text: str) -> datetime:
    """`90d`, `12h`, `2w` from now, a date (valid through that day, in TIME_ZONE) or an ISO date-time.
    ValueError with a message for anything else."""
    text = text.strip()
    match = _DURATION.match(text)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError("The duration must be more than zero.")
        return timezone.now() + timedelta(**{_UNITS[match.group(2)]: amount})
    try:
        day = parse_date(text)  # a date alone: valid through that day
        moment = parse_datetime(text) if day is None else datetime(day.year, day.month, day.day) + timedelta(days=1)
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"{text!r} is neither a duration (90d, 12h, 2w) nor a date (2027-01-31).")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


# What a push token's user needs to push telemetry (the "Metric pushers" group has it).
PUSH_PERMISSION = "monitoring.add_metricsample"


def authenticate_push(key: str, address: str | None) -> ApiToken | None:
    """For receivers outside DRF (OTLP): the API token of this key if it is valid, of scope push
    and its user may push; None otherwise."""
    token = find(key)
    if (token is None or token.revoked_at is not None or token.is_expired or not token.user.is_active
            or token.scope != TokenScope.PUSH or not token.user.has_perm(PUSH_PERMISSION)):
        return None
    note_use(token, address)
    return token
