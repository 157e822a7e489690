"""Periodic alerting tasks, scheduled by CELERY_BEAT_SCHEDULE in settings."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# The alert engine, the summary and the history clean-up are not installed yet. Until they are,
# each task says so in the worker log and does nothing.


@shared_task
def check_alert_rules():
    logger.info("check_alert_rules: the alert engine is not installed yet; no rules to evaluate")


@shared_task
def send_daily_alert_summary():
    logger.info("send_daily_alert_summary: the alert engine is not installed yet; nothing to summarise")


@shared_task
def cleanup_old_alert_history():
    logger.info("cleanup_old_alert_history: the alert engine is not installed yet; no history to clean")


@shared_task
def update_alert_metrics_cache():
    logger.info("update_alert_metrics_cache: the alert engine is not installed yet; nothing to cache")
