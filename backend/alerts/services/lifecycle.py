"""The one writer of every change to an alert: opened (by the engine or by hand), reminded,
acknowledged, released from a silence, resolved (by the system, by a person, or because its rule
was switched off or deleted).

Every change is a compare-and-set update, so two ticks, a tick and a person, or two people never
both make it; the database allows one open alert per rule. Notifications are queued inside the
same transaction and sent only after it commits (notifications.create_deliveries). The engine,
the API, the admin and the rule services all come here; nothing else writes an alert's status.
"""

import logging
import math
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from monitoring import labels

from .. import summary_template
from ..models import (
    CONDITION_SYMBOLS,
    AlertEvent,
    AlertEventKind,
    AlertEventVia,
    AlertHistory,
    AlertStatus,
    DeliveryStatus,
    NotificationDelivery,
    NotificationEvent,
)
from .messages import format_time
from .notifications import queue_alert_notifications
from .silences import active_holds, holds_for_alert

logger = logging.getLogger(__name__)

# The held alerts one sweep looks at; the next sweep, a minute later, takes the rest.
RELEASE_BATCH = 500
ONE_ACTIVE_ALERT_CONSTRAINT = "alerthistory_one_active_per_rule_group"
# The longest resolution note a person may leave.
MAX_NOTES_LENGTH = 10_000


class AlertAlreadyResolved(Exception):
    def __init__(self, alert: AlertHistory):
        self.alert = alert
        super().__init__(f"Alert {alert.pk} is already resolved.")


class AlertAlreadyActive(Exception):
    def __init__(self, alert_id: int | None):
        self.alert_id = alert_id
        super().__init__(f"This rule already has an active alert ({alert_id}).")


def finite(value):
    """`value` with every infinite or NaN float made None, through dicts and lists: neither may be
    stored (PostgreSQL's JSON refuses them) nor answered (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def is_one_active_alert_violation(error: IntegrityError) -> bool:
    """Whether `error` is the database refusing a second active alert for a rule, and not any
    other integrity problem. PostgreSQL names the constraint; SQLite names the column of the
    unique index (the only unique one on rule_id and group_fingerprint)."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name == ONE_ACTIVE_ALERT_CONSTRAINT
    text = str(error)
    table = AlertHistory._meta.db_table
    return ONE_ACTIVE_ALERT_CONSTRAINT in text or text == (
        f"UNIQUE constraint failed: {table}.rule_id, {table}.group_fingerprint"
    )


def _who(user) -> str:
    return user.get_username() if user is not None and user.is_authenticated else "the system"


def _person(user):
    return user if user is not None and user.is_authenticated else None


def _who_or_link(user, via: str) -> str:
    """Who acted, for an event's sentence: the user, or an action link nobody signed in to use."""
    if _person(user) is None and via == AlertEventVia.LINK:
        return "an action link"
    return _who(user)


# --- the timeline's events --------------------------------------------------------------------------


def alert_event(
    *, alert: AlertHistory, kind: str, via: str, user=None, text: str = "", detail: dict | None = None,
    at: datetime | None = None, key: str = "",
) -> AlertEvent:
    """An event of `alert`'s timeline, not saved: who (`user`, None for the engine or an anonymous
    action link), how (`via`, an AlertEventVia), what and when."""
    person = _person(user)
    return AlertEvent(
        alert=alert, kind=AlertEventKind(kind).value, via=AlertEventVia(via).value, at=at or timezone.now(),
        actor=person, actor_name=person.get_username() if person is not None else "", text=text,
        detail=detail or {}, key=key,
    )


def record_event(*, events: list[AlertEvent] | None = None, **fields) -> AlertEvent:
    """Write an event (alert_event's arguments), or add it to `events` for the caller to write in one
    bulk insert (the engine does, once per tick)."""
    event = alert_event(**fields)
    if events is None:
        event.save()
    else:
        events.append(event)
    return event


def save_events(events: list[AlertEvent]) -> None:
    """Write the events collected by record_event(events=...) in one insert per 500. A failure is
    logged, not raised: the alerts themselves are saved, and a timeline without an opened event
    is completed from the alert's own fields."""
    if not events:
        return
    try:
        AlertEvent.objects.bulk_create(events, batch_size=500)
    except Exception:
        logger.exception("Could not record %d alert events", len(events))
    events.clear()


# --- open -----------------------------------------------------------------------------------------


def annotations(rule, *, value: float | None, context: dict, labels: dict) -> dict:
    """The rule's runbook and its summary rendered for this alert (a template that fails here says
    so in the summary: the alert is opened all the same)."""
    template = getattr(rule, "summary", "") or ""
    summary = summary_template.render_or_note(template, {
        "value": value, "threshold": rule.threshold_value, "condition": CONDITION_SYMBOLS.get(rule.condition),
        "window": context.get("window_minutes", rule.time_window_minutes),
        "aggregation": context.get("aggregation", rule.effective_aggregation), "metric": rule.metric_name,
        "rule": rule.name, "severity": rule.severity, "labels": labels,
    })
    return {"runbook_url": getattr(rule, "runbook_url", "") or "", "summary": summary}


def open_alert(
    *, rule, now: datetime, message: str, context: dict, value: float | None = None, manual: bool = False,
    group_labels: dict | None = None, user=None, via: str = AlertEventVia.ENGINE,
    events: list[AlertEvent] | None = None, event_text: str = "",
) -> AlertHistory:
    """Open `rule`'s alert (an AlertRule or the engine's snapshot of one: the fields copied are
    those the history keeps when the rule changes later) and queue its trigger notifications.
    `group_labels`: the group's labels, for a grouped rule (None: the rule is not grouped).
    AlertAlreadyActive when the rule (that group of it) has an open alert: the database allows one.
    Its "opened" event is written with it, or added to `events` (see record_event)."""
    fingerprint = "" if group_labels is None else labels.fingerprint(group_labels)
    alert_labels = {**(getattr(rule, "labels", None) or {}), **(group_labels or {})}
    try:
        with transaction.atomic():
            alert = AlertHistory.objects.create(
                rule_id=rule.id,
                rule_name=rule.name,
                # 0: the rule has not changed since before the audit trail; no version to name.
                rule_version=getattr(rule, "config_version", 0) or None,
                severity=rule.severity,
                condition=rule.condition,
                threshold_value=rule.threshold_value,
                metric_name=rule.metric_name or rule.kind,  # a promql rule's alerts say promql
                triggered_at=now,
                metric_value=finite(value),
                last_value=finite(value),
                message=message,
                context=finite(context),
                manual=manual,
                group_labels=group_labels or {},
                group_fingerprint=fingerprint,
                labels=alert_labels,
                **annotations(rule, value=finite(value), context=context, labels=alert_labels),
            )
            queue_alert_notifications(alert=alert, event=NotificationEvent.TRIGGER, now=now)
            record_event(events=events, alert=alert, kind=AlertEventKind.OPENED, via=via, user=user, at=now,
                         text=event_text or f"Opened by the engine: {alert.message}")
    except IntegrityError as error:
        if not is_one_active_alert_violation(error):
            raise
        active = AlertHistory.objects.filter(
            rule_id=rule.id, group_fingerprint=fingerprint, status=AlertStatus.ACTIVE
        ).values_list("id", flat=True)
        raise AlertAlreadyActive(active.first()) from None
    logger.warning("alert %s opened%s: %s", alert.id, " by hand" if manual else "", alert.message)
    return alert


def trigger_by_hand(*, rule, user, message: str = "", via: str = AlertEventVia.API) -> AlertHistory:
    """Open the rule's alert now, by hand, and notify its channels (AlertAlreadyActive when it
    has one open)."""
    context = {
        "manual": True,
        "triggered_by": user.get_username(),
        "window_minutes": rule.time_window_minutes,
        "aggregation": rule.effective_aggregation,
        "condition": rule.condition,
        "threshold": rule.threshold_value,
    }
    text = message or f"Triggered by hand by {user.get_username()}"
    said = f"Opened by hand by {_who(user)}" + (f": {message}" if message else "")
    return open_alert(rule=rule, now=timezone.now(), message=text, context=context, manual=True, user=user, via=via,
                      event_text=said)


# --- while open -----------------------------------------------------------------------------------


def remind(*, alert: AlertHistory, now: datetime, value: float | None) -> bool:
    """Claim the reminder of an open alert (once, however many ticks try) and queue it."""
    value = finite(value)
    with transaction.atomic():
        claimed = AlertHistory.objects.filter(
            id=alert.id, status=AlertStatus.ACTIVE, reminded_at=alert.reminded_at
        ).update(reminded_at=now, last_value=value)
        if not claimed:
            return False
        alert.reminded_at, alert.last_value = now, value
        queue_alert_notifications(alert=alert, event=NotificationEvent.REMINDER, now=now)
    return True


# --- acknowledge ----------------------------------------------------------------------------------


def acknowledge(
    *, alert: AlertHistory, user, comment: str = "", now: datetime | None = None, via: str = AlertEventVia.API,
    detail: dict | None = None,
) -> AlertHistory:
    """Say who has an open alert: recorded (who, when, the comment), its reminders stop, and its
    channels hear it once (PagerDuty and Opsgenie acknowledge it). Acknowledging it again changes
    nothing and tells nobody; a resolved alert raises AlertAlreadyResolved."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = AlertHistory.objects.filter(
            id=alert.id, status=AlertStatus.ACTIVE, acknowledged_at__isnull=True
        ).update(acknowledged_at=now, acknowledged_by=_person(user), acknowledged_comment=comment)
        alert.refresh_from_db()
        if not claimed:
            if alert.status != AlertStatus.ACTIVE:
                raise AlertAlreadyResolved(alert)
            return alert
        queue_alert_notifications(alert=alert, event=NotificationEvent.ACKNOWLEDGE, now=now)
        text = f"Acknowledged by {_who_or_link(user, via)}" + (f": {comment}" if comment else "")
        record_event(alert=alert, kind=AlertEventKind.ACKNOWLEDGED, via=via, user=user, at=now, text=text,
                     detail={**(detail or {}), **({"comment": comment} if comment else {})})
    logger.warning("alert %s acknowledged by %s", alert.id, _who(user))
    return alert


def unacknowledge(
    *, alert: AlertHistory, user, now: datetime | None = None, via: str = AlertEventVia.API,
) -> AlertHistory:
    """Give an acknowledged alert back: its reminders resume, the next one a cooldown from now.
    Channels are not told (PagerDuty has no such event). A resolved alert raises
    AlertAlreadyResolved."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = AlertHistory.objects.filter(
            id=alert.id, status=AlertStatus.ACTIVE, acknowledged_at__isnull=False
        ).update(acknowledged_at=None, acknowledged_by=None, acknowledged_comment="", reminded_at=now)
        alert.refresh_from_db()
        if not claimed and alert.status != AlertStatus.ACTIVE:
            raise AlertAlreadyResolved(alert)
        if claimed:
            record_event(alert=alert, kind=AlertEventKind.UNACKNOWLEDGED, via=via, user=user, at=now,
                         text=f"Unacknowledged by {_who_or_link(user, via)}")
    if claimed:
        logger.warning("alert %s unacknowledged by %s", alert.id, _who(user))
    return alert


# --- silenced -----------------------------------------------------------------------------------


def record_silenced(*, alert: AlertHistory, silence, user, via: str = AlertEventVia.API,
                    detail: dict | None = None) -> AlertEvent:
    """A silence was made from `alert` (the dashboard's "silence this alert", an action link): on
    its timeline, who, until when and which silence."""
    return record_event(
        alert=alert, kind=AlertEventKind.SILENCED, via=via, user=user, at=silence.created_at or timezone.now(),
        text=f"Silenced by {_who_or_link(user, via)} until {format_time(silence.ends_at)} (silence #{silence.pk})",
        detail={**(detail or {}), "silence": silence.pk, "until": silence.ends_at.isoformat()},
    )



def _channels_heard_of(alert: AlertHistory) -> bool:
    """Whether a trigger or a reminder of `alert` went out (or is on its way) before."""
    return NotificationDelivery.objects.filter(
        alert=alert, event__in=(NotificationEvent.TRIGGER, NotificationEvent.REMINDER),
        status__in=(DeliveryStatus.SENT, DeliveryStatus.PENDING),
    ).exists()


def release_held_alerts(*, now: datetime | None = None) -> int:
    """Send the one message each still-open alert is owed whose trigger or reminder a silence or a
    maintenance window held back, once nothing holds it any more (the silence expired or was
    deleted, the window closed): its trigger when its channels never heard of it, else a reminder
    (none for an acknowledged alert they know of: someone has it). The next reminder comes a
    cooldown later. Safe under concurrent runs: each alert's flag is cleared with a compare-and-set
    and only the run that cleared it queues the message. Returns how many alerts were released."""
    now = now or timezone.now()
    held = list(
        AlertHistory.objects.filter(held_by_silence=True, status=AlertStatus.ACTIVE)
        .select_related("rule").order_by("pk")[:RELEASE_BATCH]
    )
    if not held:
        return 0
    holds = active_holds(now)
    released = 0
    for alert in held:
        if holds_for_alert(alert, now=now, holds=holds):
            continue
        with transaction.atomic():
            claimed = AlertHistory.objects.filter(
                pk=alert.pk, held_by_silence=True, status=AlertStatus.ACTIVE
            ).update(held_by_silence=False, reminded_at=now)
            if not claimed:
                continue  # another sweep has it, or it resolved meanwhile
            alert.held_by_silence, alert.reminded_at = False, now
            event = NotificationEvent.REMINDER if _channels_heard_of(alert) else NotificationEvent.TRIGGER
            if event == NotificationEvent.TRIGGER or alert.acknowledged_at is None:
                queue_alert_notifications(alert=alert, event=event, now=now)
        released += 1
        logger.warning("alert %s released from its silence: %s", alert.pk, event)
    return released


def release_held_alerts_on_commit() -> None:
    """Once the current transaction commits (a silence or window was expired, changed or deleted):
    release what nothing holds any more now rather than at the minute's sweep. A failure here is
    logged, not raised: the sweep does it a minute later."""

    def release():
        try:
            release_held_alerts()
        except Exception:
            logger.exception("Could not release the alerts held by silences; the next sweep will")

    transaction.on_commit(release)


# --- resolve --------------------------------------------------------------------------------------


def resolve(
    *, alert: AlertHistory, now: datetime, notes: str, user=None, last_value: float | None = None,
    keep_last_value: bool = True, via: str | None = None, events: list[AlertEvent] | None = None,
    detail: dict | None = None,
) -> bool:
    """Resolve an open alert (compare-and-set: False when it was not open any more) and queue the
    resolved notifications. `user` is who resolved it; None is the system. Its "resolved" event
    (`via`: default the engine for the system, else the API) is written with it, or added to
    `events` (see record_event)."""
    fields = dict(status=AlertStatus.RESOLVED, resolved_at=now, resolved_by=_person(user), resolution_notes=notes)
    if not keep_last_value:
        fields["last_value"] = finite(last_value)
    with transaction.atomic():
        if not AlertHistory.objects.filter(id=alert.id, status=AlertStatus.ACTIVE).update(**fields):
            return False
        for name, value in fields.items():
            setattr(alert, name, value)
        queue_alert_notifications(alert=alert, event=NotificationEvent.RESOLVE, now=now)
        via = via or (AlertEventVia.API if _person(user) is not None else AlertEventVia.ENGINE)
        by = "automatically" if via == AlertEventVia.ENGINE else f"by {_who_or_link(user, via)}"
        record_event(events=events, alert=alert, kind=AlertEventKind.RESOLVED, via=via, user=user, at=now,
                     text=f"Resolved {by}" + (f": {notes}" if notes else ""), detail=detail)
    logger.warning("alert %s resolved by %s: %s", alert.id, _who(user), notes)
    return True


def resolve_by_system(
    *, alert: AlertHistory, now: datetime, value: float | None, notes: str, events: list[AlertEvent] | None = None,
) -> bool:
    """The engine's resolve: the value is back to normal."""
    return resolve(alert=alert, now=now, notes=notes, last_value=value, keep_last_value=False,
                   via=AlertEventVia.ENGINE, events=events)


def resolve_by_person(
    *, alert: AlertHistory, user, notes: str = "", via: str = AlertEventVia.API, detail: dict | None = None,
) -> AlertHistory:
    """Close an active alert with who closed it and why, and tell its channels
    (AlertAlreadyResolved when it is not open any more). The rule fires again only after its
    cooldown if the condition still holds (see AlertEngine)."""
    if not resolve(alert=alert, now=timezone.now(), notes=notes, user=user, via=via, detail=detail):
        alert.refresh_from_db()
        raise AlertAlreadyResolved(alert)
    alert.refresh_from_db()
    return alert


def close_for_rule(*, rule, user, why: str, via: str = AlertEventVia.API) -> list[AlertHistory]:
    """Resolve the rule's open alerts (a grouped rule may have one per group) because the rule was
    switched off or deleted (by whom is noted): nothing would ever resolve them otherwise. Their
    "resolved" events are written together, in one insert."""
    closed = []
    events: list[AlertEvent] = []
    notes = f"Closed because the rule was {why} by {_who(user)}."
    for alert in AlertHistory.objects.filter(rule=rule, status=AlertStatus.ACTIVE).order_by("id"):
        if resolve(alert=alert, now=timezone.now(), notes=notes, user=user, via=via, events=events):
            alert.refresh_from_db()
            closed.append(alert)
    save_events(events)
    return closed
