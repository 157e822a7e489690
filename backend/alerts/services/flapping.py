"""Flapping (docs/architecture.md §10): a rule, or one group of a grouped rule, whose alerts opened
and resolved at least `flap_threshold` times within `flap_window_minutes` is flapping.

The change that makes it flapping is not notified; one notice says so instead, with the changes
counted. While it flaps, its triggers and resolves are recorded as skipped deliveries saying why.
Once nothing has opened or resolved for `flap_window_minutes`, `end_flapping` (a beat task,
every minute) ends it: one notice says it stopped and what it is now, and an alert still open
whose trigger its channels never received is sent as a trigger then.

State changes are the opens and resolves of its alerts (AlertHistory), so nothing else is
counted or stored: `flapping_since` on the rule (ungrouped) or on the group says it is flapping,
and `AlertHistory.flapping` marks the alerts that opened while it did, or were open when it began.
Alerts opened by hand are not counted.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from monitoring.labels import describe

from ..models import (
    AlertEvent,
    AlertEventKind,
    AlertHistory,
    AlertRule,
    AlertRuleGroup,
    AlertStatus,
    DeliveryStatus,
    NotificationDelivery,
    NotificationEvent,
)
from .messages import format_number, format_time

logger = logging.getLogger(__name__)

END_BATCH = 500


@dataclass(frozen=True)
class Flap:
    """What flapping says of one trigger or resolve: `reason` why it is not notified ("": it is),
    and whether this very change made the rule flapping (`started`: the notice goes out)."""

    reason: str = ""
    started: bool = False
    notice: str = ""


def _holder(rule_id: int, fingerprint: str):
    """The row that keeps the flapping state: the rule's, or its group's."""
    if fingerprint:
        return AlertRuleGroup.objects.filter(rule_id=rule_id, fingerprint=fingerprint)
    return AlertRule.objects.filter(pk=rule_id)


def changes(rule_id: int, fingerprint: str, since: datetime) -> tuple[int, int, datetime | None]:
    """(opens, resolves) of the rule's (group's) alerts since `since`, and the latest change at all."""
    alerts = AlertHistory.objects.filter(rule_id=rule_id, group_fingerprint=fingerprint, manual=False)
    counted = alerts.filter(Q(triggered_at__gte=since) | Q(resolved_at__gte=since)).aggregate(
        opens=Count("pk", filter=Q(triggered_at__gte=since)),
        resolves=Count("pk", filter=Q(resolved_at__gte=since)),
    )
    latest = alerts.aggregate(opened=Max("triggered_at"), resolved=Max("resolved_at"))
    last = max((t for t in (latest["opened"], latest["resolved"]) if t is not None), default=None)
    return counted["opens"], counted["resolves"], last


def _what(alert: AlertHistory) -> str:
    group = describe(alert.group_labels) if alert.group_labels else ""
    return f"{alert.rule_name}{' ' + group if group else ''}"


def _skip_reason(since: datetime, window: int) -> str:
    return (f"Flapping since {format_time(since)}: state changes are not notified until it has been "
            f"stable for {window} min.")


def check(alert: AlertHistory, *, event: str, now: datetime | None = None) -> Flap:
    """Whether the trigger or resolve `event` of `alert` (already written) is notified, as far as
    flapping goes; when this change makes its rule (group) flapping, marks it so (a compare-and-set:
    one notice however many workers ask) and records the event on the alert."""
    rule = alert.rule
    if rule is None or alert.manual or not rule.flap_threshold or event not in (
            NotificationEvent.TRIGGER, NotificationEvent.RESOLVE):
        return Flap()
    now = now or timezone.now()
    window = rule.flap_window_minutes
    holder = _holder(rule.pk, alert.group_fingerprint)
    since = holder.values_list("flapping_since", flat=True).first()
    if since is not None:
        if event == NotificationEvent.TRIGGER and not alert.flapping:
            AlertHistory.objects.filter(pk=alert.pk).update(flapping=True)
            alert.flapping = True
        return Flap(reason=_skip_reason(since, window))
    opens, resolves, _ = changes(rule.pk, alert.group_fingerprint, now - timedelta(minutes=window))
    if opens + resolves < rule.flap_threshold:
        return Flap()
    if not holder.filter(flapping_since__isnull=True).update(flapping_since=now):
        since = holder.values_list("flapping_since", flat=True).first() or now
        return Flap(reason=_skip_reason(since, window))
    AlertHistory.objects.filter(
        Q(pk=alert.pk) | Q(rule_id=rule.pk, group_fingerprint=alert.group_fingerprint, status=AlertStatus.ACTIVE)
    ).update(flapping=True)
    alert.flapping = True
    total = opens + resolves
    now_state = "firing" if alert.status == AlertStatus.ACTIVE else "resolved"
    notice = (f"{_what(alert)} is flapping: {total} state changes in the last {window} min ({opens} fired, "
              f"{resolves} resolved); now {now_state}. Further changes are not notified until it has been "
              f"stable for {window} min.")
    AlertEvent.objects.create(
        alert=alert, kind=AlertEventKind.FLAPPING_STARTED, at=now, text=notice,
        detail={"changes": total, "opened": opens, "resolved": resolves, "window_minutes": window},
    )
    logger.warning("rule %s%s is flapping: %s changes in %s min", rule.pk,
                   f" group {alert.group_fingerprint}" if alert.group_fingerprint else "", total, window)
    return Flap(reason=_skip_reason(now, window), started=True, notice=notice)


def _trigger_never_received(alert: AlertHistory) -> bool:
    return not NotificationDelivery.objects.filter(
        alert=alert, event__in=(NotificationEvent.TRIGGER, NotificationEvent.REMINDER),
        status__in=(DeliveryStatus.SENT, DeliveryStatus.PENDING),
    ).exists()


def end_flapping(*, now: datetime | None = None) -> int:
    """End the flapping of each rule (group) that has been stable (no open, no resolve) for its
    flap window, or whose flap threshold was set to 0: one notice each, and the trigger of an alert
    still open that its channels never received. Safe under concurrent runs (compare-and-set on
    flapping_since). Returns how many ended."""
    from . import notifications  # it asks this module about every trigger and resolve

    now = now or timezone.now()
    ended = 0
    holders: list[tuple[type, object, AlertRule, str]] = []
    for rule in AlertRule.objects.filter(flapping_since__isnull=False).order_by("pk")[:END_BATCH]:
        holders.append((AlertRule, rule, rule, ""))
    for group in AlertRuleGroup.objects.filter(flapping_since__isnull=False).select_related("rule").order_by(
            "pk")[:END_BATCH]:
        holders.append((AlertRuleGroup, group, group.rule, group.fingerprint))
    for model, holder, rule, fingerprint in holders:
        window = rule.flap_window_minutes
        _, _, last = changes(rule.pk, fingerprint, now)
        if rule.flap_threshold and last is not None and last > now - timedelta(minutes=window):
            continue
        with transaction.atomic():
            since = holder.flapping_since  # type: ignore[attr-defined]
            if not model.objects.filter(pk=holder.pk, flapping_since=since).update(  # type: ignore[attr-defined]
                    flapping_since=None):
                continue  # another sweep ended it
            latest = (AlertHistory.objects.filter(rule_id=rule.pk, group_fingerprint=fingerprint)
                      .select_related("rule").order_by("-triggered_at", "-pk").first())
            ended += 1
            if latest is None:
                continue
            AlertHistory.objects.filter(
                rule_id=rule.pk, group_fingerprint=fingerprint, status=AlertStatus.ACTIVE
            ).update(flapping=False)
            latest.flapping = latest.flapping and latest.status != AlertStatus.ACTIVE
            if latest.status == AlertStatus.ACTIVE:
                value = latest.last_value if latest.last_value is not None else latest.metric_value
                state = (f"now firing since {format_time(latest.triggered_at)} "
                         f"({latest.metric_name} {format_number(value)})")
            else:
                state = f"now resolved since {format_time(latest.resolved_at)}"
            why = (f"no state change for {window} min" if rule.flap_threshold
                   else "flapping detection was switched off for the rule")
            notice = f"{_what(latest)} stopped flapping ({why}); {state}. Its changes are notified again."
            AlertEvent.objects.create(alert=latest, kind=AlertEventKind.FLAPPING_ENDED, at=now, text=notice,
                                      detail={"flapping_since": since.isoformat() if since else None})
            notifications.queue_flapping_notice(alert=latest, text=notice, now=now)
            if latest.status == AlertStatus.ACTIVE and _trigger_never_received(latest):
                notifications.queue_alert_notifications(alert=latest, event=NotificationEvent.TRIGGER, now=now)
        logger.warning("rule %s%s stopped flapping", rule.pk, f" group {fingerprint}" if fingerprint else "")
    return ended
