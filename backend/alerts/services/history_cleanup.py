"""Deleting alert history past its retention (04:00 daily)."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import AlertHistory, AlertStatus, NotificationDelivery, NotificationEvent

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000


def cleanup_old_alert_history(*, now: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> dict:
    """Delete resolved alerts resolved more than ALERT_HISTORY_RETENTION_DAYS ago, with their
    deliveries, and test, summary and group deliveries (which belong to no alert) older than that.
    Active alerts are never deleted, however old. Works in batches, each its own transaction, so
    the tables are never locked for long and an interrupted run keeps what it did; running it
    twice deletes nothing more.

    Returns {"alerts": n, "alert_deliveries": n, "other_deliveries": n}.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ALERT_HISTORY_RETENTION_DAYS)
    counts = {"alerts": 0, "alert_deliveries": 0, "other_deliveries": 0}

    old_alerts = AlertHistory.objects.filter(status=AlertStatus.RESOLVED, resolved_at__lt=cutoff)
    while True:
        ids = list(old_alerts.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            deliveries, _ = NotificationDelivery.objects.filter(alert_id__in=ids).delete()
            # The status is checked again: an alert is never deleted while active.
            alerts, _ = AlertHistory.objects.filter(pk__in=ids, status=AlertStatus.RESOLVED).delete()
        counts["alert_deliveries"] += deliveries
        counts["alerts"] += alerts

    old_other = NotificationDelivery.objects.filter(
        alert__isnull=True, created_at__lt=cutoff,
        event__in=[NotificationEvent.TEST, NotificationEvent.SUMMARY, NotificationEvent.GROUP],
    )
    while True:
        ids = list(old_other.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        deleted, _ = NotificationDelivery.objects.filter(pk__in=ids).delete()
        counts["other_deliveries"] += deleted

    logger.info(
        "Alert history clean-up (older than %s): %d alerts with %d deliveries, %d test, summary and group "
        "deliveries",
        cutoff.isoformat(), counts["alerts"], counts["alert_deliveries"], counts["other_deliveries"],
    )
    return counts
