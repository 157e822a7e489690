"""The delivery service: rows written first, tasks queued on commit, one attempt per claim, retries,
and the synchronous test sends, against the real local Slack and SMTP receivers."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from alerts.models import AlertHistory, NotificationDelivery
from alerts.services import notifications
from alerts.services.notifications import (
    NOT_CLAIMED,
    TestSendStatus,
    deliver,
    queue_alert_notifications,
    requeue_stalled_deliveries,
    send_test_email,
    send_test_slack,
)
from alerts.services.slack_notifier import SlackNotifier

from .conftest import WEBHOOK_PATH, WEBHOOK_TOKEN
from .factories import make_alert, make_delivery, make_rule
from .receivers import Reply, closed_port

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def both_channels_rule(**fields):
    values = {"slack_enabled": True, "slack_channel": "#system-alerts", "email_enabled": True,
              "email_recipients": ["dev@resee.com", "ops@resee.com"]}
    values.update(fields)
    return make_rule(**values)


def queue(alert, event="trigger"):
    """queue_alert_notifications as the engine calls it: inside a transaction."""
    with transaction.atomic():
        return queue_alert_notifications(alert=alert, event=event)


def delivery(pk) -> NotificationDelivery:
    return NotificationDelivery.objects.get(pk=pk)


# --- queueing -------------------------------------------------------------------------------------


def test_one_pending_delivery_per_channel_and_target_and_one_task_each_after_commit(
    django_capture_on_commit_callbacks, queued_tasks
):
    alert = make_alert(both_channels_rule())

    with django_capture_on_commit_callbacks() as callbacks:
        deliveries = queue(alert)
        # Written, and nothing queued yet: the transaction has not committed.
        assert queued_tasks == []

    rows = NotificationDelivery.objects.filter(alert=alert).order_by("pk")
    assert [(d.channel, d.target, d.event, d.status, d.attempts) for d in rows] == [
        ("slack", "#system-alerts", "trigger", "pending", 0),
        ("email", "dev@resee.com", "trigger", "pending", 0),
        ("email", "ops@resee.com", "trigger", "pending", 0),
    ]
    assert [d.pk for d in deliveries] == [d.pk for d in rows]
    assert len(callbacks) == 3
    for callback in callbacks:
        callback()
    assert queued_tasks == [{"delivery_id": d.pk, "attempt": 0} for d in rows]


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, queued_tasks):
    alert = make_alert(both_channels_rule())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_alert_notifications(alert=alert, event="trigger")
            raise RuntimeError("the engine failed after queueing")

    assert callbacks == []
    assert queued_tasks == []
    assert NotificationDelivery.objects.count() == 0


def test_a_broker_error_for_one_delivery_does_not_stop_the_others(monkeypatch, caplog,
                                                                  django_capture_on_commit_callbacks):
    from alerts.tasks import send_notification

    queued: list[int | None] = []

    def flaky_apply_async(*, kwargs):
        if not queued:
            queued.append(None)
            raise ConnectionError("broker unreachable")
        queued.append(kwargs["delivery_id"])

    monkeypatch.setattr(send_notification, "apply_async", flaky_apply_async)
    alert = make_alert(both_channels_rule())

    with django_capture_on_commit_callbacks(execute=True):
        first, *others = queue(alert)

    assert queued == [None, *(d.pk for d in others)]
    assert f"Could not queue notification {first.pk}; it stays pending" in caplog.text
    assert delivery(first.pk).status == "pending"


def test_the_message_is_built_once_and_stored_on_every_delivery(django_capture_on_commit_callbacks, queued_tasks):
    alert = make_alert(both_channels_rule(), metric_value=91.5)

    with django_capture_on_commit_callbacks():
        queue(alert)

    payloads = [d.payload for d in NotificationDelivery.objects.all()]
    assert payloads[0]["value"] == 91.5
    assert payloads[0]["title"] == "High CPU Usage"
    assert all(payload == payloads[0] for payload in payloads)
    # The payload holds no secret.
    assert "hooks" not in str(payloads[0]) and "password" not in str(payloads[0]).lower()


def test_a_rule_without_channels_queues_nothing(django_capture_on_commit_callbacks):
    alert = make_alert(make_rule())

    with django_capture_on_commit_callbacks() as callbacks:
        assert queue(alert) == []

    assert callbacks == []


def test_notify_on_resolve_off_queues_no_resolve_message(django_capture_on_commit_callbacks):
    alert = make_alert(both_channels_rule(notify_on_resolve=False), status="resolved")

    with django_capture_on_commit_callbacks():
        assert queue(alert, "resolve") == []
        assert len(queue(alert, "reminder")) == 3


def test_only_alert_events_are_queued_for_an_alert():
    with pytest.raises(ValueError):
        queue_alert_notifications(alert=make_alert(), event="summary")


# --- one attempt ----------------------------------------------------------------------------------


def test_deliver_sends_on_every_channel_and_counts_the_notifications(
    slack_server, smtp_server, django_capture_on_commit_callbacks
):
    alert = make_alert(both_channels_rule())
    with django_capture_on_commit_callbacks():
        deliveries = queue(alert)

    outcomes = [deliver(delivery_id=d.pk, now=T0) for d in deliveries]

    assert [o.status for o in outcomes] == ["sent", "sent", "sent"]
    assert len(slack_server.requests) == 1
    assert sorted(m["To"] for m in smtp_server.messages) == ["dev@resee.com", "ops@resee.com"]
    for d in deliveries:
        row = delivery(d.pk)
        assert (row.status, row.attempts, row.sent_at, row.last_error, row.next_attempt_at) == ("sent", 1, T0, "", None)
    assert delivery(deliveries[0].pk).response_code == 200
    alert.refresh_from_db()
    assert alert.notification_count == 3
    assert alert.last_notified_at == T0


def test_the_row_is_written_and_claimed_before_the_attempt(slack_server, monkeypatch):
    d = make_delivery(alert=make_alert(), channel="slack", target="#alerts", status="pending",
                      payload=_trigger_payload())
    seen_at_send = []
    real_send = SlackNotifier.send

    def spying_send(self, message, *, target):
        row = delivery(d.pk)
        seen_at_send.append((row.status, row.attempts, row.sent_at))
        return real_send(self, message, target=target)

    monkeypatch.setattr(SlackNotifier, "send", spying_send)

    deliver(delivery_id=d.pk)

    assert seen_at_send == [("pending", 1, None)]
    assert delivery(d.pk).status == "sent"


def _trigger_payload():
    from alerts.services.messages import build_alert_message

    return build_alert_message(alert=make_alert(make_rule(name="Payload rule")), event="trigger").as_dict()


def test_running_the_task_twice_sends_once(slack_server):
    d = make_delivery(alert=make_alert(), channel="slack", target="#alerts", status="pending",
                      payload=_trigger_payload())

    first = deliver(delivery_id=d.pk, attempt=0)
    second = deliver(delivery_id=d.pk, attempt=0)
    third = deliver(delivery_id=d.pk)

    assert first.status == "sent"
    assert second.status == NOT_CLAIMED
    assert third.status == NOT_CLAIMED
    assert len(slack_server.requests) == 1
    assert delivery(d.pk).attempts == 1
    assert d.alert_id is not None
    assert AlertHistory.objects.get(pk=d.alert_id).notification_count == 1


def test_a_stale_task_does_not_send_an_attempt_another_run_owns(slack_server):
    d = make_delivery(channel="slack", target="#alerts", status="pending", attempts=2, payload=_trigger_payload())

    outcome = deliver(delivery_id=d.pk, attempt=1)

    assert outcome.status == NOT_CLAIMED
    assert slack_server.requests == []
    assert delivery(d.pk).attempts == 2


def test_a_deleted_delivery_is_nothing_to_do():
    assert deliver(delivery_id=987654).status == NOT_CLAIMED


def test_slack_not_configured_is_skipped_with_the_reason(smtp_server, django_capture_on_commit_callbacks):
    alert = make_alert(both_channels_rule())
    with django_capture_on_commit_callbacks():
        deliveries = queue(alert)

    outcomes = [deliver(delivery_id=d.pk) for d in deliveries]

    assert [o.status for o in outcomes] == ["skipped", "sent", "sent"]
    slack = delivery(deliveries[0].pk)
    assert (slack.status, slack.attempts) == ("skipped", 0)
    assert slack.last_error == "Slack is not configured: SLACK_WEBHOOK_URL is not set."
    alert.refresh_from_db()
    assert alert.notification_count == 2


def test_one_channel_failing_does_not_stop_the_other(slack_server, smtp_server, django_capture_on_commit_callbacks):
    slack_server.default_reply = Reply(404, "channel_not_found")
    alert = make_alert(both_channels_rule(email_recipients=["dev@resee.com"]))
    with django_capture_on_commit_callbacks():
        slack, email = queue(alert)

    deliver(delivery_id=slack.pk)
    deliver(delivery_id=email.pk)

    assert (delivery(slack.pk).status, delivery(slack.pk).response_code) == ("failed", 404)
    assert delivery(slack.pk).last_error == "Slack answered HTTP 404: channel_not_found"
    assert delivery(email.pk).status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_notifier_that_crashes_is_recorded_as_failed(smtp_server, monkeypatch, settings,
                                                        django_capture_on_commit_callbacks):
    settings.SLACK_WEBHOOK_URL = f"https://hooks.example.com{WEBHOOK_PATH}"

    def broken_send(self, message, *, target):
        raise KeyError("attachments")

    monkeypatch.setattr(SlackNotifier, "send", broken_send)
    alert = make_alert(both_channels_rule(email_recipients=["dev@resee.com"]))
    with django_capture_on_commit_callbacks():
        slack, email = queue(alert)

    deliver(delivery_id=slack.pk)
    deliver(delivery_id=email.pk)

    assert delivery(slack.pk).status == "failed"
    assert delivery(slack.pk).last_error == "Unexpected error: KeyError: 'attachments'"
    assert delivery(email.pk).status == "sent"


def test_an_invalid_stored_target_fails_without_sending(slack_server):
    d = make_delivery(channel="slack", target="general", status="pending", payload=_trigger_payload())

    assert deliver(delivery_id=d.pk).status == "failed"

    assert delivery(d.pk).last_error.startswith("Invalid target: Enter a Slack channel as #name")
    assert slack_server.requests == []


def test_an_unknown_channel_fails():
    d = make_delivery(channel="pager", target="x", status="pending", payload=_trigger_payload())

    assert deliver(delivery_id=d.pk).status == "failed"
    assert delivery(d.pk).last_error == "Unknown notification channel 'pager'."


# --- retries --------------------------------------------------------------------------------------


def slack_delivery():
    return make_delivery(alert=make_alert(), channel="slack", target="#alerts", status="pending",
                         payload=_trigger_payload())


def test_a_server_error_is_retried_later(slack_server):
    slack_server.replies.append(Reply(503, "service unavailable"))
    d = slack_delivery()

    outcome = deliver(delivery_id=d.pk, now=T0, jitter=0.0)

    assert (outcome.status, outcome.attempts, outcome.retry_in) == ("pending", 1, 15.0)
    row = delivery(d.pk)
    assert (row.status, row.attempts, row.response_code) == ("pending", 1, 503)
    assert row.last_error == "Slack answered HTTP 503: service unavailable"
    assert row.next_attempt_at == T0 + timedelta(seconds=15)

    retry = deliver(delivery_id=d.pk, attempt=1, now=T0 + timedelta(seconds=15))

    assert retry.status == "sent"
    row = delivery(d.pk)
    assert (row.status, row.attempts, row.last_error, row.next_attempt_at) == ("sent", 2, "", None)
    assert len(slack_server.requests) == 2


def test_backoff_grows_and_gives_up_after_the_maximum(slack_server, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    slack_server.default_reply = Reply(500, "boom")
    d = slack_delivery()

    outcomes = [deliver(delivery_id=d.pk, jitter=1.0) for _ in range(5)]

    assert [o.retry_in for o in outcomes] == [30.0, 60.0, 120.0, None, None]
    assert [o.status for o in outcomes] == ["pending", "pending", "pending", "failed", NOT_CLAIMED]
    assert len(slack_server.requests) == 4
    row = delivery(d.pk)
    assert (row.status, row.attempts, row.response_code) == ("failed", 4, 500)
    assert row.last_error == "Slack answered HTTP 500: boom Gave up after 4 attempts."
    assert AlertHistory.objects.get(pk=d.alert_id).notification_count == 0


def test_rate_limiting_honours_retry_after(slack_server):
    slack_server.replies.append(Reply(429, "rate_limited", headers={"Retry-After": "120"}))
    d = slack_delivery()

    outcome = deliver(delivery_id=d.pk, now=T0, jitter=0.0)

    assert outcome.retry_in == 120.0
    assert delivery(d.pk).next_attempt_at == T0 + timedelta(seconds=120)
    assert delivery(d.pk).response_code == 429


def test_a_client_error_fails_at_once(slack_server):
    slack_server.replies.append(Reply(400, "invalid_payload"))
    d = slack_delivery()

    outcome = deliver(delivery_id=d.pk)

    assert (outcome.status, outcome.retry_in) == ("failed", None)
    row = delivery(d.pk)
    assert (row.status, row.attempts, row.response_code) == ("failed", 1, 400)
    assert row.last_error == "Slack answered HTTP 400: invalid_payload"


def test_a_timeout_is_retried(slack_server, settings):
    settings.NOTIFICATION_TIMEOUT_SECONDS = 0.3
    slack_server.replies.append(Reply(200, hang=10))
    d = slack_delivery()

    outcome = deliver(delivery_id=d.pk)

    assert outcome.status == "pending" and outcome.retry_in is not None
    assert delivery(d.pk).last_error == "Slack did not answer within 0.3 s."


def test_the_webhook_url_never_appears_in_a_recorded_error(slack_server, settings):
    slack_server.replies.append(Reply(500, f"upstream {slack_server.url(WEBHOOK_PATH)} failed"))
    echoed = slack_delivery()
    refused = slack_delivery()

    deliver(delivery_id=echoed.pk)
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}{WEBHOOK_PATH}"
    deliver(delivery_id=refused.pk)

    assert delivery(echoed.pk).last_error == "Slack answered HTTP 500: upstream [redacted] failed"
    assert delivery(refused.pk).last_error == "Could not connect to the Slack webhook host."
    for d in (echoed, refused):
        assert WEBHOOK_TOKEN not in delivery(d.pk).last_error


def test_a_refused_smtp_connection_is_retried_then_failed(smtp_server, settings):
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-123"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    d = make_delivery(alert=make_alert(), channel="email", target="dev@resee.com", status="pending",
                      payload=_trigger_payload())

    first = deliver(delivery_id=d.pk)
    second = deliver(delivery_id=d.pk)

    assert (first.status, first.attempts) == ("pending", 1)
    assert (second.status, second.attempts) == ("failed", 2)
    error = delivery(d.pk).last_error
    assert error.startswith("Could not connect to the mail server 127.0.0.1:")
    assert error.endswith("Gave up after 2 attempts.")
    assert "smtp-pass-123" not in error


# --- stalled deliveries ---------------------------------------------------------------------------


def test_stalled_deliveries_are_queued_again(queued_tasks):
    now = T0
    lost = make_delivery(status="pending", created_at=now - timedelta(hours=1))
    overdue_retry = make_delivery(status="pending", attempts=2, created_at=now - timedelta(hours=1),
                                  next_attempt_at=now - timedelta(minutes=30))
    make_delivery(status="pending", created_at=now - timedelta(minutes=1))  # its task is on the way
    make_delivery(status="pending", attempts=1, created_at=now - timedelta(hours=1),
                  next_attempt_at=now + timedelta(minutes=5))  # retry scheduled
    make_delivery(status="pending", attempts=1, created_at=now - timedelta(hours=1),
                  next_attempt_at=now + timedelta(seconds=60))  # an attempt in progress
    make_delivery(status="pending", event="test", created_at=now - timedelta(hours=1))
    make_delivery(status="sent", created_at=now - timedelta(hours=1))

    assert requeue_stalled_deliveries(now=now) == 2

    assert sorted(queued_tasks, key=lambda task: task["delivery_id"]) == [
        {"delivery_id": lost.pk, "attempt": 0},
        {"delivery_id": overdue_retry.pk, "attempt": 2},
    ]


def test_a_claimed_attempt_is_leased_so_it_is_not_requeued(slack_server, monkeypatch):
    d = slack_delivery()
    NotificationDelivery.objects.filter(pk=d.pk).update(created_at=T0 - timedelta(hours=1))
    requeued_during_send = []
    real_send = SlackNotifier.send

    def send_and_sweep(self, message, *, target):
        requeued_during_send.append(requeue_stalled_deliveries(now=T0))
        return real_send(self, message, target=target)

    monkeypatch.setattr(SlackNotifier, "send", send_and_sweep)
    monkeypatch.setattr(notifications, "enqueue_delivery", lambda *args: pytest.fail("requeued while sending"))

    deliver(delivery_id=d.pk, now=T0)

    assert requeued_during_send == [0]


# --- synchronous test sends -----------------------------------------------------------------------


def test_send_test_slack(slack_server, user):
    outcome = send_test_slack(message="Test alert from Resee", user=user)

    assert outcome.ok
    assert outcome.status == TestSendStatus.SENT
    assert outcome.detail == "Test message sent to #alerts."
    payload = slack_server.requests[0].json
    assert payload["channel"] == "#alerts"
    assert payload["attachments"][0]["text"] == "Test alert from Resee"
    row = outcome.delivery
    assert row is not None
    assert (row.event, row.channel, row.target, row.status, row.attempts, row.alert) == (
        "test", "slack", "#alerts", "sent", 1, None)


def test_send_test_slack_to_a_channel(slack_server):
    outcome = send_test_slack(message="hello", channel="#ops")

    assert outcome.ok
    assert slack_server.requests[0].json["channel"] == "#ops"


def test_send_test_slack_with_invalid_input_records_nothing(slack_server):
    outcome = send_test_slack(message="x" * 2001, channel="ops")

    assert outcome.status == TestSendStatus.INVALID
    assert set(outcome.field_errors) == {"message", "channel"}
    assert outcome.delivery is None
    assert NotificationDelivery.objects.count() == 0
    assert slack_server.requests == []


def test_send_test_slack_not_configured():
    outcome = send_test_slack(message="hello")

    assert outcome.status == TestSendStatus.NOT_CONFIGURED
    assert outcome.detail == "Slack is not configured: SLACK_WEBHOOK_URL is not set."
    assert outcome.delivery is not None
    assert outcome.delivery.status == "skipped"


def test_send_test_slack_refused_reports_the_error_once_without_the_url(slack_server):
    slack_server.default_reply = Reply(500, f"oops at {WEBHOOK_PATH}")

    outcome = send_test_slack(message="hello")

    assert outcome.status == TestSendStatus.FAILED
    assert outcome.detail == "Slack answered HTTP 500: oops at [redacted]"
    assert outcome.delivery is not None
    assert (outcome.delivery.status, outcome.delivery.attempts) == ("failed", 1)
    assert len(slack_server.requests) == 1  # a test send is not retried


def test_send_test_slack_uses_a_default_message(slack_server):
    send_test_slack(message="")

    assert slack_server.requests[0].json["attachments"][0]["text"] == "Test alert from Resee Alerts"


def test_send_test_email(smtp_server, user):
    outcome = send_test_email(recipient="test@example.com", message="Test alert", user=user)

    assert outcome.ok
    assert outcome.delivery is not None
    assert (outcome.delivery.event, outcome.delivery.channel, outcome.delivery.target) == (
        "test", "email", "test@example.com")
    (received,) = smtp_server.messages
    assert received["To"] == "test@example.com"
    assert received["Subject"] == "[TEST] Resee Alerts test notification"


@pytest.mark.parametrize("recipient", ["", None, "not-an-address", "a@b.com\nBcc: c@d.com"])
def test_send_test_email_invalid_recipient(smtp_server, recipient):
    outcome = send_test_email(recipient=recipient, message="hi")

    assert outcome.status == TestSendStatus.INVALID
    assert list(outcome.field_errors) == ["recipient"]
    assert smtp_server.messages == []


def test_send_test_email_refused_connection(smtp_server, settings):
    settings.EMAIL_PORT = port = closed_port()

    outcome = send_test_email(recipient="test@example.com", message="hi")

    assert outcome.status == TestSendStatus.FAILED
    assert outcome.detail == f"Could not connect to the mail server 127.0.0.1:{port}: Connection refused."
    assert outcome.delivery is not None
    assert outcome.delivery.status == "failed"
