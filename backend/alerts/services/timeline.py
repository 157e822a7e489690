"""An alert's timeline (docs/architecture.md §10): its events (opened, acknowledged, silenced,
escalated, flapping, resolved: AlertEvent), its deliveries and the group messages that listed it,
in one list ordered by time. Three queries, however long the alert lived. An alert older than the
events table (no "opened" event) gets opened, acknowledged and resolved entries made from its own
fields."""

from dataclasses import asdict, dataclass
from datetime import datetime

from ..models import AlertEvent, AlertEventKind, AlertEventVia, AlertHistory, DeliveryStatus, NotificationDelivery
from . import grouping

DELIVERY = "delivery"


@dataclass
class Entry:
    at: datetime
    kind: str  # an AlertEventKind, or "delivery"
    text: str
    actor: str | None = None
    via: str | None = None
    event: str | None = None  # a delivery's NotificationEvent
    channel: str | None = None
    target: str | None = None
    status: str | None = None
    delivery_id: int | None = None
    # How entries of one instant are ordered: events before deliveries, then by id.
    order: tuple = ()


def _event_entry(event: AlertEvent) -> Entry:
    return Entry(at=event.at, kind=event.kind, text=event.text, actor=event.actor_name or None, via=event.via,
                 order=(0, event.pk))


def delivery_text(delivery: NotificationDelivery) -> str:
    """"Trigger sent to Slack (default) (#alerts)", "Reminder skipped on Ops email: Silenced by ..."."""
    what = delivery.get_event_display()
    channel = delivery.channel_name or delivery.get_channel_display()
    target = f" ({delivery.target})" if delivery.target else ""
    error = f": {delivery.last_error}" if delivery.last_error else ""
    if delivery.status == DeliveryStatus.SENT:
        return f"{what} sent to {channel}{target}"
    if delivery.status == DeliveryStatus.SKIPPED:
        return f"{what} skipped on {channel}{error}"
    if delivery.status == DeliveryStatus.FAILED:
        return f"{what} failed on {channel}{target}{error}"
    attempts = f" (attempt {delivery.attempts} failed{error})" if delivery.attempts else ""
    return f"{what} waiting to be sent to {channel}{target}{attempts}"


def _delivery_entry(delivery: NotificationDelivery) -> Entry:
    at = delivery.sent_at if delivery.status == DeliveryStatus.SENT and delivery.sent_at else delivery.created_at
    return Entry(
        at=at, kind=DELIVERY, text=delivery_text(delivery), event=delivery.event,
        channel=delivery.channel_name or delivery.get_channel_display(), target=delivery.target or None,
        status=delivery.status, delivery_id=delivery.pk, order=(1, delivery.pk),
    )


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def synthesised(alert: AlertHistory) -> list[Entry]:
    """Opened, acknowledged and resolved, from the alert's fields (for an alert with no events)."""
    context = alert.context if isinstance(alert.context, dict) else {}
    if alert.manual:
        who = context.get("triggered_by") or None
        entries = [Entry(at=alert.triggered_at, kind=AlertEventKind.OPENED, actor=who, via=AlertEventVia.API,
                         text=f"Opened by hand by {who or 'someone'}: {alert.message}", order=(0, 0))]
    else:
        entries = [Entry(at=alert.triggered_at, kind=AlertEventKind.OPENED, via=AlertEventVia.ENGINE,
                         text=f"Opened by the engine: {alert.message}" if alert.message else "Opened by the engine",
                         order=(0, 0))]
    if alert.acknowledged_at is not None:
        who = _username(alert.acknowledged_by)
        comment = f": {alert.acknowledged_comment}" if alert.acknowledged_comment else ""
        entries.append(Entry(at=alert.acknowledged_at, kind=AlertEventKind.ACKNOWLEDGED, actor=who,
                             text=f"Acknowledged by {who or 'someone'}{comment}", order=(0, 0)))
    if alert.resolved_at is not None:
        who = _username(alert.resolved_by)
        notes = f": {alert.resolution_notes}" if alert.resolution_notes else ""
        entries.append(Entry(
            at=alert.resolved_at, kind=AlertEventKind.RESOLVED, actor=who,
            via=AlertEventVia.ENGINE if who is None else None,
            text=f"Resolved {'by ' + who if who else 'automatically'}{notes}", order=(0, 0),
        ))
    return entries


def alert_timeline(alert: AlertHistory) -> dict:
    """{"alert": id, "entries": [...]} as the API answers it (alerts.api: TimelineSerializer). `alert`
    with its acknowledged_by and resolved_by loaded (selectors.alerts_for_api)."""
    events = list(AlertEvent.objects.filter(alert=alert).order_by("at", "id"))
    entries = [_event_entry(event) for event in events]
    kinds = {event.kind for event in events}
    if AlertEventKind.OPENED not in kinds:
        entries += [entry for entry in synthesised(alert) if entry.kind not in kinds]
    deliveries = NotificationDelivery.objects.filter(alert=alert).defer("payload").order_by("created_at", "id")
    entries += [_delivery_entry(delivery) for delivery in deliveries]
    # The messages of its notification groups that listed it (services.grouping).
    entries += [_delivery_entry(delivery) for delivery in grouping.group_deliveries_for(alert)]
    entries.sort(key=lambda entry: (entry.at, entry.order))
    answer = []
    for entry in entries:
        data = asdict(entry)
        del data["order"]
        answer.append(data)
    return {"alert": alert.pk, "entries": answer}
