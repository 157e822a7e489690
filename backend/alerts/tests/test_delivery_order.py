"""Messages of one alert to one target go out in order: a trigger that was not delivered before its
alert resolved is never sent late on its own (issue 10: a worker killed while Slack hung, the
trigger re-queued by the stalled-delivery sweep and posted "[CRITICAL] ..." after "Resolved")."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import NotificationDelivery
from alerts.services.lifecycle import resolve_by_person
from alerts.services.notifications import (
    SUPERSEDED_REMINDER,
    SUPERSEDED_TRIGGER,
    deliver,
    queue_alert_notifications,
    requeue_stalled_deliveries,
)

from .factories import make_alert, make_rule
from .receivers import Reply

pytestmark = pytest.mark.django_db


def slack_alert():
    rule = make_rule(name="Checkout errors", slack_enabled=True, slack_channel="#ops", severity="critical")
    return make_alert(rule)


def the_delivery(alert, event: str) -> NotificationDelivery:
    return NotificationDelivery.objects.get(alert=alert, event=event)


def abandoned_mid_send(delivery: NotificationDelivery, *, minutes_ago: float) -> None:
    """What a worker killed while sending leaves: the attempt claimed, its lease long over."""
    claimed_at = timezone.now() - timedelta(minutes=minutes_ago)
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, created_at=claimed_at, next_attempt_at=claimed_at + timedelta(seconds=90),
        claimed_until=claimed_at + timedelta(seconds=90),
    )


def texts(server) -> list[str]:
    return [request.json["text"] for request in server.requests]


def test_a_trigger_abandoned_mid_send_is_folded_into_the_resolve_never_sent_after_it(slack_server, user):
    alert = slack_alert()
    queue_alert_notifications(alert=alert, event="trigger")
    trigger = the_delivery(alert, "trigger")
    abandoned_mid_send(trigger, minutes_ago=12)

    resolve_by_person(alert=alert, user=user, notes="Rolled back.")
    resolve = the_delivery(alert, "resolve")
    assert deliver(delivery_id=resolve.pk).status == "sent"
    # The sweep queues the abandoned trigger again; its run finds it superseded.
    assert requeue_stalled_deliveries() == 0
    assert deliver(delivery_id=trigger.pk).status == "not_claimed"

    (only,) = slack_server.requests
    assert only.json["text"] == ":white_check_mark: *Fired and resolved: Checkout errors*"
    body = only.json["attachments"][0]["text"]
    assert body.startswith("Fired at ") and " UTC with 91.5% and resolved by oncall at " in body
    trigger.refresh_from_db()
    assert (trigger.status, trigger.last_error) == ("skipped", SUPERSEDED_TRIGGER)


def test_a_late_trigger_run_before_the_resolve_is_skipped_and_the_resolve_says_both(slack_server, user):
    alert = slack_alert()
    queue_alert_notifications(alert=alert, event="trigger")
    trigger = the_delivery(alert, "trigger")
    abandoned_mid_send(trigger, minutes_ago=12)
    resolve_by_person(alert=alert, user=user, notes="Rolled back.")
    resolve = the_delivery(alert, "resolve")

    assert deliver(delivery_id=trigger.pk).status == "skipped"  # the sweep's run comes first
    assert deliver(delivery_id=resolve.pk).status == "sent"

    assert texts(slack_server) == [":white_check_mark: *Fired and resolved: Checkout errors*"]
    trigger.refresh_from_db()
    assert trigger.last_error == SUPERSEDED_TRIGGER


def test_a_trigger_or_reminder_of_a_resolved_alert_is_never_sent(slack_server):
    rule = make_rule(slack_enabled=True, notify_on_resolve=False)
    alert = make_alert(rule)
    queue_alert_notifications(alert=alert, event="trigger")
    queue_alert_notifications(alert=alert, event="reminder")
    alert.status, alert.resolved_at = "resolved", timezone.now()
    alert.save()

    assert deliver(delivery_id=the_delivery(alert, "trigger").pk).status == "skipped"
    assert deliver(delivery_id=the_delivery(alert, "reminder").pk).status == "skipped"

    assert slack_server.requests == []
    assert "before this could be sent" in the_delivery(alert, "trigger").last_error
    assert the_delivery(alert, "reminder").last_error == SUPERSEDED_REMINDER


def test_a_pending_reminder_is_superseded_by_the_resolve(slack_server, user):
    alert = slack_alert()
    queue_alert_notifications(alert=alert, event="trigger")
    assert deliver(delivery_id=the_delivery(alert, "trigger").pk).status == "sent"
    queue_alert_notifications(alert=alert, event="reminder")
    reminder = the_delivery(alert, "reminder")
    NotificationDelivery.objects.filter(pk=reminder.pk).update(attempts=1)  # waiting for a retry

    resolve_by_person(alert=alert, user=user)
    assert deliver(delivery_id=the_delivery(alert, "resolve").pk).status == "sent"

    assert texts(slack_server) == [
        ":rotating_light: *[CRITICAL] Checkout errors*", ":white_check_mark: *Resolved: Checkout errors*",
    ]
    reminder.refresh_from_db()
    assert (reminder.status, reminder.last_error) == ("skipped", SUPERSEDED_REMINDER)


@pytest.mark.django_db(transaction=True)
def test_a_resolve_waits_for_the_trigger_being_sent_right_now(slack_server, user):
    alert = slack_alert()
    queue_alert_notifications(alert=alert, event="trigger")
    trigger = the_delivery(alert, "trigger")
    slack_server.replies.append(Reply(hang=30))
    sending = threading.Thread(target=deliver, kwargs={"delivery_id": trigger.pk})
    sending.start()
    try:
        for _ in range(500):  # until the receiver holds the trigger's request
            if slack_server.requests:
                break
            threading.Event().wait(0.01)
        resolve_by_person(alert=alert, user=user)
        resolve = the_delivery(alert, "resolve")

        waiting = deliver(delivery_id=resolve.pk)

        assert waiting.status == "pending"
        assert waiting.retry_in is not None and 1 <= waiting.retry_in <= 10
        resolve.refresh_from_db()
        assert (resolve.status, resolve.attempts) == ("pending", 0)
        assert len(slack_server.requests) == 1
    finally:
        slack_server._release.set()
        sending.join(timeout=30)

    assert deliver(delivery_id=resolve.pk, attempt=0).status == "sent"
    assert texts(slack_server) == [
        ":rotating_light: *[CRITICAL] Checkout errors*", ":white_check_mark: *Resolved: Checkout errors*",
    ]
