"""The daily alert summary email (09:00) to settings.ALERT_SUMMARY_RECIPIENTS."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .. import selectors
from ..models import DeliveryStatus, NotificationDelivery, NotificationEvent
from ..validators import parse_email_recipients
from .email_notifier import EmailNotifier
from .messages import alert_url, build_summary_message, format_duration, format_time
from .notifications import create_deliveries

logger = logging.getLogger(__name__)

PERIOD = timedelta(hours=24)
# A second run soon after the first (the beat message delivered twice, a worker restarted mid-task)
# does not mail everyone again.
RESEND_GUARD = timedelta(hours=12)


def summary_for_message(stats: dict) -> dict:
    """The selector's figures as stored on the deliveries: JSON, times already formatted."""
    mttr = stats["mean_time_to_resolve"]
    mttr_seconds = mttr.total_seconds() if mttr is not None else None
    now = stats["until"]
    return {
        "period_start": format_time(stats["since"]),
        "period_end": format_time(stats["until"]),
        "total": stats["total"],
        "by_severity": stats["by_severity"],
        "top_rules": stats["top_rules"],
        "resolved_count": stats["resolved_count"],
        "mean_time_to_resolve_seconds": mttr_seconds,
        "mean_time_to_resolve": format_duration(mttr_seconds),
        "open_count": stats["open_count"],
        "open_alerts": [
            {
                "id": alert.pk,
                "rule": alert.rule_name,
                "severity": alert.severity,
                "metric_name": alert.metric_name,
                "triggered_at": format_time(alert.triggered_at),
                "open_for": format_duration((now - alert.triggered_at).total_seconds()),
                "link": alert_url(alert.pk),
            }
            for alert in stats["open_alerts"]
        ],
        "notifications": stats["notifications"],
    }


def send_daily_alert_summary(*, now: datetime | None = None) -> dict:
    """Queue the summary of the last 24 hours to every ALERT_SUMMARY_RECIPIENTS address, one
    `summary` delivery each. Returns what it did."""
    now = now or timezone.now()
    recipients = parse_email_recipients(list(settings.ALERT_SUMMARY_RECIPIENTS))
    if not recipients:
        logger.info("Daily alert summary skipped: ALERT_SUMMARY_RECIPIENTS is not set")
        return {"recipients": 0, "queued": 0, "skipped": "no recipients"}

    already = set(
        NotificationDelivery.objects.filter(
            event=NotificationEvent.SUMMARY, created_at__gt=now - RESEND_GUARD, target__in=recipients
        )
        .exclude(status=DeliveryStatus.FAILED)
        .values_list("target", flat=True)
    )
    if already:
        logger.info(
            "Daily alert summary already queued in the last %s for %s", RESEND_GUARD, ", ".join(sorted(already))
        )
    targets = [(EmailNotifier.name, address) for address in recipients if address not in already]
    if not targets:
        return {"recipients": len(recipients), "queued": 0, "skipped": "already sent"}

    stats = selectors.alert_summary(since=now - PERIOD, until=now)
    message = build_summary_message(summary=summary_for_message(stats), now=now)
    deliveries = create_deliveries(message=message, targets=targets, now=now)
    logger.info("Daily alert summary queued for %d recipient(s): %d alerts in the last 24 hours",
                len(deliveries), stats["total"])
    return {"recipients": len(recipients), "queued": len(deliveries), "alerts": stats["total"]}
