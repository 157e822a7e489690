"""Notification delivery: one NotificationDelivery row per channel and target, written before the
attempt, sent by a Celery task after the transaction commits, retried when the failure is
transient, and updated with the outcome.

The alert engine calls `queue_alert_notifications`; the task `alerts.tasks.send_notification`
calls `deliver`; the test endpoints call `send_test_slack` / `send_test_email`.
"""

import dataclasses
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import (
    AlertHistory,
    AlertStatus,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
)
from ..tasks import send_notification
from . import flapping, grouping
from .channels import default_channel, notifier_for, routes_for_alert
from .inhibitions import inhibitions_for
from .messages import (
    ALERT_EVENTS,
    NotificationMessage,
    build_alert_message,
    build_flapping_message,
    build_suppressed_message,
    build_test_message,
    format_time,
)
from .notifier_base import SendResult, scrub_secrets
from .retry_policy import retry_delay_seconds, should_retry
from .silences import holds_for_alert

logger = logging.getLogger(__name__)

MAX_TEST_MESSAGE_LENGTH = 2000
DEFAULT_TEST_MESSAGE = "Test alert from Resee Alerts"
NOT_CLAIMED = "not_claimed"
# How long a resolve waits, at most, before looking again at an earlier message to the same target
# that is being sent right now.
ORDER_WAIT_SECONDS = 10.0
SUPERSEDED_TRIGGER = "Superseded by the resolve, sent as one fired-and-resolved message."
SUPERSEDED_REMINDER = "Superseded by the resolve: the alert was resolved before this reminder went out."
SUPERSEDED_ACKNOWLEDGE = "Superseded by the resolve: the alert was resolved before its acknowledgement went out."
SUPERSEDED_ESCALATION = "Superseded by the resolve: the alert was resolved before its escalation went out."
# Messages that say an alert is open: not sent once it is resolved.
_SUPERSEDED_BY_RESOLVE = (
    NotificationEvent.TRIGGER, NotificationEvent.REMINDER, NotificationEvent.ACKNOWLEDGE, NotificationEvent.ESCALATION,
)


# --- queueing -------------------------------------------------------------------------------------


def enqueue_delivery(delivery_id: int, attempt: int = 0) -> None:
    """Put one delivery on the Celery queue. `attempt` is the number of attempts already made:
    only the task that finds the row at that count may send, so a duplicate runs to nothing."""
    send_notification.apply_async(kwargs={"delivery_id": delivery_id, "attempt": attempt})


def create_deliveries(
    *, message: NotificationMessage, targets: Sequence[tuple[NotificationChannel | str, str]],
    alert: AlertHistory | None = None, queue: bool = True, now: datetime | None = None, skipped: str = "",
) -> list[NotificationDelivery]:
    """Write one pending delivery per (channel, target) and, with `queue`, queue each one's task
    when the transaction commits: nothing is sent for an alert whose transaction rolled back.
    A channel given as a kind ("slack", "email") is the environment's default channel of it.
    With `skipped` (the reason), the rows are written as skipped with it, and nothing is queued."""
    payload = message.as_dict()
    created_at = now or timezone.now()
    channels = [
        (default_channel(channel) if isinstance(channel, str) else channel, target) for channel, target in targets
    ]
    with transaction.atomic():
        deliveries = NotificationDelivery.objects.bulk_create(
            [
                NotificationDelivery(
                    alert=alert, event=message.kind, channel=channel.kind, notification_channel=channel,
                    channel_name=channel.name, target=target, payload=payload, created_at=created_at,
                    **({"status": DeliveryStatus.SKIPPED, "last_error": skipped} if skipped else {}),
                )
                for channel, target in channels
            ]
        )
        for delivery in deliveries if queue and not skipped else ():
            transaction.on_commit(_enqueue_after_commit(delivery.pk))
    return deliveries


def _enqueue_after_commit(delivery_id: int):
    def enqueue_after_commit():
        # A broker error for one delivery must not stop the others, nor fail the caller whose
        # transaction has already committed: the row stays pending, visible, and
        # requeue_stalled_deliveries queues it again later.
        try:
            enqueue_delivery(delivery_id)
        except Exception:
            logger.exception("Could not queue notification %s; it stays pending", delivery_id)

    return enqueue_after_commit


def queue_alert_notifications(
    *, alert: AlertHistory, event: str, now: datetime | None = None,
) -> list[NotificationDelivery]:
    """Queue the notifications for a trigger, reminder or resolve event of `alert`: one delivery
    per channel and target its routing names (services.channels; a rule with `notify_on_resolve`
    off gets none for a resolve). Call it inside the transaction that changes the alert.

    While a silence or a maintenance window matches the alert at `now` (the event's time), each
    of those deliveries is written as skipped, saying which one and until when, and none is sent;
    a held trigger or reminder marks the alert `held_by_silence`, so that one message goes out
    once nothing holds it (lifecycle.release_held_alerts).

    Else, while an open alert inhibits it (services.inhibitions: an active inhibition rule's source
    alert, with the same values of the rule's `equal` labels), each delivery is written as skipped,
    naming that alert and the rule, and none is sent. Nothing is owed when the source resolves:
    the alert's next reminder goes out as usual if nothing inhibits it then.

    The routes of a policy with group_by get none of these: the alert joins the policy's
    notification group, which sends one message for all its alerts (services.grouping)."""
    if event not in ALERT_EVENTS or event == NotificationEvent.ESCALATION:
        raise ValueError(f"{event!r} is not an alert event; expected one of {', '.join(ALERT_EVENTS)}"
                         " (escalations: queue_escalation)")
    rule = alert.rule
    if rule is None:  # the rule is gone, and with it whom to tell
        return []
    if event == NotificationEvent.RESOLVE and not rule.notify_on_resolve:
        return []
    routes = routes_for_alert(alert)
    # A policy with group_by tells its channels through the alert's group (services.grouping).
    grouped = grouping.take_grouped_routes(alert=alert, routes=routes, event=event, now=now)
    targets: list[tuple[NotificationChannel | str, str]] = [
        (route.channel, route.target) for route in routes if route not in grouped
    ]
    if event in (NotificationEvent.RESOLVE, NotificationEvent.ACKNOWLEDGE):
        targets += _escalated_targets(alert, known=targets)
    if not targets:
        return []
    message = build_alert_message(alert=alert, event=event)
    opens = event in (NotificationEvent.TRIGGER, NotificationEvent.REMINDER)
    holds = holds_for_alert(alert, now=now)
    if holds:
        if opens and not alert.held_by_silence:
            AlertHistory.objects.filter(pk=alert.pk).update(held_by_silence=True)
            alert.held_by_silence = True
        return create_deliveries(message=message, targets=targets, alert=alert, skipped=holds[0].reason)
    if opens and alert.held_by_silence:
        # Told now: the message a silence held back is owed no more.
        AlertHistory.objects.filter(pk=alert.pk).update(held_by_silence=False)
        alert.held_by_silence = False
    inhibited = inhibitions_for(alert)
    if inhibited:
        return create_deliveries(message=message, targets=targets, alert=alert, skipped=inhibited[0].reason)
    flap = flapping.check(alert, event=event, now=now)
    if flap.reason:
        if flap.started:
            create_deliveries(message=build_flapping_message(alert=alert, text=flap.notice, now=now),
                              targets=targets, alert=alert, now=now)
        return create_deliveries(message=message, targets=targets, alert=alert, skipped=flap.reason)
    return create_deliveries(message=message, targets=targets, alert=alert)


def _alert_targets(alert: AlertHistory) -> list[tuple[NotificationChannel | str, str]]:
    return [(route.channel, route.target) for route in routes_for_alert(alert)]


def _escalated_targets(alert: AlertHistory, *, known) -> list[tuple[NotificationChannel | str, str]]:
    """The escalation targets that heard of `alert` (or are about to) besides its own routes: they
    hear its acknowledgement and its resolve too (a PagerDuty incident opened by an escalation is
    resolved with it)."""
    seen = {(channel.pk if isinstance(channel, NotificationChannel) else channel, target) for channel, target in known}
    found: list[tuple[NotificationChannel | str, str]] = []
    escalated = (NotificationDelivery.objects.filter(
        alert=alert, event=NotificationEvent.ESCALATION, status__in=(DeliveryStatus.SENT, DeliveryStatus.PENDING),
        notification_channel__isnull=False,
    ).select_related("notification_channel").order_by("pk"))
    for delivery in escalated:
        channel = delivery.notification_channel
        assert channel is not None  # filtered above
        if (channel.pk, delivery.target) not in seen and channel.is_active:
            seen.add((channel.pk, delivery.target))
            found.append((channel, delivery.target))
    return found


def queue_flapping_notice(*, alert: AlertHistory, text: str, now: datetime | None = None) -> list[NotificationDelivery]:
    """Tell the channels of `alert` that its rule (group) stopped flapping (`text`); held back, and
    recorded as skipped, while a silence holds the alert."""
    targets = _alert_targets(alert) if alert.rule is not None else []
    if not targets:
        return []
    holds = holds_for_alert(alert, now=now)
    return create_deliveries(message=build_flapping_message(alert=alert, text=text, now=now), targets=targets,
                             alert=alert, now=now, skipped=holds[0].reason if holds else "")


def queue_escalation(
    *, alert: AlertHistory, targets: Sequence[tuple[NotificationChannel, str]], after_minutes: int,
    now: datetime | None = None,
) -> list[NotificationDelivery]:
    """Send `alert`, not acknowledged for `after_minutes`, to a policy's escalation `targets`."""
    message = build_alert_message(alert=alert, event=NotificationEvent.ESCALATION, now=now,
                                  escalated_after_minutes=after_minutes)
    return create_deliveries(message=message, targets=targets, alert=alert, now=now)


def queue_suppressed_notice(
    *, alert: AlertHistory, text: str, now: datetime | None = None
) -> list[NotificationDelivery]:
    """Tell the channels of `alert`'s rule that its new alerts are held back (`text` says why and
    until when). Call it inside the transaction that moves the rule to suppressed."""
    rule = alert.rule
    targets = _alert_targets(alert) if rule is not None else []
    if not targets:
        return []
    message = build_suppressed_message(alert=alert, text=text, now=now)
    holds = holds_for_alert(alert, now=now)
    return create_deliveries(message=message, targets=targets, alert=alert, now=now,
                             skipped=holds[0].reason if holds else "")


# --- one attempt ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery_id: int
    # The delivery's status after this call, or NOT_CLAIMED when this call did not own the attempt
    # (already done, another run has it, or the row is gone).
    status: str
    attempts: int = 0
    # Seconds until the next attempt, when one is due.
    retry_in: float | None = None


def _attempt_lease() -> timedelta:
    return timedelta(seconds=max(settings.CELERY_TASK_TIME_LIMIT, settings.NOTIFICATION_TIMEOUT_SECONDS) + 30)


def _finish(delivery_id: int, claimed_attempts: int, **fields) -> None:
    # Only the run that claimed the attempt (and so set this attempt count) writes its outcome.
    fields.setdefault("next_attempt_at", None)
    fields.setdefault("claimed_until", None)
    NotificationDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=claimed_attempts
    ).update(**fields)


def deliver(
    *, delivery_id: int, attempt: int | None = None, retry: bool = True, now: datetime | None = None,
    jitter: float | None = None,
) -> DeliveryOutcome:
    """Make one attempt at a pending delivery and record its outcome.

    The attempt is claimed with a conditional update (attempts: n -> n+1 while pending); only the
    caller that changed the row sends, so a task delivered twice sends once. `attempt` is the
    count the caller expects (None: whatever it is now). A transient failure leaves the row
    pending with `next_attempt_at` and returns `retry_in` while attempts remain (and `retry`);
    anything else ends as sent, failed or skipped.
    """
    delivery = (
        NotificationDelivery.objects.filter(pk=delivery_id).select_related("alert", "notification_channel").first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return DeliveryOutcome(delivery_id, NOT_CLAIMED, delivery.attempts if delivery else 0)
    seen = delivery.attempts if attempt is None else attempt
    started = now or timezone.now()
    # While the attempt runs, next_attempt_at is when it will have ended one way or another (the
    # task's hard time limit), so requeue_stalled_deliveries leaves it alone until then, and a
    # later message to the same target waits for it (claimed_until).
    lease_end = started + _attempt_lease()
    claimed = NotificationDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=seen
    ).update(attempts=seen + 1, next_attempt_at=lease_end, claimed_until=lease_end)
    if claimed != 1:
        return DeliveryOutcome(delivery_id, NOT_CLAIMED, delivery.attempts)
    attempts = seen + 1

    # Messages of one alert to one target go out in order (docs/architecture.md §5).
    if delivery.event == NotificationEvent.ESCALATION and delivery.alert is not None \
            and delivery.alert.acknowledged_at is not None and not _alert_resolved(delivery):
        reason = "Not sent: the alert was acknowledged before its escalation went out."
        _finish(delivery_id, attempts, status=DeliveryStatus.SKIPPED, attempts=seen, last_error=reason)
        return DeliveryOutcome(delivery_id, DeliveryStatus.SKIPPED, seen)
    if delivery.event in _SUPERSEDED_BY_RESOLVE and _alert_resolved(delivery):
        reason = _too_late_reason(delivery)
        _finish(delivery_id, attempts, status=DeliveryStatus.SKIPPED, attempts=seen, last_error=reason)
        logger.info("Notification %s skipped: %s", delivery_id, reason)
        return DeliveryOutcome(delivery_id, DeliveryStatus.SKIPPED, seen)
    if delivery.event == NotificationEvent.RESOLVE and delivery.alert_id is not None:
        wait = _wait_for_earlier(delivery, started)
        if wait is not None:
            # Not an attempt: the claim is given back, and the task looks again shortly.
            _finish(delivery_id, attempts, attempts=seen, next_attempt_at=started + timedelta(seconds=wait))
            return DeliveryOutcome(delivery_id, DeliveryStatus.PENDING, seen, retry_in=wait)
        delivery.payload = _supersede_earlier(delivery, started, attempts)
    if delivery.event == NotificationEvent.ACKNOWLEDGE and delivery.alert_id is not None:
        wait = _wait_for_undelivered(delivery, started)
        if wait is not None:
            # Not an attempt: "acknowledged" never arrives before the alert it acknowledges.
            _finish(delivery_id, attempts, attempts=seen, next_attempt_at=started + timedelta(seconds=wait))
            return DeliveryOutcome(delivery_id, DeliveryStatus.PENDING, seen, retry_in=wait)

    channel = delivery.notification_channel
    notifier = notifier_for(channel, delivery.channel)
    if notifier is None:
        _finish(delivery_id, attempts, status=DeliveryStatus.FAILED, attempts=seen,
                last_error=f"Unknown notification channel {delivery.channel!r}.")
        return DeliveryOutcome(delivery_id, DeliveryStatus.FAILED, seen)
    problem = _not_sendable(delivery, channel, notifier) or notifier.configuration_problem()
    if problem:
        # Nothing was attempted: the attempt count goes back.
        _finish(delivery_id, attempts, status=DeliveryStatus.SKIPPED, attempts=seen, last_error=problem)
        logger.info("Notification %s skipped: %s", delivery_id, problem)
        return DeliveryOutcome(delivery_id, DeliveryStatus.SKIPPED, seen)
    try:
        target = notifier.validate_target(delivery.target)
    except ValidationError as error:
        _finish(delivery_id, attempts, status=DeliveryStatus.FAILED, attempts=seen,
                last_error=scrub_secrets(f"Invalid target: {' '.join(error.messages)}"))
        return DeliveryOutcome(delivery_id, DeliveryStatus.FAILED, seen)

    try:
        result = notifier.send(NotificationMessage.from_dict(delivery.payload), target=target)
    except Exception as exc:  # a bug in a notifier must still end as a recorded failure
        # Not exc_info: a traceback's text could quote a secret the notifier held.
        logger.error("Notification %s via %s raised %s", delivery_id, delivery.channel, type(exc).__name__)
        result = SendResult.failed(f"Unexpected error: {type(exc).__name__}: {exc}")
    if not result.ok:
        result = dataclasses.replace(result, error=notifier.scrub(result.error))

    finished = now or timezone.now()
    if result.ok:
        with transaction.atomic():
            _finish(delivery_id, attempts, status=DeliveryStatus.SENT, sent_at=finished, last_error="",
                    response_code=result.response_code)
            told = [delivery.alert_id] if delivery.alert_id is not None else grouping.listed_alerts(delivery.payload)
            if told:
                AlertHistory.objects.filter(pk__in=told).update(
                    notification_count=F("notification_count") + 1, last_notified_at=finished
                )
        return DeliveryOutcome(delivery_id, DeliveryStatus.SENT, attempts)

    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    if retry and should_retry(attempts=attempts, max_attempts=max_attempts, transient=result.transient):
        delay = retry_delay_seconds(
            attempts=attempts,
            base_seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS,
            max_seconds=settings.NOTIFICATION_RETRY_MAX_SECONDS,
            jitter=random.random() if jitter is None else jitter,
            retry_after=result.retry_after,
        )
        _finish(delivery_id, attempts, last_error=result.error, response_code=result.response_code,
                next_attempt_at=finished + timedelta(seconds=delay))
        logger.warning("Notification %s via %s failed (attempt %s of %s), retrying in %.0f s: %s",
                       delivery_id, delivery.channel, attempts, max_attempts, delay, result.error)
        return DeliveryOutcome(delivery_id, DeliveryStatus.PENDING, attempts, retry_in=delay)

    failure = result.error
    if result.transient and retry:
        failure = f"{failure} Gave up after {attempts} attempt{'s' if attempts != 1 else ''}."
    _finish(delivery_id, attempts, status=DeliveryStatus.FAILED, last_error=failure,
            response_code=result.response_code)
    logger.warning("Notification %s via %s failed: %s", delivery_id, delivery.channel, failure)
    return DeliveryOutcome(delivery_id, DeliveryStatus.FAILED, attempts)


def _alert_resolved(delivery: NotificationDelivery) -> bool:
    if delivery.alert_id is None:
        return False  # what the query below answers for no alert
    status = AlertHistory.objects.filter(pk=delivery.alert_id).values_list("status", flat=True).first()
    return status == AlertStatus.RESOLVED


def _not_sendable(delivery: NotificationDelivery, channel: NotificationChannel | None, notifier) -> str:
    """Why this delivery's channel cannot take it now (deleted, switched off), or ""."""
    if channel is None and not notifier.has_environment_default:
        name = f" {delivery.channel_name!r}" if delivery.channel_name else ""
        return f"The channel{name} was deleted before this could be sent."
    if channel is not None and not channel.is_active:
        return f"The channel {channel.name!r} is switched off."
    return ""


def _same_target(delivery: NotificationDelivery):
    return NotificationDelivery.objects.filter(
        alert_id=delivery.alert_id, channel=delivery.channel, notification_channel=delivery.notification_channel_id,
        target=delivery.target,
    )


def _too_late_reason(delivery: NotificationDelivery) -> str:
    if delivery.event == NotificationEvent.REMINDER:
        return SUPERSEDED_REMINDER
    if delivery.event == NotificationEvent.ACKNOWLEDGE:
        return SUPERSEDED_ACKNOWLEDGE
    if delivery.event == NotificationEvent.ESCALATION:
        return SUPERSEDED_ESCALATION
    resolve_pending = _same_target(delivery).filter(
        event=NotificationEvent.RESOLVE, status=DeliveryStatus.PENDING
    ).exists()
    if resolve_pending:
        return SUPERSEDED_TRIGGER
    assert delivery.alert_id is not None  # asked only when _alert_resolved found the alert
    resolved_at = AlertHistory.objects.filter(pk=delivery.alert_id).values_list("resolved_at", flat=True).first()
    when = f" at {format_time(resolved_at)}" if resolved_at else ""
    return f"The alert was resolved{when} before this could be sent; a trigger is not sent late on its own."


def _earlier(delivery: NotificationDelivery):
    return _same_target(delivery).filter(
        event__in=_SUPERSEDED_BY_RESOLVE, status=DeliveryStatus.PENDING,
        pk__lt=delivery.pk,
    )


def _wait_for_earlier(delivery: NotificationDelivery, now: datetime) -> float | None:
    """Seconds to wait when an earlier trigger or reminder to the same target is being sent right
    now (its outcome decides what the resolve says); None when there is none."""
    running = _earlier(delivery).filter(claimed_until__gt=now).order_by("claimed_until").first()
    if running is None:
        return None
    return max(1.0, min(ORDER_WAIT_SECONDS, (running.claimed_until - now).total_seconds()))


def _wait_for_undelivered(delivery: NotificationDelivery, now: datetime) -> float | None:
    """Seconds to wait while an earlier trigger or reminder to the same target is still to be
    delivered (being sent, or waiting for its retry); None when there is none."""
    earlier = _earlier(delivery).order_by("pk").first()
    if earlier is None:
        return None
    until = max((t for t in (earlier.claimed_until, earlier.next_attempt_at) if t is not None), default=now)
    return max(1.0, min(float(settings.NOTIFICATION_RETRY_MAX_SECONDS), (until - now).total_seconds()))


def _supersede_earlier(delivery: NotificationDelivery, now: datetime, attempts: int) -> dict:
    """Skip the earlier triggers and reminders to the same target that are still not delivered
    (waiting for a retry, or left by a worker that died mid-send): they are not sent late on their
    own. The resolve becomes one "fired and resolved" message when the target never got the
    trigger. Returns the payload to send (stored on the delivery, so a retry sends the same)."""
    not_running = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    for earlier in _earlier(delivery).filter(not_running):
        reasons = {NotificationEvent.TRIGGER: SUPERSEDED_TRIGGER, NotificationEvent.ACKNOWLEDGE: SUPERSEDED_ACKNOWLEDGE,
                   NotificationEvent.ESCALATION: SUPERSEDED_ESCALATION}
        reason = reasons.get(earlier.event, SUPERSEDED_REMINDER)
        NotificationDelivery.objects.filter(
            Q(pk=earlier.pk, status=DeliveryStatus.PENDING, attempts=earlier.attempts) & not_running
        ).update(status=DeliveryStatus.SKIPPED, last_error=reason, next_attempt_at=None, claimed_until=None)
    triggers = _same_target(delivery).filter(event=NotificationEvent.TRIGGER)
    if not triggers.exists() or triggers.filter(status=DeliveryStatus.SENT).exists():
        return delivery.payload
    message = NotificationMessage.from_dict(delivery.payload)
    if message.fired_and_resolved:
        return delivery.payload
    fired = triggers.order_by("pk").first()
    fired_value = (fired.payload or {}).get("value") if fired else None
    payload = dataclasses.replace(message, fired_and_resolved=True, fired_value=fired_value).as_dict()
    NotificationDelivery.objects.filter(pk=delivery.pk, attempts=attempts).update(payload=payload)
    return payload


def requeue_stalled_deliveries(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queue again the pending deliveries that no task is going to pick up: their task was lost
    (broker down when it was queued, worker killed mid-send) and their next attempt is long due.
    Safe to call at any time; returns how many were queued."""
    now = now or timezone.now()
    cutoff = now - older_than
    # Test sends are made synchronously by the request that asked; one that stalled is not sent later.
    stalled = (
        NotificationDelivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lt=cutoff)
        .exclude(event=NotificationEvent.TEST)
        .exclude(next_attempt_at__gte=cutoff)
    )
    count = 0
    for delivery_id, attempts in stalled.values_list("pk", "attempts").order_by()[:1000]:
        enqueue_delivery(delivery_id, attempts)
        count += 1
    return count


# --- synchronous test sends -----------------------------------------------------------------------


class TestSendStatus:
    SENT = "sent"  # the receiver accepted it (API: 200)
    INVALID = "invalid"  # the input was wrong; nothing recorded (API: 400 with field_errors)
    NOT_CONFIGURED = "not_configured"  # the channel has no configuration; recorded as skipped (API: 400)
    FAILED = "failed"  # the receiver refused or could not be reached (API: 502 with detail)


@dataclass(frozen=True)
class TestSendOutcome:
    status: str
    detail: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    delivery: NotificationDelivery | None = None

    __test__ = False  # not a pytest test class, despite the name

    @property
    def ok(self) -> bool:
        return self.status == TestSendStatus.SENT


def _test_message_text(message) -> tuple[str, list[str]]:
    text = (message or "").strip() if isinstance(message, str) else ""
    if message is not None and not isinstance(message, str):
        return "", ["Enter the message as text."]
    if len(text) > MAX_TEST_MESSAGE_LENGTH:
        return "", [f"At most {MAX_TEST_MESSAGE_LENGTH} characters."]
    return text or DEFAULT_TEST_MESSAGE, []


def _send_test(*, channel: NotificationChannel, target_field: str, target, message, user) -> TestSendOutcome:
    notifier = notifier_for(channel)
    if notifier is None:
        return TestSendOutcome(TestSendStatus.INVALID, "The test message was not sent.",
                               {"channel": [f"Unknown channel kind {channel.kind!r}."]})
    errors = {}
    text, message_errors = _test_message_text(message)
    if message_errors:
        errors["message"] = message_errors
    try:
        target = notifier.validate_target(target.strip() if isinstance(target, str) else "")
    except ValidationError as error:
        errors[target_field] = error.messages
    if errors:
        return TestSendOutcome(TestSendStatus.INVALID, "The test message was not sent: check the fields.", errors)

    # Sent here and now, once, without a task: the person who asked is waiting for the answer,
    # and a test that fails should say so rather than be retried behind their back.
    (delivery,) = create_deliveries(
        message=build_test_message(text=text, user=user), targets=[(channel, target)], queue=False
    )
    deliver(delivery_id=delivery.pk, attempt=0, retry=False)
    delivery.refresh_from_db()
    # The default channels speak of their target alone, as they did before channels were rows.
    where = target if channel.builtin and target else f"{channel.name} ({target})" if target else channel.name
    if delivery.status == DeliveryStatus.SENT:
        return TestSendOutcome(TestSendStatus.SENT, f"Test message sent to {where}.", delivery=delivery)
    if delivery.status == DeliveryStatus.SKIPPED:
        return TestSendOutcome(TestSendStatus.NOT_CONFIGURED, delivery.last_error, delivery=delivery)
    return TestSendOutcome(TestSendStatus.FAILED, delivery.last_error, delivery=delivery)


def send_test_slack(*, message=None, channel: str | None = None, user=None) -> TestSendOutcome:
    """Send a test message through the default Slack channel now: to `channel`, or SLACK_DEFAULT_CHANNEL."""
    return _send_test(
        channel=default_channel("slack"), target_field="channel",
        target=channel or settings.SLACK_DEFAULT_CHANNEL, message=message, user=user,
    )


def send_test_email(*, recipient, message=None, user=None) -> TestSendOutcome:
    """Send a test email through the default email channel now to `recipient`."""
    return _send_test(channel=default_channel("email"), target_field="recipient", target=recipient,
                      message=message, user=user)


def send_test_to_channel(*, channel: NotificationChannel, target=None, message=None, user=None) -> TestSendOutcome:
    """Send a test message through `channel` now: to `target`, or to the channel's own target
    (the first of them, for an email channel)."""
    if target is None or target == "":
        notifier = notifier_for(channel)
        defaults = notifier.default_targets() if notifier is not None else []
        target = defaults[0] if defaults else ""
    return _send_test(channel=channel, target_field="target", target=target, message=message, user=user)
