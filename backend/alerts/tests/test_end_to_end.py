"""The whole path with real processes: beat schedules the ticks, a worker evaluates the rule and
sends its notifications to a Slack receiver and an SMTP server on 127.0.0.1."""

import pytest

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from core.testing import PYTHON, child_env, wait_for
from monitoring.services import record_metric

from .conftest import WEBHOOK_PATH

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_rule_on_a_pushed_metric_fires_notifies_once_and_resolves(tmp_path, process_group, slack_server,
                                                                    smtp_server):
    record_metric("e2e_queue_depth", 3)
    rule = AlertRule.objects.create(
        name="Queue backing up", metric_name="e2e_queue_depth", condition="gt", threshold_value=100,
        time_window_minutes=1, aggregation="last", severity="critical", slack_enabled=True,
        slack_channel="#ops", email_enabled=True, email_recipients=["oncall@resee.test"], cooldown_minutes=60,
    )
    env = child_env(
        tmp_path,
        ALERT_CHECK_INTERVAL_SECONDS="2",
        ALERT_TICK_LOCK_SECONDS="1",
        SLACK_WEBHOOK_URL=slack_server.url(WEBHOOK_PATH),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="alerts@resee.test",
        SITE_URL="https://alerts.resee.test",
    )
    # Started as an operator would by hand, without --queues: one worker consumes every queue,
    # notifications' included.
    worker = process_group.start(
        "worker", [PYTHON, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO", "--concurrency", "2"], env
    )
    beat = process_group.start("beat", [PYTHON, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO"], env)

    def alive():
        assert worker.poll() is None, process_group.log("worker")
        assert beat.poll() is None, process_group.log("beat")

    # Quiet while nothing is wrong.
    wait_for(lambda: alive() or "check_alert_rules: {'evaluated': 1" in process_group.log("worker"), timeout=60,
             message="a first tick")
    assert slack_server.requests == [] and smtp_server.messages == []

    record_metric("e2e_queue_depth", 250)

    wait_for(lambda: alive() or (len(slack_server.requests) >= 1 and len(smtp_server.messages) >= 1), timeout=60,
             message="the trigger notifications")
    alert = AlertHistory.objects.get(rule=rule)
    assert (alert.status, alert.metric_value) == ("active", 250.0)
    trigger = slack_server.requests[0].json
    assert trigger["channel"] == "#ops"
    assert "Queue backing up" in str(trigger)
    assert "250" in str(trigger)
    assert f"https://alerts.resee.test/alerts/{alert.id}" in str(trigger)
    assert smtp_server.messages[0]["Subject"] == "[CRITICAL] Queue backing up"
    assert smtp_server.messages[0]["To"] == "oncall@resee.test"

    # Several more ticks while it stays above the threshold: still one message per channel.
    ticks_before = process_group.log("worker").count("check_alert_rules: {")
    wait_for(lambda: alive() or process_group.log("worker").count("check_alert_rules: {") >= ticks_before + 3,
             timeout=60, message="three more ticks")
    assert (len(slack_server.requests), len(smtp_server.messages)) == (1, 1)

    record_metric("e2e_queue_depth", 12)

    wait_for(lambda: alive() or (len(slack_server.requests) >= 2 and len(smtp_server.messages) >= 2), timeout=60,
             message="the resolve notifications")
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == ("resolved", None)
    resolved = slack_server.requests[1].json
    assert "resolved" in str(resolved).lower()
    assert smtp_server.messages[1]["Subject"] == "[RESOLVED] Queue backing up"
    assert sorted(NotificationDelivery.objects.values_list("event", "channel", "status")) == [
        ("resolve", "email", "sent"), ("resolve", "slack", "sent"),
        ("trigger", "email", "sent"), ("trigger", "slack", "sent"),
    ]
    assert process_group.stop("beat") == 0
    assert process_group.stop("worker") == 0
    assert (len(slack_server.requests), len(smtp_server.messages)) == (2, 2)
