"""Periodic alerting tasks, scheduled by CELERY_BEAT_SCHEDULE in settings, and the notification
task. Each is thin: it takes ids (or nothing), calls one service, and is safe to run twice."""

import logging

from celery import shared_task

from .services import history_cleanup, notifications, summary

logger = logging.getLogger(__name__)

# The alert engine is not installed yet. Until it is, check_alert_rules and
# update_alert_metrics_cache say so in the worker log and do nothing.


@shared_task
def check_alert_rules():
    logger.info("check_alert_rules: the alert engine is not installed yet; no rules to evaluate")


@shared_task
def send_daily_alert_summary():
    return summary.send_daily_alert_summary()


@shared_task
def cleanup_old_alert_history():
    return history_cleanup.cleanup_old_alert_history()


@shared_task
def update_alert_metrics_cache():
    logger.info("update_alert_metrics_cache: the alert engine is not installed yet; nothing to cache")


# Retries are bounded by NOTIFICATION_MAX_ATTEMPTS in the delivery service, not by Celery.
@shared_task(bind=True, max_retries=None)
def send_notification(self, delivery_id, attempt=None):
    """One attempt at one NotificationDelivery; after a transient failure, the next attempt is
    this task again, after the delay the retry policy chose."""
    outcome = notifications.deliver(delivery_id=delivery_id, attempt=attempt)
    if outcome.retry_in is not None:
        raise self.retry(kwargs={"delivery_id": delivery_id, "attempt": outcome.attempts}, countdown=outcome.retry_in)
    return outcome.status
