"""TeamsNotifier against a real HTTP server on 127.0.0.1 standing in for a Teams Workflows webhook."""

from datetime import timedelta

import pytest

from alerts.models import DeliveryStatus
from alerts.services.messages import build_alert_message, build_summary_message, build_test_message
from alerts.services.notifiers import NOTIFIERS
from alerts.services.teams_notifier import TeamsNotifier

from . import channel_testing
from .channel_testing import T0, make_channel
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply, WebhookServer, closed_port

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

SIG = "Zx9Wq8Vr7Ut6Sp5Ro4Qn3"
FLOW_PATH = "/workflows/5f2c1e/triggers/manual/paths/invoke"
FLOW_QUERY = f"api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}"


def teams(server, name="Teams #ops"):
    return make_channel("teams", name=name, secrets={"webhook_url": server.url(f"{FLOW_PATH}?{FLOW_QUERY}")})


def card_of(request) -> dict:
    payload = request.json
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    return card


def facts_of(card) -> dict:
    (fact_set,) = [item for item in card["body"] if item["type"] == "FactSet"]
    return {fact["title"]: fact["value"] for fact in fact_set["facts"]}


def test_a_trigger_is_an_adaptive_card_with_facts_and_a_link(receiver):
    receiver.default_reply = Reply(202, "")
    rule = make_rule(name="Error rate per route", severity="critical", group_by=["route"])
    alert = make_alert(rule, metric_value=12.5, triggered_at=T0, group_labels={"route": "/api/orders/"},
                       labels={"route": "/api/orders/", "team": "payments"}, summary="Orders fail: 12.5%",
                       runbook_url="https://runbooks.resee.test/error-rate",
                       context={"window_minutes": 5, "aggregation": "avg"})
    message = build_alert_message(alert=alert, event="trigger")
    assert [label for label, _ in message.actions] == ["Acknowledge", "Silence 1 h", "Resolve"]

    result = TeamsNotifier(teams(receiver)).send(message, target="")

    assert (result.ok, result.response_code) == (True, 202)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", f"{FLOW_PATH}?{FLOW_QUERY}")
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": [
                    {"type": "TextBlock", "text": '[CRITICAL] Error rate per route {route="/api/orders/"}',
                     "size": "Large", "weight": "Bolder", "color": "Attention", "wrap": True},
                    {"type": "TextBlock", "text": "cpu_usage is 12.5%, threshold > 80%.\nOrders fail: 12.5%",
                     "wrap": True},
                    {"type": "FactSet", "facts": [
                        {"title": "Rule", "value": "Error rate per route"},
                        {"title": "Severity", "value": "CRITICAL"},
                        {"title": "Metric", "value": "cpu_usage"},
                        {"title": "Value", "value": "12.5% (threshold > 80%)"},
                        {"title": "Window", "value": "5 min (avg)"},
                        {"title": "Time", "value": "2025-03-01 12:00:00 UTC"},
                        {"title": "Labels", "value": 'route="/api/orders/" team="payments"'},
                        {"title": "Runbook", "value": "https://runbooks.resee.test/error-rate"},
                    ]},
                ],
                "actions": [
                    {"type": "Action.OpenUrl", "title": f"Open alert #{alert.pk}",
                     "url": f"{SITE_URL}/alerts/{alert.pk}"},
                    {"type": "Action.OpenUrl", "title": "Runbook", "url": "https://runbooks.resee.test/error-rate"},
                    *({"type": "Action.OpenUrl", "title": label, "url": url} for label, url in message.actions),
                ],
            },
        }],
    }


@pytest.mark.parametrize("severity,colour", [("critical", "Attention"), ("high", "Attention"),
                                             ("medium", "Warning"), ("low", "Accent")])
def test_the_title_colour_follows_the_severity(receiver, severity, colour):
    alert = make_alert(make_rule(severity=severity), triggered_at=T0)

    TeamsNotifier(teams(receiver)).send(build_alert_message(alert=alert, event="trigger"), target="")

    assert card_of(receiver.requests[0])["body"][0]["color"] == colour


def test_a_resolve_is_green_and_says_who(receiver, user):
    alert = make_alert(make_rule(), triggered_at=T0, last_value=40.0, status="resolved",
                       resolved_at=T0 + timedelta(minutes=20), resolved_by=user)

    TeamsNotifier(teams(receiver)).send(build_alert_message(alert=alert, event="resolve"), target="")

    card = card_of(receiver.requests[0])
    assert card["body"][0] == {"type": "TextBlock", "text": "[RESOLVED] High CPU Usage", "size": "Large",
                               "weight": "Bolder", "color": "Good", "wrap": True}
    facts = facts_of(card)
    assert facts["Resolved by"] == "oncall"
    assert facts["Firing since"] == "2025-03-01 12:00:00 UTC"


def test_test_and_summary_messages_are_cards_too(receiver, user):
    notifier = TeamsNotifier(teams(receiver))
    notifier.send(build_test_message(text="Hello Teams", user=user, now=T0), target="")
    notifier.send(build_summary_message(summary={"total": 1, "by_severity": {"high": 1}}, now=T0), target="")

    test, summary = (card_of(request) for request in receiver.requests)
    assert test["body"][0]["text"] == "[TEST] Resee Alerts test notification"
    assert test["body"][1]["text"] == "Hello Teams\nRequested by oncall."
    assert facts_of(test) == {"Time": "2025-03-01 12:00:00 UTC", "Requested by": "oncall"}
    assert test["actions"] == [{"type": "Action.OpenUrl", "title": "Open Resee Alerts", "url": SITE_URL}]
    assert summary["body"][1]["text"].startswith("1 alert triggered (critical 0, high 1")
    assert summary["actions"][0]["url"] == f"{SITE_URL}/alerts"


# --- answers and failures -------------------------------------------------------------------------


@pytest.mark.parametrize("status,transient", [(429, True), (500, True), (502, True),
                                              (400, False), (401, False), (404, False)])
def test_429_and_5xx_are_transient_4xx_permanent(receiver, status, transient):
    receiver.replies.append(Reply(status, "WorkflowTriggerFailed"))

    result = TeamsNotifier(teams(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient, result.response_code) == (False, transient, status)
    assert result.error == f"Microsoft Teams answered HTTP {status}: WorkflowTriggerFailed"


def test_a_200_is_taken_as_well(receiver):
    receiver.replies.append(Reply(200, ""))

    assert TeamsNotifier(teams(receiver)).send(build_test_message(text="x", now=T0), target="").ok


def test_a_refused_connection_is_transient_and_does_not_reveal_the_url(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    channel = make_channel("teams", secrets={"webhook_url": f"http://127.0.0.1:{closed_port()}{FLOW_PATH}?{FLOW_QUERY}"})

    result = TeamsNotifier(channel).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, True)
    assert SIG not in result.error


def test_the_workflow_url_never_appears_in_an_error_that_echoes_the_request(receiver):
    receiver.replies.append(Reply(400, "bad request:", echo=True))

    result = TeamsNotifier(teams(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, False)
    assert "[redacted]" in result.error
    assert SIG not in result.error and FLOW_PATH not in result.error


def test_a_private_target_is_refused_unless_the_deployment_allows_it(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    server = WebhookServer().start()
    try:
        result = TeamsNotifier(teams(server)).send(build_test_message(text="x", now=T0), target="")
    finally:
        server.stop()

    assert (result.ok, result.transient) == (False, False)
    assert result.error.startswith("Microsoft Teams: Refused")
    assert SIG not in result.error
    assert server.requests == []


def test_registered_and_a_delivery_ends_sent(receiver):
    assert NOTIFIERS["teams"] is TeamsNotifier
    receiver.default_reply = Reply(202, "")
    delivery = channel_testing.deliver_one(teams(receiver))

    assert (delivery.status, delivery.response_code, delivery.channel) == (DeliveryStatus.SENT, 202, "teams")
