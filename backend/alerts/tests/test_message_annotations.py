"""An alert's annotations and labels in its messages: the rendered summary, the runbook link, the
labels (its group's first) and the group in the title, as Slack and email receive them."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from alerts.services.email_notifier import EmailNotifier
from alerts.services.messages import NotificationMessage, build_alert_message
from alerts.services.slack_notifier import SlackNotifier

from .conftest import SITE_URL
from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
RUNBOOK = "https://wiki.resee.test/runbooks/orders?section=5xx&lang=en"
SUMMARY = "/api/orders/ answers 5xx for 12.5 % of requests"


def grouped_alert(**fields):
    rule = make_rule(name="Error rate per route", metric_name="api_error_rate", condition="gt", threshold_value=5,
                     time_window_minutes=2, severity="high", slack_enabled=True, email_enabled=True,
                     email_recipients=["oncall@resee.test"], group_by=["route", "method"],
                     labels={"team": "payments", "service": "checkout"}, runbook_url=RUNBOOK)
    values = dict(
        metric_value=12.5, last_value=12.5, triggered_at=T0,
        message='api_error_rate{method="GET", route="/api/orders/"} (avg over 2 min) is 12.5 %, > 5 %',
        context={"window_minutes": 2, "aggregation": "avg"},
        group_labels={"route": "/api/orders/", "method": "GET"},
        labels={"team": "payments", "service": "checkout", "route": "/api/orders/", "method": "GET"},
        runbook_url=RUNBOOK, summary=SUMMARY,
    )
    return make_alert(rule, **(values | fields))


def slack_fields(payload) -> dict:
    return {field["title"]: field["value"] for field in payload["attachments"][0]["fields"]}


def email_parts(received) -> tuple[str, str]:
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


# --- the message ----------------------------------------------------------------------------------


def test_the_message_carries_summary_runbook_and_labels_group_first():
    message = build_alert_message(alert=grouped_alert(), event="trigger")

    assert message.alert_summary == SUMMARY
    assert message.runbook_url == RUNBOOK
    assert message.group_labels == (("method", "GET"), ("route", "/api/orders/"))
    # The rule's labels, without those the group has.
    assert message.rule_labels == (("service", "checkout"), ("team", "payments"))
    assert message.labels_text == 'method="GET" route="/api/orders/" service="checkout" team="payments"'
    assert message.group_title == 'Error rate per route {method="GET", route="/api/orders/"}'
    assert message.subject == '[HIGH] Error rate per route {method="GET", route="/api/orders/"}'
    assert message.title == "Error rate per route"  # the rule, as the Rule field shows it


def test_a_group_label_wins_over_a_rule_label_of_the_same_name():
    alert = grouped_alert(group_labels={"route": "/api/cart/"},
                          labels={"route": "/api/cart/", "team": "payments"})

    message = build_alert_message(alert=alert, event="trigger")

    assert message.labels_text == 'route="/api/cart/" team="payments"'


def test_reminders_and_resolves_name_the_group_and_say_when_the_summary_was_written():
    alert = grouped_alert()
    reminder = build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1))
    alert.status, alert.resolved_at = "resolved", T0 + timedelta(hours=2)
    resolve = build_alert_message(alert=alert, event="resolve")

    assert reminder.subject == '[HIGH] Error rate per route {method="GET", route="/api/orders/"} (still firing)'
    assert resolve.subject == '[RESOLVED] Error rate per route {method="GET", route="/api/orders/"}'
    assert reminder.summary_line == f"When it fired: {SUMMARY}"
    assert resolve.summary_line == f"When it fired: {SUMMARY}"
    assert build_alert_message(alert=alert, event="trigger").summary_line == SUMMARY


def test_a_rule_label_only_alert_keeps_its_title():
    alert = make_alert(make_rule(labels={"team": "infra"}), labels={"team": "infra"})

    message = build_alert_message(alert=alert, event="trigger")

    assert message.subject == "[HIGH] High CPU Usage"
    assert message.labels_text == 'team="infra"'


def test_a_runbook_that_is_not_http_never_becomes_a_link():
    # Written past the validators (an old row, a script): the message leaves it out.
    alert = grouped_alert(runbook_url="javascript:alert(1)")

    message = build_alert_message(alert=alert, event="trigger")

    assert message.runbook_url == ""


def test_the_labels_keep_their_order_through_json_storage():
    original = build_alert_message(alert=grouped_alert(), event="trigger")

    stored = json.loads(json.dumps(original.as_dict()))

    assert stored["group_labels"] == [["method", "GET"], ["route", "/api/orders/"]]
    assert NotificationMessage.from_dict(stored) == original


def test_a_payload_stored_before_annotations_still_reads():
    stored = build_alert_message(alert=make_alert(triggered_at=T0), event="trigger").as_dict()
    for key in ("alert_summary", "runbook_url", "group_labels", "rule_labels"):
        del stored[key]

    message = NotificationMessage.from_dict(stored)

    assert (message.alert_summary, message.runbook_url, message.group_labels, message.labels_text) == ("", "", (), "")


# --- Slack ----------------------------------------------------------------------------------------


def test_slack_shows_the_group_summary_labels_and_runbook(slack_server):
    alert = grouped_alert()

    assert SlackNotifier().send(build_alert_message(alert=alert, event="trigger"), target="#ops").ok

    payload = slack_server.requests[0].json
    group = '{method="GET", route="/api/orders/"}'
    assert payload["text"] == f":rotating_light: *[HIGH] Error rate per route {group}*"
    attachment = payload["attachments"][0]
    assert attachment["title"] == f"Error rate per route {group}"
    assert attachment["fallback"] == f"[HIGH] Error rate per route {group}"
    assert attachment["text"] == (
        'api_error_rate is 12.5%, threshold &gt; 5%.\n'
        f"{SUMMARY}\n"
        'api_error_rate{method="GET", route="/api/orders/"} (avg over 2 min) is 12.5 %, &gt; 5 %'
    )
    fields = slack_fields(payload)
    assert fields["Rule"] == "Error rate per route"
    assert fields["Labels"] == 'method="GET" route="/api/orders/" service="checkout" team="payments"'
    # Slack reads &amp; in a link as &.
    assert fields["Runbook"] == (
        "<https://wiki.resee.test/runbooks/orders?section=5xx&amp;lang=en"
        "|https://wiki.resee.test/runbooks/orders?section=5xx&amp;lang=en>"
    )
    assert list(fields)[-3:] == ["Labels", "Runbook", "Alert"]
    assert fields["Alert"] == f"<{SITE_URL}/alerts/{alert.pk}|Open alert #{alert.pk}>"


def test_slack_escapes_summary_labels_and_runbook(slack_server):
    alert = grouped_alert(
        summary="<!channel> look at <https://evil.test|this> & that",
        group_labels={"route": "/api/<id>/"}, labels={"route": "/api/<id>/", "team": "a&b"},
        runbook_url="https://wiki.resee.test/run|book?a=<1>",
    )

    SlackNotifier().send(build_alert_message(alert=alert, event="trigger"), target="#ops")

    payload = slack_server.requests[0].json
    attachment = payload["attachments"][0]
    assert "&lt;!channel&gt; look at &lt;https://evil.test|this&gt; &amp; that" in attachment["text"]
    assert "<!channel>" not in json.dumps(payload)
    assert payload["text"] == ':rotating_light: *[HIGH] Error rate per route {route="/api/&lt;id&gt;/"}*'
    fields = slack_fields(payload)
    assert fields["Labels"] == 'route="/api/&lt;id&gt;/" team="a&amp;b"'
    # The "|" would end the link's address: it is percent-encoded there, escaped in the text.
    assert fields["Runbook"] == (
        "<https://wiki.resee.test/run%7Cbook?a=&lt;1&gt;|https://wiki.resee.test/run|book?a=&lt;1&gt;>"
    )


def test_slack_reminder_and_resolve_carry_the_summary_and_the_group(slack_server):
    alert = grouped_alert()
    reminder = build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1))
    alert.status, alert.resolved_at, alert.last_value = "resolved", T0 + timedelta(hours=2), 1.0
    alert.resolution_notes = "Rolled back."
    resolve = build_alert_message(alert=alert, event="resolve")

    SlackNotifier().send(reminder, target="#ops")
    SlackNotifier().send(resolve, target="#ops")

    reminded, resolved = (request.json for request in slack_server.requests)
    group = '{method="GET", route="/api/orders/"}'
    assert reminded["text"] == f":repeat: *[HIGH] Error rate per route {group}* is still firing (reminder)"
    assert f"\nWhen it fired: {SUMMARY}\n" in reminded["attachments"][0]["text"]
    assert resolved["text"] == f":white_check_mark: *Resolved: Error rate per route {group}*"
    assert resolved["attachments"][0]["text"].endswith(f"\nWhen it fired: {SUMMARY}\nRolled back.")
    for payload in (reminded, resolved):
        fields = slack_fields(payload)
        assert fields["Labels"] == 'method="GET" route="/api/orders/" service="checkout" team="payments"'
        assert fields["Runbook"].startswith("<https://wiki.resee.test/runbooks/orders")


def test_slack_without_annotations_has_no_such_fields(slack_server):
    SlackNotifier().send(build_alert_message(alert=make_alert(triggered_at=T0), event="trigger"), target="#ops")

    payload = slack_server.requests[0].json
    assert {"Labels", "Runbook"}.isdisjoint(slack_fields(payload))
    assert payload["attachments"][0]["text"] == "cpu_usage is 91.5%, threshold &gt; 80%."


# --- email ----------------------------------------------------------------------------------------


def test_email_shows_the_group_summary_labels_and_runbook(smtp_server):
    alert = grouped_alert()

    assert EmailNotifier().send(build_alert_message(alert=alert, event="trigger"), target="oncall@resee.test").ok

    (received,) = smtp_server.messages
    assert received["Subject"] == '[HIGH] Error rate per route {method="GET", route="/api/orders/"}'
    text, html = email_parts(received)
    assert text.startswith(
        '[HIGH] Error rate per route {method="GET", route="/api/orders/"}\n\n'
        "api_error_rate is 12.5%, threshold > 5%.\n\n"
        f"{SUMMARY}\n\n"
        'api_error_rate{method="GET", route="/api/orders/"} (avg over 2 min) is 12.5 %, > 5 %\n\n'
        "Rule:         Error rate per route\n"
    )
    assert (
        "Time:         2025-03-01 12:00:00 UTC\n"
        'Labels:       method="GET" route="/api/orders/" service="checkout" team="payments"\n\n'
        f"Runbook: {RUNBOOK}\n"
        f"Open the alert: {SITE_URL}/alerts/{alert.pk}\n\n"
        "One click (a page asks you to confirm; the links work for a day):\n"
        f"Acknowledge: {SITE_URL}/actions/"
    ) in text
    assert text.rstrip("\n").endswith("/\n\n--\nResee Alerts")
    assert f'<p style="margin:0 0 12px;white-space:pre-wrap;">{SUMMARY}</p>' in html
    assert ('<tr><th align="left">Labels</th><td><code>method=&quot;GET&quot; route=&quot;/api/orders/&quot; '
            'service=&quot;checkout&quot; team=&quot;payments&quot;</code></td></tr>') in html
    href = "https://wiki.resee.test/runbooks/orders?section=5xx&amp;lang=en"
    assert f'Runbook: <a href="{href}" style="color:#2563eb;">{href}</a>' in html
    assert "<h1 style=\"margin:0 0 8px;font-size:18px;\">[HIGH] Error rate per route " \
           "{method=&quot;GET&quot;, route=&quot;/api/orders/&quot;}</h1>" in html


def test_email_escapes_summary_labels_and_runbook_in_html(smtp_server):
    alert = grouped_alert(
        summary='<script>steal()</script> & "quoted"',
        group_labels={"route": "/api/<b>/"}, labels={"route": "/api/<b>/"},
        runbook_url='https://wiki.resee.test/x?a="><script>',
    )

    EmailNotifier().send(build_alert_message(alert=alert, event="trigger"), target="oncall@resee.test")

    text, html = email_parts(smtp_server.messages[0])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;steal()&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    assert "route=&quot;/api/&lt;b&gt;/&quot;" in html
    assert 'href="https://wiki.resee.test/x?a=&quot;&gt;&lt;script&gt;"' in html
    # Plain text is not HTML: as written.
    assert '<script>steal()</script> & "quoted"' in text
    assert 'Labels:       route="/api/<b>/"' in text


def test_email_reminder_and_resolve_carry_the_summary_and_runbook(smtp_server):
    alert = grouped_alert()
    reminder = build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1))
    alert.status, alert.resolved_at = "resolved", T0 + timedelta(hours=2)
    resolve = build_alert_message(alert=alert, event="resolve")

    EmailNotifier().send(reminder, target="oncall@resee.test")
    EmailNotifier().send(resolve, target="oncall@resee.test")

    reminded, resolved = smtp_server.messages
    assert reminded["Subject"] == '[HIGH] Error rate per route {method="GET", route="/api/orders/"} (still firing)'
    assert resolved["Subject"] == '[RESOLVED] Error rate per route {method="GET", route="/api/orders/"}'
    for mail in (reminded, resolved):
        text, html = email_parts(mail)
        assert f"\nWhen it fired: {SUMMARY}\n" in text
        assert f"\nRunbook: {RUNBOOK}\n" in text
        assert f"When it fired: {SUMMARY}</p>" in html
