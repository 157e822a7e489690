"""Deleting alert history past its retention."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts.models import AlertHistory, NotificationDelivery
from alerts.services.history_cleanup import cleanup_old_alert_history

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 4, 0, 0, tzinfo=UTC)


def days_ago(days):
    return NOW - timedelta(days=days)


def test_old_resolved_alerts_go_with_their_deliveries_and_active_ones_stay(settings):
    settings.ALERT_HISTORY_RETENTION_DAYS = 90
    rule = make_rule()
    other_rule = make_rule(name="Other")
    old = [make_alert(rule, status="resolved", triggered_at=days_ago(200 - i), resolved_at=days_ago(199 - i))
           for i in range(3)]
    for alert in old:
        make_delivery(alert=alert, created_at=alert.triggered_at)
        make_delivery(alert=alert, channel="slack", target="#alerts", created_at=alert.triggered_at)
    # Resolved 89 days ago: within retention, although triggered long before.
    recent = make_alert(other_rule, status="resolved", triggered_at=days_ago(120), resolved_at=days_ago(89))
    make_delivery(alert=recent)
    # Active for 300 days: never deleted.
    ancient_active = make_alert(rule, triggered_at=days_ago(300))
    make_delivery(alert=ancient_active, created_at=days_ago(300))
    old_test = make_delivery(event="test", created_at=days_ago(91))
    old_summary = make_delivery(event="summary", created_at=days_ago(120))
    recent_test = make_delivery(event="test", created_at=days_ago(10))

    counts = cleanup_old_alert_history(now=NOW, batch_size=2)

    assert counts == {"alerts": 3, "alert_deliveries": 6, "other_deliveries": 2}
    assert set(AlertHistory.objects.all()) == {recent, ancient_active}
    remaining = set(NotificationDelivery.objects.values_list("pk", flat=True))
    assert not remaining & {old_test.pk, old_summary.pk}
    assert recent_test.pk in remaining
    assert NotificationDelivery.objects.filter(alert=ancient_active).count() == 1
    assert NotificationDelivery.objects.filter(alert=recent).count() == 1
    # Safe to run twice.
    assert cleanup_old_alert_history(now=NOW) == {"alerts": 0, "alert_deliveries": 0, "other_deliveries": 0}


def test_retention_comes_from_settings(settings):
    alert = make_alert(status="resolved", triggered_at=days_ago(40), resolved_at=days_ago(31))

    settings.ALERT_HISTORY_RETENTION_DAYS = 90
    assert cleanup_old_alert_history(now=NOW)["alerts"] == 0
    settings.ALERT_HISTORY_RETENTION_DAYS = 30
    assert cleanup_old_alert_history(now=NOW)["alerts"] == 1
    assert not AlertHistory.objects.filter(pk=alert.pk).exists()
