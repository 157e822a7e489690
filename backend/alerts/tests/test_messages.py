"""The message built once per event, and how its values are written."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from alerts.services.messages import (
    NotificationMessage,
    build_alert_message,
    build_summary_message,
    build_test_message,
    format_duration,
    format_number,
)

from .conftest import SITE_URL
from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value,text",
    [(80.0, "80"), (7.456789, "7.4568"), (1234567.0, "1234567"), (-3.5, "-3.5"), (0.0, "0"), (1e-06, "1e-06"),
     (None, "no data")],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    "seconds,text", [(None, "n/a"), (42, "42 s"), (125, "2 min 5 s"), (3600 * 3 + 720, "3 h 12 min"),
                     (86400 * 2 + 3600, "2 d 1 h"), (1200, "20 min")]
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_trigger_message():
    rule = make_rule(name="High API Error Rate", metric_name="api_error_rate", condition="gte", threshold_value=5,
                     time_window_minutes=10, severity="critical")
    alert = make_alert(rule, metric_value=7.5, last_value=9.0, triggered_at=T0, message="5xx from /api/orders",
                       context={"window_minutes": 10, "aggregation": "avg"})

    message = build_alert_message(alert=alert, event="trigger")

    assert message.kind == "trigger"
    assert message.subject == "[CRITICAL] High API Error Rate"
    assert message.value == 7.5  # the value that fired, not a later one
    assert message.value_text == "7.5%"
    assert message.threshold_text == ">= 5%"
    assert message.window_text == "10 min (avg)"
    assert message.link == f"{SITE_URL}/alerts/{alert.pk}"
    assert message.time == T0
    assert message.time_text == "2025-03-01 12:00:00 UTC"
    assert message.text == "5xx from /api/orders"
    assert message.headline == "api_error_rate is 7.5%, threshold >= 5%."


def test_units_other_than_percent_are_spaced():
    alert = make_alert(make_rule(metric_name="api_response_time", condition="gt", threshold_value=500),
                       metric_value=812.25)

    message = build_alert_message(alert=alert, event="trigger")

    assert message.value_text == "812.25 ms"
    assert message.threshold_text == "> 500 ms"


def test_reminder_message_uses_the_latest_value():
    alert = make_alert(metric_value=91.5, last_value=95.0, triggered_at=T0)

    message = build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1))

    assert message.subject == "[HIGH] High CPU Usage (still firing)"
    assert message.value == 95.0
    assert message.time == T0 + timedelta(hours=1)
    assert message.headline.startswith("Still firing since 2025-03-01 12:00:00 UTC")


def test_resolve_message_by_the_system_and_by_a_person(user):
    alert = make_alert(last_value=42.0, triggered_at=T0, status="resolved", resolved_at=T0 + timedelta(minutes=30),
                       resolution_notes="Back to normal.")

    by_system = build_alert_message(alert=alert, event="resolve")
    alert.resolved_by = user
    by_person = build_alert_message(alert=alert, event="resolve")

    assert by_system.subject == "[RESOLVED] High CPU Usage"
    assert by_system.value == 42.0
    assert by_system.time == T0 + timedelta(minutes=30)
    assert by_system.text == "Back to normal."
    assert by_system.headline.startswith("Resolved automatically:")
    assert by_person.headline.startswith("Resolved by oncall:")


def test_window_and_aggregation_fall_back_to_the_rule():
    alert = make_alert(make_rule(time_window_minutes=15, aggregation="max"), context={})

    message = build_alert_message(alert=alert, event="trigger")

    assert message.window_text == "15 min (max)"


def test_only_alert_events_build_alert_messages():
    with pytest.raises(ValueError):
        build_alert_message(alert=make_alert(), event="test")


def test_line_breaks_never_reach_the_subject():
    alert = make_alert(make_rule(name="CPU\r\nBcc: victim@example.com"))

    assert build_alert_message(alert=alert, event="trigger").subject == "[HIGH] CPU Bcc: victim@example.com"


@pytest.mark.parametrize(
    "message",
    [
        lambda: build_alert_message(alert=make_alert(triggered_at=T0), event="trigger"),
        lambda: build_test_message(text="hello", now=T0),
        lambda: build_summary_message(summary={"total": 3, "by_severity": {"high": 3}}, now=T0),
    ],
    ids=["alert", "test", "summary"],
)
def test_messages_survive_storage_as_json(message):
    import json

    original = message()

    stored = json.loads(json.dumps(original.as_dict()))

    assert NotificationMessage.from_dict(stored) == original


def test_test_and_summary_messages(user):
    test = build_test_message(text="Test alert from Resee", user=user, now=timezone.now())
    summary = build_summary_message(summary={"total": 1}, now=timezone.now())

    assert test.subject == "[TEST] Resee Alerts test notification"
    assert test.requested_by == "oncall"
    assert summary.subject == "[SUMMARY] Resee Alerts daily summary: 1 alert in the last 24 hours"
    assert summary.link == f"{SITE_URL}/alerts"


def test_no_data_and_manual_triggers_say_so():
    rule = make_rule(alert_on_no_data=True)
    no_data = make_alert(rule, metric_value=None, last_value=None)
    manual = make_alert(make_rule(name="Drill"), manual=True, metric_value=None, last_value=None)

    assert build_alert_message(alert=no_data, event="trigger").headline == "cpu_usage has no data (threshold > 80%)."
    assert build_alert_message(alert=manual, event="trigger").headline == (
        "Triggered manually: cpu_usage has no data (threshold > 80%).")


@pytest.mark.parametrize(
    "kind,severity,colour",
    [("trigger", "critical", "#d00000"), ("reminder", "high", "#f97316"), ("trigger", "medium", "#eab308"),
     ("trigger", "low", "#3b82f6"), ("resolve", "critical", "#2eb67d"), ("test", "", "#3b82f6"),
     ("summary", "", "#64748b")],
)
def test_colours(kind, severity, colour):
    assert NotificationMessage(kind=kind, title="t", time=T0, severity=severity).colour == colour
