"""The daily summary, sent through the real delivery path to a local SMTP server."""

import logging
from datetime import timedelta

import pytest

from alerts.models import NotificationDelivery
from alerts.services.summary import send_daily_alert_summary

from .activity import NOW, create_a_day_of_alerts
from .conftest import SITE_URL
from .test_email_notifier import parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipients(settings):
    settings.ALERT_SUMMARY_RECIPIENTS = ["admin@resee.com", "ops@resee.com"]
    return settings.ALERT_SUMMARY_RECIPIENTS


def run_summary(django_capture_on_commit_callbacks, now=NOW):
    with django_capture_on_commit_callbacks(execute=True):
        return send_daily_alert_summary(now=now)


def test_the_summary_reaches_every_recipient_with_the_right_figures(
    smtp_server, recipients, celery_eager, django_capture_on_commit_callbacks
):
    rows = create_a_day_of_alerts()

    result = run_summary(django_capture_on_commit_callbacks)

    assert result == {"recipients": 2, "queued": 2, "alerts": 4}
    assert sorted(message["To"] for message in smtp_server.messages) == recipients
    message = smtp_server.messages[0]
    assert message["Subject"] == "[SUMMARY] Resee Alerts daily summary: 4 alerts in the last 24 hours"
    text, html = parts(message)
    assert "2025-03-01 09:00:00 UTC to 2025-03-02 09:00:00 UTC" in text
    assert "Alerts triggered: 4\n  Critical: 1\n  High:     3\n  Medium:   0\n  Low:      0" in text
    assert "Resolved: 2, mean time to resolve: 20 min" in text
    assert "Top rules:\n  3 x High CPU Usage\n  1 x High API Error Rate" in text
    assert "Still open now: 2" in text
    errors_link = f"{SITE_URL}/alerts/{rows['errors_open'].pk}"
    cpu_link = f"{SITE_URL}/alerts/{rows['cpu_open'].pk}"
    assert f"[CRITICAL] High API Error Rate (api_error_rate), open for 1 h 0 min: {errors_link}" in text
    assert f"[HIGH] High CPU Usage (cpu_usage), open for 2 h 0 min: {cpu_link}" in text
    assert text.index(errors_link) < text.index(cpu_link)
    assert "Slack: 3 / 1 / 0 / 0, 75.0%" in text
    assert "Email: 2 / 0 / 1 / 0, 100.0%" in text
    assert "Critical <strong>1</strong>" in html
    assert "<li>High CPU Usage: 3</li>" in html
    assert f'<a href="{cpu_link}"' in html
    assert "75.0%" in html

    summaries = NotificationDelivery.objects.filter(event="summary").order_by("target")
    assert [(d.channel, d.target, d.status, d.alert_id, d.created_at) for d in summaries] == [
        ("email", "admin@resee.com", "sent", None, NOW),
        ("email", "ops@resee.com", "sent", None, NOW),
    ]


def test_rule_names_are_escaped_in_the_summary_html(smtp_server, recipients, celery_eager,
                                                     django_capture_on_commit_callbacks):
    from .factories import make_alert, make_rule

    make_alert(make_rule(name="<script>alert(1)</script>"), triggered_at=NOW - timedelta(hours=1))

    run_summary(django_capture_on_commit_callbacks)

    text, html = parts(smtp_server.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1 x <script>alert(1)</script>" in text


def test_no_recipients_no_summary(caplog, smtp_server, celery_eager, django_capture_on_commit_callbacks):
    create_a_day_of_alerts()

    with caplog.at_level(logging.INFO, logger="alerts.services.summary"):
        result = run_summary(django_capture_on_commit_callbacks)

    assert result == {"recipients": 0, "queued": 0, "skipped": "no recipients"}
    assert "Daily alert summary skipped: ALERT_SUMMARY_RECIPIENTS is not set" in caplog.text
    assert smtp_server.messages == []
    assert not NotificationDelivery.objects.filter(event="summary").exists()


def test_running_it_twice_sends_it_once(smtp_server, recipients, celery_eager, django_capture_on_commit_callbacks):
    run_summary(django_capture_on_commit_callbacks)

    again = run_summary(django_capture_on_commit_callbacks, now=NOW + timedelta(minutes=5))

    assert again == {"recipients": 2, "queued": 0, "skipped": "already sent"}
    assert len(smtp_server.messages) == 2
    # The next day it goes out again.
    run_summary(django_capture_on_commit_callbacks, now=NOW + timedelta(days=1))
    assert len(smtp_server.messages) == 4


def test_an_unreachable_mail_server_leaves_the_summary_to_be_retried(
    smtp_server, recipients, settings, queued_tasks, django_capture_on_commit_callbacks
):
    from alerts.services.notifications import deliver

    from .receivers import closed_port

    settings.EMAIL_PORT = closed_port()
    run_summary(django_capture_on_commit_callbacks)

    outcomes = [deliver(delivery_id=task["delivery_id"], attempt=task["attempt"]) for task in queued_tasks]

    assert [outcome.status for outcome in outcomes] == ["pending", "pending"]
    assert all(outcome.retry_in for outcome in outcomes)
