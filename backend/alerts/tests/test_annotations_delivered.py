"""Annotations the whole way: a rule's summary rendered when the engine fires it, stored with the
deliveries, and what the Slack and SMTP receivers on 127.0.0.1 get for the trigger and the resolve."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import alert_engine, lifecycle
from alerts.services.alert_engine import AlertEngine
from alerts.services.notifications import deliver
from monitoring.models import MetricSample

from .conftest import SITE_URL

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
RUNBOOK = "https://wiki.resee.test/runbooks/cpu?host=web-1&step=2"


@pytest.fixture(autouse=True)
def _clean_engine_cache():
    cache.delete_many([alert_engine.EVALUATIONS_CACHE_KEY, alert_engine.TICK_LOCK_KEY])


def deliver_all(event: str, now: datetime) -> list[str]:
    return [deliver(delivery_id=pk, now=now).status
            for pk in NotificationDelivery.objects.filter(event=event).order_by("id").values_list("pk", flat=True)]


def mail_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def mail_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def test_the_summary_the_engine_renders_arrives_in_slack_and_email(slack_server, smtp_server,
                                                                   django_capture_on_commit_callbacks):
    rule = AlertRule.objects.create(
        name="High CPU Usage", metric_name="cpu_usage", condition="gt", threshold_value=80, time_window_minutes=5,
        severity="high", slack_enabled=True, slack_channel="#ops", email_enabled=True,
        email_recipients=["oncall@resee.test"], labels={"team": "infra", "service": "web"}, runbook_url=RUNBOOK,
        summary="{{ rule }} for team {{ labels.team }}: CPU at {{ value | round(1) }} % "
                "({{ aggregation }} over {{ window }} min, {{ condition }} {{ threshold }} %) <check>",
    )
    MetricSample.objects.create(name="cpu_usage", value=94.96, timestamp=T0 - timedelta(minutes=1))

    with django_capture_on_commit_callbacks():
        AlertEngine(now=T0).run()

    alert = AlertHistory.objects.get(rule=rule)
    summary = "High CPU Usage for team infra: CPU at 95.0 % (avg over 5 min, > 80.0 %) <check>"
    assert alert.summary == summary
    assert (alert.runbook_url, alert.labels) == (RUNBOOK, {"team": "infra", "service": "web"})
    assert deliver_all("trigger", T0) == ["sent", "sent"]

    (slack,) = slack_server.requests
    attachment = slack.json["attachments"][0]
    assert attachment["text"].split("\n")[1] == summary.replace("<", "&lt;").replace(">", "&gt;")
    fields = {field["title"]: field["value"] for field in attachment["fields"]}
    assert fields["Labels"] == 'service="web" team="infra"'
    assert fields["Runbook"] == f"<{RUNBOOK.replace('&', '&amp;')}|{RUNBOOK.replace('&', '&amp;')}>"
    assert slack.json["text"] == ":rotating_light: *[HIGH] High CPU Usage*"  # not grouped: no group in the title
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "[HIGH] High CPU Usage"
    assert f"\n{summary}\n" in mail_text(mail)
    assert f"\nRunbook: {RUNBOOK}\n" in mail_text(mail)
    assert "CPU at 95.0 % (avg over 5 min, &gt; 80.0 %) &lt;check&gt;</p>" in mail_html(mail)

    # Back to normal: the resolve repeats the summary written when it fired.
    MetricSample.objects.create(name="cpu_usage", value=20, timestamp=T0 + timedelta(minutes=6))
    with django_capture_on_commit_callbacks():
        AlertEngine(now=T0 + timedelta(minutes=6, seconds=30)).run()

    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert deliver_all("resolve", T0 + timedelta(minutes=7)) == ["sent", "sent"]
    resolved = slack_server.requests[1].json["attachments"][0]["text"]
    assert "\nWhen it fired: High CPU Usage for team infra: CPU at 95.0 %" in resolved
    assert f"\nWhen it fired: {summary}\n" in mail_text(smtp_server.messages[1])


def test_a_grouped_alert_is_titled_by_its_group_after_storage(slack_server, smtp_server,
                                                              django_capture_on_commit_callbacks):
    """The payload is stored as JSON (jsonb on PostgreSQL does not keep key order): the group's
    labels arrive in the same order in the title and the labels line."""
    rule = AlertRule.objects.create(
        name="Error rate per route", metric_name="api_error_rate", condition="gt", threshold_value=5,
        time_window_minutes=2, severity="critical", slack_enabled=True, email_enabled=True,
        email_recipients=["oncall@resee.test"], group_by=["route", "method"], labels={"team": "payments"},
        summary="{{ labels.method }} {{ labels.route }} fails {{ value | round(1) }} %",
    )

    with django_capture_on_commit_callbacks():
        alert = lifecycle.open_alert(
            rule=rule, now=T0, value=12.34, message="5xx", context={"window_minutes": 2, "aggregation": "avg"},
            group_labels={"route": "/api/orders/", "method": "GET"},
        )

    assert deliver_all("trigger", T0) == ["sent", "sent"]
    group = '{method="GET", route="/api/orders/"}'
    (slack,) = slack_server.requests
    assert slack.json["text"] == f":rotating_light: *[CRITICAL] Error rate per route {group}*"
    attachment = slack.json["attachments"][0]
    assert attachment["title_link"] == f"{SITE_URL}/alerts/{alert.pk}"
    assert "\nGET /api/orders/ fails 12.3 %\n" in attachment["text"]
    fields = {field["title"]: field["value"] for field in attachment["fields"]}
    assert fields["Labels"] == 'method="GET" route="/api/orders/" team="payments"'
    assert "Runbook" not in fields
    (mail,) = smtp_server.messages
    assert mail["Subject"] == f"[CRITICAL] Error rate per route {group}"
    assert 'Labels:       method="GET" route="/api/orders/" team="payments"\n' in mail_text(mail)
    assert "Runbook:" not in mail_text(mail)
