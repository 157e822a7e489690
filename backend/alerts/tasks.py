"""Periodic alerting tasks, scheduled by CELERY_BEAT_SCHEDULE in settings, and the notification
task. Each is thin: it takes ids (or nothing), calls one service, and is safe to run twice.

Services queue tasks, so they import this module; a task imports its service in its body, so that
the dependency runs one way at import time (services -> tasks)."""

import logging

from celery import shared_task

from core import selfwatch

logger = logging.getLogger(__name__)


@shared_task
def check_alert_rules():
    """Every minute: evaluate every active rule (skipped while the previous tick still runs),
    then queue again any notification whose task was lost."""
    from .services import alert_engine, notifications

    report = alert_engine.run_tick()
    summary_ = report.summary()
    if not report.skipped:
        summary_["requeued_notifications"] = notifications.requeue_stalled_deliveries()
    logger.info("check_alert_rules: %s", summary_)
    if not report.skipped:
        # The dead-man's switch (DEADMAN_PING_URL): once per good tick, after its work is done and
        # its lock released; bounded by a short timeout, and never raises.
        selfwatch.ping_deadman()
    return summary_


@shared_task
def send_daily_alert_summary():
    from .services import summary

    return summary.send_daily_alert_summary()


@shared_task
def cleanup_old_alert_history():
    """04:00: resolved alerts past ALERT_HISTORY_RETENTION_DAYS, telemetry past
    TELEMETRY_RETENTION_DAYS."""
    from monitoring.services import delete_old_telemetry

    from .services import history_cleanup

    return {**history_cleanup.cleanup_old_alert_history(), "telemetry": delete_old_telemetry()}


@shared_task
def update_alert_metrics_cache():
    """Every 5 minutes: the overview numbers and open alerts by severity, into the cache."""
    from .services import metrics_cache

    return metrics_cache.refresh()


# A task of its own rather than a step of the engine's tick: a silence ending is a matter of
# notifications, not of evaluation, so it must not wait for a slow tick (a data source timing out)
# nor be skipped with one that the tick lock holds back. It runs on the notifications queue, next to
# the sends it queues. Two runs at once send each message once (a compare-and-set per alert).
@shared_task
def release_silenced_alerts():
    """Every minute: the one message each open alert a silence or maintenance window held back is
    owed, once nothing holds it any more."""
    from .services import lifecycle

    released = lifecycle.release_held_alerts()
    if released:
        logger.info("release_silenced_alerts: %s alerts released", released)
    return {"released": released}


@shared_task
def escalate_unacknowledged_alerts():
    """Every minute: each open alert a policy escalates, not acknowledged in time, goes to the
    policy's escalation channels, once (services.escalation)."""
    from .services import escalation

    escalated = escalation.escalate()
    if escalated:
        logger.info("escalate_unacknowledged_alerts: %s escalations", escalated)
    return {"escalated": escalated}


@shared_task
def end_flapping():
    """Every minute: rules (groups) stable for their flap window stop flapping; each says so
    once (services.flapping)."""
    from .services import flapping

    ended = flapping.end_flapping()
    if ended:
        logger.info("end_flapping: %s rules or groups stopped flapping", ended)
    return {"ended": ended}


@shared_task
def flush_notification_groups():
    """Every NOTIFICATION_GROUP_FLUSH_SECONDS (10 s): each notification group whose group_wait,
    group_interval or repeat_interval has come sends its one message (services.grouping); two
    runs at once send it once."""
    from .services import grouping

    sent = grouping.flush_due_groups()
    if sent:
        logger.info("flush_notification_groups: %s group messages", sent)
    return {"sent": sent}


# Retries are bounded by NOTIFICATION_MAX_ATTEMPTS in the delivery service, not by Celery.
@shared_task(bind=True, max_retries=None)
def send_notification(self, delivery_id, attempt=None):
    """One attempt at one NotificationDelivery; after a transient failure, the next attempt is
    this task again, after the delay the retry policy chose."""
    from .services import notifications

    outcome = notifications.deliver(delivery_id=delivery_id, attempt=attempt)
    if outcome.retry_in is not None:
        raise self.retry(kwargs={"delivery_id": delivery_id, "attempt": outcome.attempts}, countdown=outcome.retry_in)
    return outcome.status
