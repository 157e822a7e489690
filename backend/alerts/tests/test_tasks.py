"""The Celery tasks are thin: they call the services, and send_notification retries through Celery."""

import pytest

from alerts import tasks
from alerts.models import NotificationDelivery

from .factories import make_alert, make_delivery, make_rule
from .receivers import Reply

pytestmark = pytest.mark.django_db


def pending_slack_delivery():
    from alerts.services.messages import build_alert_message

    alert = make_alert(make_rule(slack_enabled=True))
    payload = build_alert_message(alert=alert, event="trigger").as_dict()
    return make_delivery(alert=alert, channel="slack", target="#alerts", status="pending", payload=payload)


def test_send_notification_delivers(slack_server):
    d = pending_slack_delivery()

    result = tasks.send_notification.apply(kwargs={"delivery_id": d.pk, "attempt": 0})

    assert result.get() == "sent"
    assert NotificationDelivery.objects.get(pk=d.pk).status == "sent"
    assert len(slack_server.requests) == 1


def test_send_notification_retries_through_celery_until_the_bound(slack_server, settings):
    # Eager tasks retry at once: the countdown is checked with the policy's own tests.
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    slack_server.default_reply = Reply(502, "bad gateway")
    d = pending_slack_delivery()

    tasks.send_notification.apply(kwargs={"delivery_id": d.pk, "attempt": 0})

    row = NotificationDelivery.objects.get(pk=d.pk)
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(slack_server.requests) == 3


def test_send_notification_asks_celery_for_the_policys_countdown(slack_server, monkeypatch):
    slack_server.replies.append(Reply(429, "slow down", headers={"Retry-After": "42"}))
    d = pending_slack_delivery()
    retried = []

    def fake_retry(**options):
        retried.append(options)
        return RuntimeError("retry requested")

    monkeypatch.setattr(tasks.send_notification, "retry", fake_retry)

    with pytest.raises(RuntimeError, match="retry requested"):
        tasks.send_notification.run(delivery_id=d.pk, attempt=0)

    assert retried == [{"kwargs": {"delivery_id": d.pk, "attempt": 1}, "countdown": 42.0}]


def test_queued_alert_notifications_run_as_tasks_after_commit(
    slack_server, celery_eager, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from alerts.services.notifications import queue_alert_notifications

    alert = make_alert(make_rule(slack_enabled=True))

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queue_alert_notifications(alert=alert, event="trigger")
        assert slack_server.requests == []

    assert len(slack_server.requests) == 1
    alert.refresh_from_db()
    assert alert.notification_count == 1


def test_the_daily_summary_task_without_recipients():
    assert tasks.send_daily_alert_summary.apply().get() == {"recipients": 0, "queued": 0, "skipped": "no recipients"}


def test_the_cleanup_task_returns_its_counts():
    assert tasks.cleanup_old_alert_history.apply().get() == {
        "alerts": 0, "alert_deliveries": 0, "other_deliveries": 0,
        "telemetry": {"metric_samples": 0, "request_rollups": 0, "error_counts": 0, "active_user_minutes": 0,
                      "ai_usage": 0, "error_logs": 0, "check_results": 0, "otlp_cumulative_points": 0,
                      "metric_series": 0},
    }
