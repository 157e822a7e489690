"""OTLP/HTTP receivers: `/otlp/v1/metrics` and `/otlp/v1/logs`, so that an OpenTelemetry SDK or
Collector needs only

    OTEL_EXPORTER_OTLP_ENDPOINT=http://<host>:8000/otlp
    OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<push token>

Answers as the OTLP specification says: 200 with the (partial) success in the request's encoding;
400 (not retryable) for a body that cannot be decoded, with a google.rpc.Status; 401 without a
valid push token (or an API token of scope push); 413 for a body over OTLP_MAX_REQUEST_BYTES; 415
for another content type; 429 with Retry-After over OTLP_THROTTLE_RATE; 503 with Retry-After when
the database cannot take the export now (the exporter retries).
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from core import selfwatch, tokens
from core.models import ApiToken
from core.throttling import CacheRateThrottle, client_address

from .. import otlp, services

logger = logging.getLogger(__name__)

_CODES = {
    400: code_pb2.INVALID_ARGUMENT, 401: code_pb2.UNAUTHENTICATED, 405: code_pb2.UNIMPLEMENTED,
    413: code_pb2.RESOURCE_EXHAUSTED, 415: code_pb2.INVALID_ARGUMENT, 429: code_pb2.RESOURCE_EXHAUSTED,
    503: code_pb2.UNAVAILABLE,
}
RETRY_AFTER_UNAVAILABLE = 5


class PushTokenThrottle(CacheRateThrottle):
    scope = "otlp"

    def get_ident_key(self, request, view):
        token = request.push_token
        return f"api-token-{token.pk}" if isinstance(token, ApiToken) else f"push-{token.pk}"


def _reply_type(request: HttpRequest) -> str:
    kind = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return otlp.JSON if kind == otlp.JSON else otlp.PROTOBUF


def _status(request: HttpRequest, http_status: int, message: str, **headers: str) -> HttpResponse:
    status = status_pb2.Status(code=_CODES.get(http_status, code_pb2.UNKNOWN), message=message)
    reply_type = _reply_type(request)
    response = HttpResponse(otlp.encode(status, reply_type), status=http_status, content_type=reply_type)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _push_token(request: HttpRequest):
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    key = credentials.strip()
    if key.startswith(ApiToken.PREFIX):
        # A user's API token of scope push (core.tokens), whose user may push.
        return tokens.authenticate_push(key, client_address(request))
    return services.authenticate_push_token(key)


# How long a write waits for another writer's lock on SQLite (the embedded default) while an
# export is received, instead of the 20 s of other requests: an exporter gives up after 10 s
# (OTEL_EXPORTER_OTLP_TIMEOUT) and sends again; a 503 in time tells it when.
SQLITE_LOCK_WAIT_MS = 2000


@contextmanager
def _short_lock_wait():
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (usual,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_LOCK_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(usual)}")


def _receive(request: HttpRequest, message, export, respond) -> HttpResponse:
    with _short_lock_wait():
        return _receive_now(request, message, export, respond)


def _receive_now(request: HttpRequest, message, export, respond) -> HttpResponse:
    if request.method != "POST":
        return _status(request, 405, "Send an OTLP export with POST.", Allow="POST")
    token = _push_token(request)
    if token is None:
        return _status(request, 401, "A push token is required: Authorization: Bearer <token>.",
                       WWW_Authenticate='Bearer realm="otlp"')
    request.push_token = token  # type: ignore[attr-defined]
    throttle = PushTokenThrottle()
    if not throttle.allow_request(request, None):
        wait = int(throttle.wait() + 0.999)
        return _status(request, 429, f"Too many exports; retry in {wait} s.", Retry_After=str(wait))
    limit = settings.OTLP_MAX_REQUEST_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _status(request, 413, f"The body is over {limit} bytes: export smaller batches.")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _status(request, 413, f"The body is over {limit} bytes: export smaller batches.")
    try:
        body = otlp.read_body(raw, request.META.get("HTTP_CONTENT_ENCODING", ""))
        decoded = otlp.decode(message, body, request.META.get("CONTENT_TYPE", ""))
        outcome = export(decoded)
    except otlp.OtlpError as error:
        return _status(request, error.status, str(error))
    except (DataError, IntegrityError):
        # A value the database refuses: sending it again would fail again.
        logger.warning("an OTLP export held a value the database refused", exc_info=True)
        return _status(request, 400, "A value of the export is out of the range that can be stored.")
    except DatabaseError:
        logger.warning("an OTLP export could not be stored now", exc_info=True)
        return _status(request, 503, "The export could not be stored now; retry.",
                       Retry_After=str(RETRY_AFTER_UNAVAILABLE))
    # /metrics' resee_ingest_samples_total: data points (or log records) stored and rejected.
    source = "otlp_metrics" if isinstance(message, ExportMetricsServiceRequest) else "otlp_logs"
    selfwatch.count_ingest(source, accepted=outcome.accepted, rejected=outcome.rejected)
    reply_type = _reply_type(request)
    return HttpResponse(otlp.encode(respond(outcome), reply_type), content_type=reply_type)


@csrf_exempt
def metrics(request: HttpRequest) -> HttpResponse:
    return _receive(request, ExportMetricsServiceRequest(), otlp.export_metrics, otlp.metrics_response)


@csrf_exempt
def logs(request: HttpRequest) -> HttpResponse:
    return _receive(request, ExportLogsServiceRequest(), otlp.export_logs, otlp.logs_response)
