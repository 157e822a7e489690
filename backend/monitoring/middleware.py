import logging
import re
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import connection
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import empty

from .error_logging import error_group_from_exception
from .telemetry import buffer

logger = logging.getLogger(__name__)

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "<unmatched>"
# URL names of the catch-all patterns that answer paths no real route matched.
CATCH_ALL_URL_NAMES = frozenset({"api-not-found"})
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
# What Django answers with a 4xx (django.core.handlers.exception): a missing page, a refusal, a
# bad request. Not errors: /favicon.ico or /metrics asked of the dashboard must not page anyone.
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


def mark_upstream_failure(response):
    """Mark a 5xx answer that reports another service's failure, not this server's: a test send
    that Slack or the mail server refused (502). The middleware counts it with the failed requests
    (4xx), not in api_error_rate, and Django does not log it as a server error: it is a delivery
    failure, recorded and logged as one."""
    response.upstream_failure = True
    response._has_been_logged = True  # django.utils.log.log_response: no "Bad Gateway" ERROR record
    return response


def route_template(request) -> str:
    """The URL pattern that served the request ("api/alerts/rules/<pk>/"), never the raw path:
    one series per route, however many ids are requested."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route or match.url_name in CATCH_ALL_URL_NAMES:
        return UNMATCHED_ROUTE
    route = _REGEX_GROUP.sub(r"<\1>", match.route).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + route.lstrip("/")[:199]


def _authenticated_user_id(request, *, look_up: bool = False) -> int | None:
    """The signed-in user's id. Unless `look_up`, a session that the view itself never needed to
    load is not loaded just for this (that would cost every request queries)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if not look_up and getattr(user, "_wrapped", None) is empty:
        return None
    try:
        return user.pk if user.is_authenticated else None
    except Exception:
        return None


class _QueryStats:
    """A database execute wrapper counting the queries of one request, their time and the slow ones."""

    __slots__ = ("count", "time_ms", "slow", "slow_ms")

    def __init__(self, slow_ms: float):
        self.count = 0
        self.time_ms = 0.0
        self.slow = 0
        self.slow_ms = slow_ms

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.count += 1
            self.time_ms += elapsed
            if elapsed >= self.slow_ms:
                self.slow += 1


class RequestMetricsMiddleware:
    """Times every request under REQUEST_METRICS_PATH_PREFIX (but those matching
    REQUEST_METRICS_EXCLUDE) and adds it to this process's telemetry buffer: status class,
    duration, database queries, the signed-in user. It keeps the route template and the method,
    nothing of the request's headers, cookies, query string or body.

    It fails open: if recording fails, the request is answered as if it were not there.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = settings.REQUEST_METRICS_PATH_PREFIX
        self.exclude = [re.compile(pattern) for pattern in settings.REQUEST_METRICS_EXCLUDE]
        self.slow_query_ms = settings.SLOW_QUERY_MS

    def _tracked(self, path: str) -> bool:
        return path.startswith(self.prefix) and not any(p.search(path) for p in self.exclude)

    def __call__(self, request):
        if not self._tracked(request.path_info):
            return self.get_response(request)
        started = time.perf_counter()
        stats = _QueryStats(self.slow_query_ms)
        with connection.execute_wrapper(stats):
            response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        try:
            method = request.method if request.method in KNOWN_METHODS else "OTHER"
            buffer.record_request(
                when=datetime.now(UTC),
                route=route_template(request),
                method=method,
                status=response.status_code,
                duration_ms=duration_ms,
                db_queries=stats.count,
                db_time_ms=stats.time_ms,
                slow_queries=stats.slow,
                user_id=_authenticated_user_id(request),
                upstream_failure=getattr(response, "upstream_failure", False),
            )
        except Exception:
            logger.warning("could not record request metrics", exc_info=True)
        return response

    def process_exception(self, request, exception):
        """An exception no view handled: record it with its request, once (the log record Django
        writes for it next is recognised and skipped). One that Django answers with a 4xx is not
        an error (a suspicious request is still logged by django.security, as Django means it)."""
        if isinstance(exception, CLIENT_ERRORS):
            return None
        try:
            group = error_group_from_exception(
                exception,
                path=request.path_info,
                method=request.method or "",
                user_id=_authenticated_user_id(request, look_up=True),
            )
            buffer.record_error(group)
            exception._resee_recorded = True
        except Exception:
            logger.warning("could not record an exception", exc_info=True)
        return None
