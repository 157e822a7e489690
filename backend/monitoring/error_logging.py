"""Errors logged anywhere in the system become ErrorLog groups and per-minute ErrorCounts.

`ErrorLogHandler` sits on the root logger (django.request propagates to it). It only adds to the
in-process telemetry buffer, so logging an error never waits for, or fails with, the database.

`telemetry` is imported where it is used, not above: settings.LOGGING creates the handler before
Django has loaded the apps, and telemetry imports the models (no import cycle is involved).
"""

import hashlib
import logging
import threading
import traceback as traceback_module
from datetime import UTC, datetime

MAX_MESSAGE_CHARS = 10_000
MAX_TRACEBACK_CHARS = 50_000

# Records from these loggers are never recorded: the telemetry's own warnings, and the database
# layer (its errors while writing telemetry must not become telemetry).
IGNORED_LOGGERS = ("monitoring.telemetry", "monitoring.sinks", "django.db.backends")

_local = threading.local()


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def _qualified_name(exc_type: type) -> str:
    module = exc_type.__module__
    return exc_type.__qualname__ if module in ("builtins", None) else f"{module}.{exc_type.__qualname__}"


def _innermost_frame(tb):
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb


def error_group_from_exception(exception: BaseException, *, level: str = "ERROR", logger_name: str = "",
                               message: str = "", path: str = "", method: str = "", user_id=None):
    from .telemetry import ErrorGroup

    exc_type = type(exception)
    frame = _innermost_frame(exception.__traceback__)
    location = (
        f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}:{frame.tb_frame.f_code.co_name}"
        if frame is not None else ""
    )
    text = "".join(traceback_module.format_exception(exc_type, exception, exception.__traceback__))
    now = datetime.now(UTC)
    return ErrorGroup(
        # Same exception raised at the same place = one group, whatever its message says.
        fingerprint=_fingerprint(level, _qualified_name(exc_type), location or str(exception)),
        level=level,
        logger=logger_name,
        message=(message or f"{exc_type.__name__}: {exception}")[:MAX_MESSAGE_CHARS],
        exception_type=_qualified_name(exc_type),
        traceback=text[-MAX_TRACEBACK_CHARS:],
        path=path,
        method=method,
        user_id=user_id,
        first_seen=now,
        last_seen=now,
    )


def error_group_from_record(record: logging.LogRecord):
    from .telemetry import ErrorGroup

    level = "CRITICAL" if record.levelno >= logging.CRITICAL else "ERROR"
    request = getattr(record, "request", None)
    path = getattr(request, "path_info", "") or ""
    method = getattr(request, "method", "") or ""
    user = getattr(request, "__dict__", {}).get("user") if request is not None else None
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    message = record.getMessage()
    exception = record.exc_info[1] if record.exc_info else None
    if exception is not None:
        return error_group_from_exception(
            exception, level=level, logger_name=record.name, message=message, path=path, method=method,
            user_id=user_id,
        )
    now = datetime.fromtimestamp(record.created, UTC)
    return ErrorGroup(
        # The message template, not the formatted message: "Payment %s failed" is one group.
        fingerprint=_fingerprint(level, record.name, str(record.msg)),
        level=level,
        logger=record.name,
        message=message[:MAX_MESSAGE_CHARS],
        exception_type="",
        traceback="",
        path=path,
        method=method,
        user_id=user_id,
        first_seen=now,
        last_seen=now,
    )


class ErrorLogHandler(logging.Handler):
    def __init__(self, level=logging.ERROR):
        super().__init__(level)

    def emit(self, record: logging.LogRecord) -> None:
        # Whatever recording does can never log its way back in here.
        if getattr(_local, "busy", False) or record.name.startswith(IGNORED_LOGGERS):
            return
        exception = record.exc_info[1] if record.exc_info else None
        if exception is not None and getattr(exception, "_resee_recorded", False):
            return  # the request middleware recorded it already, with its request
        _local.busy = True
        try:
            from .telemetry import buffer

            buffer.record_error(error_group_from_record(record))
        except Exception:
            self.handleError(record)
        finally:
            _local.busy = False
