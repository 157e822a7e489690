"""Escalation (docs/architecture.md §10): an open alert that a notification policy with
`escalate_after_minutes` matches, still not acknowledged that long after it opened, is sent once
to the policy's escalation channels ("Escalated: not acknowledged for N min"). Acknowledging or
resolving it first means no escalation; an escalation still on its way when it is acknowledged
is not sent (notifications.deliver), and the escalation channels hear the alert's
acknowledgement and resolve.

The `escalate_unacknowledged_alerts` beat task calls `escalate` every minute. Each escalation is
an AlertEvent with the key "policy:<id>", unique per alert: two sweeps at once escalate once.
A silenced or inhibited alert is not escalated while it is held: it is escalated when nothing
holds it any more, if it is still open and not acknowledged.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import AlertEvent, AlertEventKind, AlertHistory, AlertStatus, NotificationPolicy
from . import notifications
from .channels import channel_targets, matching_policies, routing_labels
from .inhibitions import inhibitions_for
from .silences import active_holds, holds_for_alert

logger = logging.getLogger(__name__)

BATCH = 1000


def _policies() -> list[NotificationPolicy]:
    return list(
        NotificationPolicy.objects.filter(is_active=True, escalate_after_minutes__isnull=False)
        .prefetch_related("escalation_channels")
    )


def escalate(*, now: datetime | None = None) -> int:
    """Escalate every alert that is due; returns how many escalations were queued."""
    now = now or timezone.now()
    escalating = _policies()
    if not escalating:
        return 0
    soonest = min(policy.escalate_after_minutes or 0 for policy in escalating)
    candidates = list(
        AlertHistory.objects.filter(
            status=AlertStatus.ACTIVE, acknowledged_at__isnull=True, rule__isnull=False,
            triggered_at__lte=now - timedelta(minutes=soonest),
        ).select_related("rule").order_by("triggered_at", "pk")[:BATCH]
    )
    if not candidates:
        return 0
    done = set(AlertEvent.objects.filter(
        alert__in=[alert.pk for alert in candidates], kind=AlertEventKind.ESCALATED,
    ).values_list("alert_id", "key"))
    # Matching walks every active policy in order (an escalating policy may come after one that
    # stops the walk); they are read once for all candidates.
    policies = list(NotificationPolicy.objects.filter(is_active=True).prefetch_related("escalation_channels"))
    holds = active_holds(now)
    escalated = 0
    for alert in candidates:
        due = [
            policy for policy in matching_policies(routing_labels(rule=alert.rule, alert=alert), policies)
            if policy.escalate_after_minutes is not None
            and alert.triggered_at <= now - timedelta(minutes=policy.escalate_after_minutes)
            and (alert.pk, f"policy:{policy.pk}") not in done
        ]
        if not due or holds_for_alert(alert, now=now, holds=holds) or inhibitions_for(alert):
            continue
        for policy in due:
            escalated += _escalate(alert, policy, now)
    return escalated


def _escalate(alert: AlertHistory, policy: NotificationPolicy, now: datetime) -> int:
    minutes = policy.escalate_after_minutes or 0
    targets = [(channel, target) for channel in policy.escalation_channels.all() if channel.is_active
               for target in channel_targets(channel)]
    names = ", ".join(channel.name for channel in policy.escalation_channels.all()) or "no channel"
    text = f"Escalated by policy {policy.name!r} to {names}: not acknowledged for {minutes} min."
    try:
        with transaction.atomic():
            AlertEvent.objects.create(
                alert=alert, kind=AlertEventKind.ESCALATED, at=now, key=f"policy:{policy.pk}", text=text,
                detail={"policy": policy.pk, "after_minutes": minutes, "channels": [c.pk for c in
                                                                                    policy.escalation_channels.all()]},
            )
            notifications.queue_escalation(alert=alert, targets=targets, after_minutes=minutes, now=now)
    except IntegrityError:
        return 0  # another sweep escalated it through this policy
    logger.warning("alert %s escalated by policy %s after %s min", alert.pk, policy.pk, minutes)
    return 1
