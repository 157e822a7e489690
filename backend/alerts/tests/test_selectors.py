"""Read-side statistics over alerts and notifications."""

from datetime import timedelta

import pytest

from alerts import selectors

from .activity import NOW, ago, create_a_day_of_alerts

pytestmark = pytest.mark.django_db


def test_alert_summary_figures_agree_with_the_rows():
    rows = create_a_day_of_alerts()

    summary = selectors.alert_summary(since=ago(hours=24), until=NOW)

    assert summary["total"] == 4
    assert summary["by_severity"] == {"critical": 1, "high": 3, "medium": 0, "low": 0}
    assert summary["top_rules"] == [
        {"rule_id": rows["cpu_open"].rule_id, "name": "High CPU Usage", "count": 3},
        {"rule_id": rows["errors_open"].rule_id, "name": "High API Error Rate", "count": 1},
    ]
    assert summary["resolved_count"] == 2
    assert summary["mean_time_to_resolve"] == timedelta(minutes=20)
    assert summary["open_count"] == 2
    # Most severe first.
    assert summary["open_alerts"] == [rows["errors_open"], rows["cpu_open"]]
    assert summary["notifications"] == [
        {"channel": "slack", "label": "Slack", "pending": 0, "sent": 3, "failed": 1, "skipped": 0, "total": 4,
         "success_rate": 75.0},
        {"channel": "email", "label": "Email", "pending": 0, "sent": 2, "failed": 0, "skipped": 1, "total": 3,
         "success_rate": 100.0},
    ]


def test_an_empty_period():
    summary = selectors.alert_summary(since=ago(hours=24), until=NOW)

    assert summary["total"] == 0
    assert summary["top_rules"] == []
    assert summary["mean_time_to_resolve"] is None
    assert summary["open_alerts"] == []
    assert [channel["success_rate"] for channel in summary["notifications"]] == [None, None]


def test_last_notification_queued_at_counts_failed_deliveries_too():
    from .factories import make_alert, make_delivery

    alert = make_alert()
    assert selectors.last_notification_queued_at(alert_id=alert.pk) is None

    make_delivery(alert=alert, event="trigger", status="sent", created_at=ago(hours=3))
    make_delivery(alert=alert, event="reminder", status="failed", created_at=ago(hours=1))
    make_delivery(alert=alert, event="resolve", status="sent", created_at=ago(minutes=5))

    assert selectors.last_notification_queued_at(alert_id=alert.pk) == ago(hours=1)
