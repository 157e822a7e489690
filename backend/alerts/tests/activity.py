"""A day of alerting activity with known figures, shared by the selector and summary tests."""

from datetime import UTC, datetime, timedelta

from .factories import make_alert, make_delivery, make_rule

NOW = datetime(2025, 3, 2, 9, 0, 0, tzinfo=UTC)


def ago(**delta):
    return NOW - timedelta(**delta)


def create_a_day_of_alerts() -> dict:
    cpu = make_rule(name="High CPU Usage", severity="high")
    errors = make_rule(name="High API Error Rate", metric_name="api_error_rate", condition="gte",
                       threshold_value=5, severity="critical")
    disk = make_rule(name="Disk <almost> full", metric_name="disk_usage", severity="low")

    # In the last 24 hours: three CPU alerts (two resolved, after 10 and 30 minutes), one error-rate alert.
    cpu_1 = make_alert(cpu, status="resolved", triggered_at=ago(hours=20), resolved_at=ago(hours=20, minutes=-10))
    make_alert(cpu, status="resolved", triggered_at=ago(hours=10), resolved_at=ago(hours=9, minutes=30))
    cpu_open = make_alert(cpu, triggered_at=ago(hours=2))
    errors_open = make_alert(errors, triggered_at=ago(hours=1), metric_value=9.0)
    # Before the period: triggered and resolved two days ago.
    make_alert(disk, status="resolved", triggered_at=ago(hours=30), resolved_at=ago(hours=26))

    # Alert notifications in the period: Slack 3 sent + 1 failed, email 2 sent + 1 skipped.
    for status in ("sent", "sent", "sent", "failed"):
        make_delivery(alert=cpu_1, channel="slack", target="#alerts", status=status, created_at=ago(hours=19))
    for status in ("sent", "sent", "skipped"):
        make_delivery(alert=errors_open, channel="email", target="ops@resee.com", status=status,
                      created_at=ago(hours=1))
    # Not counted: a test send, and a delivery before the period.
    make_delivery(event="test", channel="slack", target="#alerts", status="failed", created_at=ago(hours=3))
    make_delivery(alert=cpu_1, channel="slack", target="#alerts", status="failed", created_at=ago(hours=30))
    return {"cpu_open": cpu_open, "errors_open": errors_open}
