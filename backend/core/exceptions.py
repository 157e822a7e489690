"""Server errors of the API as JSON with a correlation id, never Django's HTML page.

The id is in the answer, in the log record (and so in the error log's entry): whoever reports
"error_id 3f2c…" can be matched with the traceback.
"""

import logging
import sys
import uuid

from django.http import JsonResponse
from django.views.defaults import server_error as django_server_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("core.errors")

API_PREFIX = "/api/"
INTERNAL_ERROR = "Internal server error"


def new_error_id() -> str:
    return uuid.uuid4().hex


def _log(error_id: str, request, exc_info) -> None:
    path = getattr(request, "path_info", "") or ""
    method = getattr(request, "method", "") or ""
    logger.error(
        "Internal server error %s on %s %s", error_id, method, path,
        exc_info=exc_info, extra={"request": request, "error_id": error_id, "status_code": 500},
    )


def error_response(error_id: str) -> JsonResponse:
    response = JsonResponse({"detail": INTERNAL_ERROR, "error_id": error_id}, status=500)
    # Logged above, with the id: Django's own "Internal Server Error: /path" record would be a
    # second entry without it.
    response._has_been_logged = True  # type: ignore[attr-defined]  # read by django.utils.log.log_response
    return response


def api_exception_handler(exc, context):
    """DRF's handler for what it knows (validation, auth, 404, throttling...); anything else is
    a logged 500 with an error id."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    error_id = new_error_id()
    _log(error_id, django_request, (type(exc), exc, exc.__traceback__))
    return error_response(error_id)


def server_error(request, template_name="500.html"):
    """handler500: paths under /api/ get the JSON answer, everything else Django's page."""
    if not request.path_info.startswith(API_PREFIX):
        return django_server_error(request, template_name)
    error_id = new_error_id()
    _log(error_id, request, sys.exc_info())
    return error_response(error_id)
