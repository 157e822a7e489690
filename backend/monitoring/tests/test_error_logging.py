import logging

import pytest
from django.test import Client

from alerts.services.metric_collector import MetricCollector
from monitoring import telemetry
from monitoring.error_logging import ErrorLogHandler
from monitoring.models import ErrorCount, ErrorLog
from monitoring.tests.helpers import flush_to_database

pytestmark = pytest.mark.django_db

log = logging.getLogger("payments")


@pytest.mark.urls("monitoring.tests.urls")
def test_a_crashing_view_is_recorded_once_with_its_request(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get("/api/test/crash/?token=not-kept")

    assert response.status_code == 500
    flush_to_database()

    error = ErrorLog.objects.get()
    assert error.level == "ERROR"
    assert error.exception_type == "ZeroDivisionError"
    assert error.message == "ZeroDivisionError: the view divided by zero"
    assert error.path == "/api/test/crash/"
    assert error.method == "GET"
    assert error.user == user
    assert error.occurrences == 1  # not again for the log record Django writes about it
    assert "raise ZeroDivisionError" in error.traceback
    assert "not-kept" not in error.path + error.message
    assert ErrorCount.objects.get().count == 1
    assert MetricCollector().get_metric_value("error_count", 1) == 1.0


def _fail_payment(order):
    try:
        raise ValueError(f"card declined for order {order}")
    except ValueError:
        log.exception("payment for %s failed", order)


def test_the_same_exception_at_the_same_place_is_one_group():
    _fail_payment(1)
    _fail_payment(2)
    flush_to_database()

    error = ErrorLog.objects.get()
    assert error.occurrences == 2
    assert error.message == "payment for 2 failed"  # the latest
    assert error.logger == "payments"
    assert error.first_seen <= error.last_seen


def test_messages_without_exceptions_group_by_template():
    log.error("disk %s is %d%% full", "/data", 91)
    log.error("disk %s is %d%% full", "/var", 97)
    log.error("something else")
    flush_to_database()

    groups = {e.message: e.occurrences for e in ErrorLog.objects.all()}
    assert groups == {"disk /var is 97% full": 2, "something else": 1}


def test_levels_below_error_are_not_recorded_and_critical_is_counted_apart():
    log.warning("just a warning")
    log.error("an error")
    log.critical("the end")
    flush_to_database()

    assert set(ErrorLog.objects.values_list("level", flat=True)) == {"ERROR", "CRITICAL"}
    collector = MetricCollector()
    assert collector.get_metric_value("error_count", 1) == 2.0
    assert collector.get_metric_value("critical_errors", 1) == 1.0


def test_a_resolved_group_that_happens_again_reopens():
    log.error("queue stuck")
    flush_to_database()
    ErrorLog.objects.update(resolved=True)

    log.error("queue stuck")
    flush_to_database()

    error = ErrorLog.objects.get()
    assert (error.resolved, error.resolved_at, error.occurrences) == (False, None, 2)


def test_the_handler_never_recurses_into_itself(monkeypatch):
    real_record = telemetry.buffer.record_error
    calls = []

    def record_and_log(group):
        calls.append(group.message)
        logging.getLogger("inside").error("logged while recording")  # would recurse without the guard
        real_record(group)

    monkeypatch.setattr(telemetry.buffer, "record_error", record_and_log)
    log.error("outer")

    assert calls == ["outer"]


def test_the_telemetrys_own_failures_are_not_recorded():
    handler = ErrorLogHandler()
    record = logging.LogRecord("monitoring.telemetry", logging.ERROR, __file__, 1, "flush failed", None, None)
    handler.emit(record)

    assert telemetry.buffer.take(everything=True).errors == {}


def test_errors_are_kept_when_the_database_write_fails(monkeypatch):
    from monitoring import sinks

    log.error("first")

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(sinks, "write_errors", broken)
    assert telemetry.flush() is False
    monkeypatch.undo()

    flush_to_database()
    assert ErrorLog.objects.get().message == "first"
