"""Notification grouping (docs/architecture.md §10), with Alertmanager's semantics: a policy with
`group_by` sends the alerts it routes that share the values of those labels (["..."]: every
routing label) as one message per channel target.

- An alert routed through such a policy joins the policy's group for its labels
  (NotificationGroup, unique per policy and key); its trigger, reminders and acknowledgement are
  not sent to the policy's channels one by one (services.notifications leaves those routes out).
- A new group (or one that had closed) is looked at `group_wait_seconds` after its first alert,
  then every `group_interval_seconds` while it has alerts: `flush_due_groups`, run by the
  `flush_notification_groups` beat task, sends one message (event "group") to each target of the
  policy's channels listing the firing alerts and those resolved since the last message, when
  an alert fires that the last message did not list as firing or one has resolved; else, once
  `repeat_interval_seconds` have passed since the last message while an alert that nobody has
  acknowledged still fires, the same list again (a reminder). Nothing changed: nothing is sent.
- Silenced and inhibited alerts are left out of the message (their own trigger and resolve are
  recorded as skipped deliveries, as for any route); a group with nothing left to say sends
  nothing. A resolved alert the group never listed as firing is dropped without a word; a rule
  with notify_on_resolve off is never listed as resolved.
- A group whose alerts have all resolved, and been said so, closes; the next alert of its key
  opens it again, with group_wait.

Two workers flushing at once send one message: the flush claims the group with a
compare-and-set on its version (a row lock on PostgreSQL, the write lock on SQLite) in the
transaction that writes its deliveries; an alert joining locks the group row the same way, so a
flush never closes a group under an alert that is joining it.
"""

import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import (
    AlertHistory,
    AlertStatus,
    DeliveryStatus,
    NotificationDelivery,
    NotificationEvent,
    NotificationGroup,
    NotificationGroupAlert,
    NotificationPolicy,
    Severity,
)
from ..validators import MAX_GROUP_INTERVAL_SECONDS
from . import inhibitions as inhibition_rules
from .channels import Route, channel_targets, routing_labels
from .messages import NotificationMessage, build_alert_message, build_group_entry, group_entry_line, group_text
from .silences import active_holds, holds_for_alert

logger = logging.getLogger(__name__)

EVERY_LABEL = "..."
# The most alerts one message lists; the rest are counted ("... and 12 more", a webhook's
# truncatedAlerts).
MAX_LISTED = 100
# The groups one run of the beat task flushes; the next run takes the rest.
FLUSH_BATCH = 500
SUPERSEDED_GROUP = "Superseded by a newer message of its notification group."
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(reversed(Severity.values))}


# --- routing: which routes are grouped, and joining -----------------------------------------------


def _policy_id(route: Route) -> int | None:
    if not route.via.startswith("policy:"):
        return None
    try:
        return int(route.via.split(":", 1)[1])
    except ValueError:
        return None


def grouping_routes(routes: Sequence[Route]) -> dict[NotificationPolicy, list[Route]]:
    """The routes that come from a policy with group_by, by policy (one query, none when no route
    comes from a policy)."""
    ids = {pk for pk in map(_policy_id, routes) if pk is not None}
    if not ids:
        return {}
    policies = {policy.pk: policy for policy in NotificationPolicy.objects.filter(pk__in=ids) if policy.group_by}
    found: dict[NotificationPolicy, list[Route]] = {}
    for route in routes:
        policy = policies.get(_policy_id(route))  # type: ignore[arg-type]
        if policy is not None:
            found.setdefault(policy, []).append(route)
    return found


def group_labels(group_by: Iterable[str], alert: AlertHistory) -> dict[str, str]:
    """The values of the group_by labels over the alert's routing labels (["..."]: all of them);
    a label the alert does not have is left out, as Alertmanager leaves it out."""
    values = routing_labels(rule=alert.rule, alert=alert)
    names = list(group_by)
    if EVERY_LABEL in names:
        return dict(sorted(values.items()))
    return {name: values[name] for name in sorted(names) if name in values}


def group_key(labels: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(labels.items()), ensure_ascii=False).encode()).hexdigest()


def join(*, alert: AlertHistory, policy: NotificationPolicy, now: datetime) -> NotificationGroup:
    """Put `alert` in `policy`'s group for its labels (made if missing); a closed group opens
    again and is looked at group_wait from now. Call it inside the alert's transaction."""
    labels = group_labels(policy.group_by, alert)
    key = group_key(labels)
    group = NotificationGroup.objects.filter(policy=policy, key=key).first()
    if group is None:
        try:
            with transaction.atomic():
                group = NotificationGroup.objects.create(policy=policy, key=key, labels=labels,
                                                         group_by=list(policy.group_by), created_at=now)
        except IntegrityError:  # made meanwhile by another worker
            group = NotificationGroup.objects.get(policy=policy, key=key)
    # Locked: a flush deciding to close it waits for this alert, or this waits for the flush.
    group = NotificationGroup.objects.select_for_update().get(pk=group.pk)
    if not NotificationGroupAlert.objects.filter(group=group, alert=alert).exists():
        try:
            with transaction.atomic():
                NotificationGroupAlert.objects.create(group=group, alert=alert, joined_at=now)
        except IntegrityError:  # joined meanwhile by another event of the same alert
            pass
    if group.next_flush_at is None:
        NotificationGroup.objects.filter(pk=group.pk, next_flush_at__isnull=True).update(
            next_flush_at=now + timedelta(seconds=policy.group_wait_seconds), opened_at=now,
            group_by=list(policy.group_by), labels=labels, sent_firing=[], version=F("version") + 1,
        )
        group.refresh_from_db()
    return group


def take_grouped_routes(*, alert: AlertHistory, routes: Sequence[Route], event: str,
                        now: datetime | None = None) -> list[Route]:
    """The routes of `alert` its policies group (they hear of it through its group, not this
    event), after putting it in their groups (a resolve joins nothing: the group it is in says
    so at its next look)."""
    by_policy = grouping_routes(routes)
    if not by_policy:
        return []
    if event != NotificationEvent.RESOLVE:
        for policy in by_policy:
            join(alert=alert, policy=policy, now=now or timezone.now())
    grouped = [route for found in by_policy.values() for route in found]
    if event in (NotificationEvent.TRIGGER, NotificationEvent.RESOLVE):
        _record_muted(alert=alert, event=event, routes=grouped, now=now)
    return grouped


def _record_muted(*, alert: AlertHistory, event: str, routes: Sequence[Route], now: datetime | None) -> None:
    """A trigger or resolve that a silence or an inhibition holds at its time is recorded as
    skipped on the grouped routes too, saying why (the group's message leaves the alert out)."""
    from .notifications import create_deliveries  # notifications imports this module

    holds = holds_for_alert(alert, now=now)
    reason = holds[0].reason if holds else ""
    if not reason:
        inhibited = inhibition_rules.inhibitions_for(alert)
        reason = inhibited[0].reason if inhibited else ""
    if reason:
        create_deliveries(message=build_alert_message(alert=alert, event=event), alert=alert, skipped=reason,
                          targets=[(route.channel, route.target) for route in routes])


# --- flushing -------------------------------------------------------------------------------------


def flush_due_groups(*, now: datetime | None = None) -> int:
    """Look at every group whose time has come; returns how many messages (groups) were sent."""
    now = now or timezone.now()
    due = list(NotificationGroup.objects.filter(next_flush_at__lte=now).order_by("next_flush_at", "pk")
               .values_list("pk", flat=True)[:FLUSH_BATCH])
    sent = 0
    for group_id in due:
        try:
            if flush_group(group_id, now=now):
                sent += 1
        except Exception:  # one group failing must not hold up the others; it is due again next run
            logger.exception("Could not flush notification group %s", group_id)
    return sent


def _muted(alert: AlertHistory, holds, rules, sources) -> bool:
    if holds_for_alert(alert, holds=holds):
        return True
    if not rules:
        return False
    values = routing_labels(alert=alert, rule=alert.rule)
    return bool(inhibition_rules.inhibitions(values, alert.pk, rules, sources))


def flush_group(group_id: int, *, now: datetime | None = None) -> list[NotificationDelivery]:
    """Look at one due group: send its message if something changed or a reminder is due, and
    set when it is looked at next (closed once nothing is left in it). The deliveries written."""
    now = now or timezone.now()
    with transaction.atomic():
        group = (NotificationGroup.objects.select_for_update(of=("self",)).select_related("policy")
                 .filter(pk=group_id, next_flush_at__lte=now).first())
        if group is None:
            return []
        # The claim: another flush of the same group (SQLite has no row locks) finds 0 rows.
        if not NotificationGroup.objects.filter(pk=group.pk, version=group.version).update(version=F("version") + 1):
            return []
        group.version += 1
        policy = group.policy
        members = list(group.members.select_related("alert", "alert__rule", "alert__acknowledged_by",
                                                     "alert__resolved_by")
                       .order_by("alert__triggered_at", "alert_id"))
        if not policy.is_active or list(policy.group_by) != list(group.group_by):
            _close(group, [member.pk for member in members])
            return []
        holds = active_holds(now)
        rules = inhibition_rules.active_rules()
        sources = inhibition_rules.open_sources(rules) if rules else []
        sent_before = set(group.sent_firing or [])
        firing: list[AlertHistory] = []
        resolved: list[AlertHistory] = []
        done: list[int] = []
        for member in members:
            alert = member.alert
            muted = _muted(alert, holds, rules, sources)
            if alert.status == AlertStatus.ACTIVE:
                if not muted:
                    firing.append(alert)
                continue
            done.append(member.pk)
            tells_resolve = alert.rule is None or alert.rule.notify_on_resolve
            if alert.pk in sent_before and tells_resolve and not muted:
                resolved.append(alert)
        firing_ids = {alert.pk for alert in firing}
        reminder_due = (
            bool(firing) and group.last_sent_at is not None
            and now - group.last_sent_at >= timedelta(seconds=policy.repeat_interval_seconds)
            and any(alert.acknowledged_at is None for alert in firing)
        )
        changed = bool(firing_ids - sent_before or resolved)
        deliveries: list[NotificationDelivery] = []
        if changed or reminder_due:
            reason = ("first notification" if group.last_sent_at is None or not sent_before
                      else "alerts changed" if changed else "repeat interval elapsed")
            message = build_group_message(group=group, firing=firing, resolved=resolved, now=now, reason=reason)
            deliveries = _send(group, message, now)
            group.last_sent_at = now
            group.sent_firing = sorted(firing_ids)
        else:
            # Resolved alerts leave what was said; the others (muted now) stay as they were.
            group.sent_firing = sorted(sent_before - {m.alert_id for m in members if m.pk in done})
        NotificationGroupAlert.objects.filter(pk__in=done).delete()
        if len(done) == len(members):
            group.next_flush_at = None
            group.sent_firing = []
        else:
            group.next_flush_at = now + timedelta(seconds=policy.group_interval_seconds)
        group.save(update_fields=["last_sent_at", "sent_firing", "next_flush_at"])
    if deliveries:
        logger.info("notification group %s of policy %s: %s firing, %s resolved, %s deliveries",
                    group.pk, policy.pk, len(firing), len(resolved), len(deliveries))
    return deliveries


def _close(group: NotificationGroup, member_ids: list[int]) -> None:
    NotificationGroupAlert.objects.filter(pk__in=member_ids).delete()
    NotificationGroup.objects.filter(pk=group.pk).update(next_flush_at=None, sent_firing=[])


def _send(group: NotificationGroup, message: NotificationMessage, now: datetime) -> list[NotificationDelivery]:
    from .notifications import create_deliveries  # notifications imports this module

    targets = [(channel, target) for channel in group.policy.channels.filter(is_active=True).order_by("pk")
               for target in channel_targets(channel)]
    if not targets:
        return []
    # A message of the group not sent yet (waiting for a retry) says what is no longer true: the
    # new one says all of it. One being sent right now is left to finish.
    NotificationDelivery.objects.filter(
        event=NotificationEvent.GROUP, status=DeliveryStatus.PENDING, payload__group__group_id=group.pk,
        claimed_until__isnull=True,
    ).update(status=DeliveryStatus.SKIPPED, last_error=SUPERSEDED_GROUP, next_attempt_at=None)
    return create_deliveries(message=message, targets=targets, now=now)


def group_deliveries_for(alert: AlertHistory) -> list[NotificationDelivery]:
    """The group messages that listed `alert` (its timeline shows them): one query over the group
    messages written while it was open and for a group interval after (the longest) it resolved;
    PostgreSQL matches the payload itself, SQLite has the payloads read here."""
    end = (alert.resolved_at or timezone.now()) + timedelta(seconds=MAX_GROUP_INTERVAL_SECONDS)
    candidates = NotificationDelivery.objects.filter(
        event=NotificationEvent.GROUP, alert__isnull=True, created_at__gte=alert.triggered_at, created_at__lte=end,
    ).order_by("created_at", "pk")
    if connection.vendor == "postgresql":
        return list(candidates.filter(payload__group__alerts__contains=[{"alert_id": alert.pk}]).defer("payload"))
    return [delivery for delivery in candidates if alert.pk in listed_alerts(delivery.payload)]


def listed_alerts(payload: dict) -> list[int]:
    """The alerts a group message's payload lists (none for any other message): a sent one
    counts as a notification of each."""
    group = (payload or {}).get("group") or {}
    return [int(entry["alert_id"]) for entry in group.get("alerts") or [] if entry.get("alert_id") is not None]


def build_group_message(*, group: NotificationGroup, firing: Sequence[AlertHistory],
                        resolved: Sequence[AlertHistory], now: datetime, reason: str = "") -> NotificationMessage:
    """The message of one group: its firing alerts, then those resolved since its last message
    (at most MAX_LISTED of them listed)."""
    policy = group.policy
    every = [*firing, *resolved]
    entries = [build_group_entry(alert, now=now) for alert in every[:MAX_LISTED]]
    for entry in entries:
        entry["line"] = group_entry_line(entry)  # what the email templates list
    rules = {alert.rule_name for alert in every}
    rule_ids = {alert.rule_id for alert in every}
    title = next(iter(rules)) if len(rules) == 1 else policy.name
    ranked = sorted(firing or resolved, key=lambda alert: _SEVERITY_RANK.get(alert.severity, 99))
    label_sets = [dict(routing_labels(rule=alert.rule, alert=alert)) for alert in every]
    common = dict(label_sets[0]) if label_sets else {}
    for labels in label_sets[1:]:
        common = {name: value for name, value in common.items() if labels.get(name) == value}
    message = NotificationMessage(
        kind=NotificationEvent.GROUP.value,
        title=title,
        time=now,
        severity=ranked[0].severity if ranked else "",
        link=f"{settings.SITE_URL}/alerts",
        rule_id=next(iter(rule_ids)) if len(rule_ids) == 1 else None,
        group_labels=tuple(sorted(group.labels.items())),
        group={
            "group_id": group.pk, "policy_id": policy.pk, "policy": policy.name, "reason": reason,
            # The group's round (from its first alert until all resolved) and whether this is its
            # first message: email threads a round's messages.
            "opened_at": group.opened_at.isoformat() if group.opened_at else None,
            "first": group.last_sent_at is None or not group.sent_firing,
            "labels": [list(pair) for pair in sorted(group.labels.items())],
            "common_labels": [list(pair) for pair in sorted(common.items())],
            "firing_count": len(firing), "resolved_count": len(resolved),
            "truncated": max(0, len(every) - MAX_LISTED), "alerts": entries,
        },
    )
    return dataclasses.replace(message, text=group_text(message))
