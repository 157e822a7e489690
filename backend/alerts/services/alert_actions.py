"""What people do to alerts: resolve one with a note, or fire a rule's alert by hand."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import AlertHistory, AlertRule, AlertStatus, NotificationEvent
from .notifications import queue_alert_notifications

logger = logging.getLogger(__name__)

# The longest resolution note a person may leave.
MAX_NOTES_LENGTH = 10_000


class AlertAlreadyResolved(Exception):
    def __init__(self, alert: AlertHistory):
        self.alert = alert
        super().__init__(f"Alert {alert.pk} is already resolved.")


class AlertAlreadyActive(Exception):
    def __init__(self, alert_id: int):
        self.alert_id = alert_id
        super().__init__(f"This rule already has an active alert ({alert_id}).")


@transaction.atomic
def resolve_alert(*, alert: AlertHistory, user, notes: str = "") -> AlertHistory:
    """Close an active alert with who closed it and why, and tell its channels. The rule fires
    again only after its cooldown if the condition still holds (see AlertEngine)."""
    now = timezone.now()
    resolved = AlertHistory.objects.filter(id=alert.id, status=AlertStatus.ACTIVE).update(
        status=AlertStatus.RESOLVED, resolved_at=now, resolved_by=user, resolution_notes=notes
    )
    if not resolved:
        alert.refresh_from_db()
        raise AlertAlreadyResolved(alert)
    alert.refresh_from_db()
    queue_alert_notifications(alert=alert, event=NotificationEvent.RESOLVE)
    logger.info("alert %s resolved by %s", alert.id, user)
    return alert


def trigger_alert(*, rule: AlertRule, user, message: str = "") -> AlertHistory:
    """Open the rule's alert now, by hand, and notify its channels."""
    now = timezone.now()
    text = message or f"Triggered by hand by {user.get_username()}"
    try:
        with transaction.atomic():
            alert = AlertHistory.objects.create(
                rule=rule,
                rule_name=rule.name,
                severity=rule.severity,
                condition=rule.condition,
                threshold_value=rule.threshold_value,
                metric_name=rule.metric_name,
                triggered_at=now,
                message=text,
                context={
                    "manual": True,
                    "triggered_by": user.get_username(),
                    "window_minutes": rule.time_window_minutes,
                    "aggregation": rule.effective_aggregation,
                    "condition": rule.condition,
                    "threshold": rule.threshold_value,
                },
                manual=True,
            )
            queue_alert_notifications(alert=alert, event=NotificationEvent.TRIGGER)
    except IntegrityError:
        active = AlertHistory.objects.filter(rule=rule, status=AlertStatus.ACTIVE).values_list("id", flat=True).first()
        raise AlertAlreadyActive(active) from None
    logger.warning("alert %s triggered by hand by %s", alert.id, user)
    return alert
