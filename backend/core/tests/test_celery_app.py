from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings

from resee.celery import app

# name: (task, schedule, seconds between runs)
DOCUMENTED_SCHEDULE = {
    "check-alert-rules": ("alerts.tasks.check_alert_rules", crontab(minute="*"), 60),
    "release-silenced-alerts": ("alerts.tasks.release_silenced_alerts", crontab(minute="*"), 60),
    "flush-notification-groups": ("alerts.tasks.flush_notification_groups", timedelta(seconds=10), 10),
    "escalate-unacknowledged-alerts": ("alerts.tasks.escalate_unacknowledged_alerts", crontab(minute="*"), 60),
    "end-flapping": ("alerts.tasks.end_flapping", crontab(minute="*"), 60),
    "sweep-checks": ("monitoring.tasks.sweep_checks", timedelta(seconds=10), 10),
    "send-daily-alert-summary": ("alerts.tasks.send_daily_alert_summary", crontab(hour=9, minute=0), 86400),
    "cleanup-old-alert-history": ("alerts.tasks.cleanup_old_alert_history", crontab(hour=4, minute=0), 86400),
    "update-alert-metrics-cache": ("alerts.tasks.update_alert_metrics_cache", crontab(minute="*/5"), 300),
    "collect-system-metrics": ("monitoring.tasks.collect_system_metrics", crontab(minute="*"), 60),
}


def test_beat_schedule_is_the_documented_one():
    schedule = app.conf.beat_schedule

    assert set(schedule) == set(DOCUMENTED_SCHEDULE)
    for name, (task, when, _) in DOCUMENTED_SCHEDULE.items():
        assert schedule[name]["task"] == task
        assert schedule[name]["schedule"] == when, name


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()

    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


def test_periodic_runs_expire_before_their_next_run():
    for name, (_, _, period) in DOCUMENTED_SCHEDULE.items():
        assert 0 < app.conf.beat_schedule[name]["options"]["expires"] < period, name


@pytest.mark.parametrize("interval, expires", [(60, 55), (30, 25), (8, 4), (5, 2.5), (1, 0.5)])
def test_a_short_interval_still_leaves_a_worker_time_to_take_the_run(interval, expires):
    # interval - 5 alone gave a 5 s tick one second, less than the embedded broker takes to hand it over.
    from resee.settings import periodic_expiry

    assert periodic_expiry(interval) == expires


def test_celery_speaks_json_and_has_time_limits():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.timezone == settings.TIME_ZONE
