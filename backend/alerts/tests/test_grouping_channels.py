"""Every channel kind renders a notification group's message (docs/architecture.md §10): sent by
its notifier to a real receiver on 127.0.0.1 (an HTTP server, an SMTP server), and read back."""

import dataclasses
from datetime import timedelta

import pytest

from alerts.models import NotificationChannel, NotificationGroup, NotificationPolicy
from alerts.services import grouping
from alerts.services.email_notifier import EmailNotifier
from alerts.services.notifiers import NOTIFIERS

from . import channel_testing
from .channel_testing import T0, make_channel
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

SUBJECT = "[FIRING:2] Error rate per route (rule=Error rate per route)"
RESOLVED_SUBJECT = "[RESOLVED] Error rate per route (rule=Error rate per route)"


def group_message(*, firing=("/a/", "/b/"), resolved=("/c/",)):
    rule = make_rule(name="Error rate per route", metric_name="api_error_rate", threshold_value=5.0,
                     severity="critical", group_by=["route"])
    policy = NotificationPolicy.objects.create(name="Per rule", group_by=["rule"])
    group = NotificationGroup.objects.create(policy=policy, key="k", labels={"rule": rule.name}, group_by=["rule"])

    def alert(route, **fields):
        values = {"group_labels": {"route": route}, "group_fingerprint": route, "labels": {"route": route},
                  "triggered_at": T0, "metric_value": 12.0, "last_value": 12.0, **fields}
        return make_alert(rule, **values)

    firing_alerts = [alert(route) for route in firing]
    resolved_alerts = [alert(route, status="resolved", resolved_at=T0 + timedelta(minutes=5), last_value=1.0)
                       for route in resolved]
    message = grouping.build_group_message(group=group, firing=firing_alerts, resolved=resolved_alerts,
                                           now=T0 + timedelta(minutes=10), reason="first notification")
    return message, firing_alerts, resolved_alerts


def links(alerts) -> list[str]:
    return [f"{SITE_URL}/alerts/{alert.pk}" for alert in alerts]


def send(kind, server, message, *, settings=None, secrets=None, target="", reply=None):
    server.default_reply = reply or Reply()
    channel = make_channel(kind, settings=settings, secrets=secrets,
                           name=f"{kind} {NotificationChannel.objects.count()}")
    result = NOTIFIERS[kind](channel).send(message, target=target)
    assert result.ok, result.error
    (request,) = server.requests
    return request


def test_shared_text_lists_firing_then_resolved_with_values_and_links(receiver):
    message, firing, resolved = group_message()

    assert message.subject == SUBJECT
    lines = message.text.split("\n")
    assert lines[0] == "2 firing, 1 resolved."
    assert lines[1] == "Firing:"
    assert lines[2] == (f'- [CRITICAL] Error rate per route {{route="/a/"}}: 12% (threshold > 5%), firing since '
                        f"2025-03-01 12:00:00 UTC {links(firing)[0]}")
    assert lines[4] == "Resolved:"
    assert lines[5].startswith('- [CRITICAL] Error rate per route {route="/c/"}: now 1% (fires above 5%')
    assert lines[5].endswith(f"resolved at 2025-03-01 12:05:00 UTC {links(resolved)[0]}")
    assert message.colour == "#d00000"


@pytest.mark.parametrize("kind", ["slack", "mattermost", "rocketchat"])
def test_slack_compatible_kinds_send_one_message_listing_the_alerts(receiver, kind):
    message, firing, resolved = group_message()
    request = send(kind, receiver, message, secrets={"webhook_url": receiver.url("/hooks/abc")}, target="",
                   reply=Reply(200, "ok"))

    payload = request.json
    (attachment,) = payload["attachments"]
    assert SUBJECT in payload["text"]
    assert attachment["fallback"] == SUBJECT
    for url in links(firing + resolved):
        assert url in attachment["text"]
    assert "Firing:" in attachment["text"] and "Resolved:" in attachment["text"]
    if kind == "slack":
        assert f"<{links(firing)[0]}|#{firing[0].pk}>" in attachment["text"]
        assert payload["text"] == f":rotating_light: *{SUBJECT}*"
    if kind == "rocketchat":
        assert f"[#{firing[0].pk}]({links(firing)[0]})" in attachment["text"]


def test_webhook_sends_alertmanagers_group_form(receiver):
    message, firing, resolved = group_message()
    request = send("webhook", receiver, message, secrets={"url": receiver.url("/am")})

    body = request.json
    assert body["version"] == "4"
    assert body["status"] == "firing"
    assert body["groupLabels"] == {"rule": "Error rate per route"}
    policy_id = message.group["policy_id"]
    assert body["groupKey"] == f'{{}}/{{policy_id="{policy_id}"}}:{{rule="Error rate per route"}}'
    assert body["commonLabels"] == {"alertname": "Error rate per route", "severity": "critical"}
    assert body["notification_reason"] == "first notification"
    assert body["truncatedAlerts"] == 0
    assert [(a["status"], a["labels"]["route"], a["generatorURL"]) for a in body["alerts"]] == [
        ("firing", "/a/", links(firing)[0]), ("firing", "/b/", links(firing)[1]),
        ("resolved", "/c/", links(resolved)[0]),
    ]
    first, _, last = body["alerts"]
    assert (first["startsAt"], first["endsAt"]) == ("2025-03-01T12:00:00Z", "0001-01-01T00:00:00Z")
    assert last["endsAt"] == "2025-03-01T12:05:00Z"
    assert first["annotations"]["value"] == "12%" and first["annotations"]["threshold"] == "> 5%"
    assert len({alert["fingerprint"] for alert in body["alerts"]}) == 3


def test_webhook_group_all_resolved_is_status_resolved(receiver):
    message, _, _ = group_message(firing=())
    body = send("webhook", receiver, message, secrets={"url": receiver.url("/am")}).json
    assert body["status"] == "resolved" and [a["status"] for a in body["alerts"]] == ["resolved"]


def test_pagerduty_one_incident_per_group_triggered_then_resolved(receiver):
    settings_ = {"events_url": receiver.url("/v2/enqueue")}
    secrets = {"routing_key": "R0UT1NGk3y5ecretPagerDuty0000001"}
    accepted = Reply(202, '{"status":"success","message":"Event processed","dedup_key":"x"}')
    message, firing, resolved = group_message()
    body = send("pagerduty", receiver, message, settings=settings_, secrets=secrets, reply=accepted).json

    group_id = message.group["group_id"]
    assert (body["event_action"], body["dedup_key"]) == ("trigger", f"resee-group-{group_id}")
    assert body["payload"]["summary"] == SUBJECT
    assert body["payload"]["severity"] == "critical"
    details = body["payload"]["custom_details"]
    assert (details["num_firing"], details["num_resolved"]) == (2, 1)
    assert [line.rsplit(" ", 1)[1] for line in details["firing"]] == links(firing)
    assert details["resolved"][0].startswith('[CRITICAL] Error rate per route {route="/c/"}')

    receiver.requests.clear()
    done, _, _ = group_message(firing=())
    done = dataclasses.replace(done, group={**(done.group or {}), "group_id": group_id})
    body = send("pagerduty", receiver, done, settings=settings_, secrets=secrets, reply=accepted).json
    assert body == {"routing_key": secrets["routing_key"], "event_action": "resolve",
                    "dedup_key": f"resee-group-{group_id}"}


def test_opsgenie_one_alert_per_group_created_then_closed(receiver):
    settings_, secrets = {"api_url": receiver.url("")}, {"api_key": "0f9e8d7c-6b5a-4c3d-2e1f-opsgeniesecret"}
    accepted = Reply(202, '{"result":"Request will be processed","took":0.01,"requestId":"43a29c5c"}')
    message, firing, _ = group_message()
    request = send("opsgenie", receiver, message, settings=settings_, secrets=secrets, reply=accepted)

    group_id = message.group["group_id"]
    assert request.path == "/v2/alerts"
    body = request.json
    assert (body["alias"], body["message"], body["priority"]) == (f"resee-group-{group_id}", SUBJECT, "P1")
    for url in links(firing):
        assert url in body["description"]

    receiver.requests.clear()
    done, _, _ = group_message(firing=())
    done = dataclasses.replace(done, group={**(done.group or {}), "group_id": group_id})
    request = send("opsgenie", receiver, done, settings=settings_, secrets=secrets, reply=accepted)
    assert request.path == f"/v2/alerts/resee-group-{group_id}/close?identifierType=alias"
    assert "0 firing, 1 resolved." in request.json["note"]


def test_teams_card_lists_the_alerts(receiver):
    message, firing, resolved = group_message()
    request = send("teams", receiver, message, secrets={"webhook_url": receiver.url("/workflows/x")},
                   reply=Reply(202, ""))

    card = request.json["attachments"][0]["content"]
    texts = [block.get("text", "") for block in card["body"]]
    assert texts[0] == SUBJECT
    for url in links(firing + resolved):
        assert url in texts[1]


def test_discord_embed_lists_the_alerts(receiver):
    message, firing, resolved = group_message()
    request = send("discord", receiver, message,
                   secrets={"webhook_url": receiver.url("/api/webhooks/1122334455/tok-en_abc")}, reply=Reply(204, ""))

    (embed,) = request.json["embeds"]
    assert embed["title"] == SUBJECT
    assert embed["color"] == 0xD00000
    for url in links(firing + resolved):
        assert url in embed["description"]


def test_telegram_html_lists_the_alerts_escaped(receiver):
    message, firing, resolved = group_message()
    request = send("telegram", receiver, message,
                   settings={"chat_id": "-1001234567890", "base_url": receiver.url("")},
                   secrets={"bot_token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}, target="-1001234567890",
                   reply=Reply(200, '{"ok": true, "result": {"message_id": 7}}'))

    text = request.json["text"]
    assert text.split("\n")[0].endswith(f"<b>{SUBJECT}</b>")
    assert "threshold &gt; 5%" in text
    for url in links(firing + resolved):
        assert url in text


def test_ntfy_push_lists_the_alerts(receiver):
    message, firing, resolved = group_message()
    request = send("ntfy", receiver, message, settings={"server_url": receiver.url(""), "topic": "resee-alerts"},
                   target="resee-alerts",
                   reply=Reply(200, '{"id":"sPs71M8A2T","time":1740830400,"event":"message","topic":"resee-alerts"}'))

    body = request.json
    assert body["title"] == SUBJECT
    for url in links(firing + resolved):
        assert url in body["message"]


def test_apprise_lists_the_alerts(receiver):
    message, firing, resolved = group_message()
    request = send("apprise", receiver, message, secrets={"urls": f"json://127.0.0.1:{receiver.port}/notify/k3y"})

    body = request.json
    assert body["title"] == SUBJECT
    assert body["type"] == "failure"
    for url in links(firing + resolved):
        assert url in body["message"]


def test_email_lists_the_alerts_in_text_and_html(smtp_server):
    message, firing, resolved = group_message()

    assert EmailNotifier().send(message, target="ops@example.com").ok

    (received,) = smtp_server.messages
    assert received["Subject"] == SUBJECT
    text = received.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")
    assert "2 firing, 1 resolved." in text and "Policy:       Per rule" in text
    for alert, url in zip(firing + resolved, links(firing + resolved), strict=True):
        assert url in text
        assert f'<a href="{url}" style="color:#2563eb;">#{alert.pk}</a>' in html
    assert "<h2 style=\"margin:12px 0 4px;font-size:15px;\">Resolved</h2>" in html
    assert "threshold &gt; 5%" in html


def test_every_registered_kind_is_covered():
    covered = {"slack", "mattermost", "rocketchat", "webhook", "pagerduty", "opsgenie", "teams", "discord",
               "telegram", "ntfy", "apprise", "email"}
    assert set(NOTIFIERS) == covered
