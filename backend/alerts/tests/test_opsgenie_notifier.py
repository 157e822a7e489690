"""OpsgenieNotifier against a real HTTP server on 127.0.0.1 standing in for the Alert API."""

from datetime import timedelta

import pytest

from alerts.models import DeliveryStatus
from alerts.services import notifications
from alerts.services.messages import build_alert_message, build_suppressed_message, build_test_message
from alerts.services.notifiers import NOTIFIERS
from alerts.services.opsgenie_notifier import API_URL, OpsgenieNotifier

from . import channel_testing
from .channel_testing import T0, make_channel
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply, WebhookServer, closed_port

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

API_KEY = "0f9e8d7c-6b5a-4c3d-2e1f-opsgeniesecret"
ACCEPTED = Reply(202, '{"result":"Request will be processed","took":0.01,"requestId":"43a29c5c"}')


def opsgenie(server, name="Opsgenie EU"):
    return make_channel("opsgenie", name=name, settings={"api_url": server.url("")},
                        secrets={"api_key": API_KEY})


def grouped_alert(**fields):
    rule = make_rule(name="Error rate per route", severity="critical", group_by=["route"],
                     runbook_url="https://runbooks.resee.test/error-rate")
    values = {"metric_value": 12.5, "triggered_at": T0, "group_labels": {"route": "/api/orders/"},
              "labels": {"route": "/api/orders/", "team": "payments"},
              "runbook_url": "https://runbooks.resee.test/error-rate",
              "context": {"window_minutes": 5, "aggregation": "avg"}}
    values.update(fields)
    return make_alert(rule, **values)


def test_a_trigger_creates_an_alert_with_alias_priority_tags_and_details(receiver):
    receiver.default_reply = ACCEPTED
    alert = grouped_alert()

    result = OpsgenieNotifier(opsgenie(receiver)).send(build_alert_message(alert=alert, event="trigger"), target="")

    assert (result.ok, result.response_code) == (True, 202)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", "/v2/alerts")
    assert request.headers["Authorization"] == f"GenieKey {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "message": '[CRITICAL] Error rate per route {route="/api/orders/"}',
        "alias": f"resee-alert-{alert.pk}",
        "description": f"cpu_usage is 12.5%, threshold > 80%.\n\n{SITE_URL}/alerts/{alert.pk}",
        "priority": "P1",
        "tags": ["resee-alerts", "critical", "route:/api/orders/", "team:payments"],
        "details": {
            "rule": "Error rate per route", "severity": "critical", "metric": "cpu_usage",
            "value": "12.5% (threshold > 80%)", "window": "5 min (avg)", "alert": f"{SITE_URL}/alerts/{alert.pk}",
            "runbook": "https://runbooks.resee.test/error-rate", "label.route": "/api/orders/",
            "label.team": "payments",
        },
        "entity": 'Error rate per route {route="/api/orders/"}',
        "source": "Resee Alerts",
    }


@pytest.mark.parametrize("severity,priority", [("critical", "P1"), ("high", "P2"), ("medium", "P3"), ("low", "P4")])
def test_priority_follows_the_severity(receiver, severity, priority):
    alert = make_alert(make_rule(severity=severity), triggered_at=T0)

    OpsgenieNotifier(opsgenie(receiver)).send(build_alert_message(alert=alert, event="trigger"), target="")

    assert receiver.requests[0].json["priority"] == priority


def test_a_long_rule_name_is_cut_to_the_api_s_limits(receiver):
    alert = make_alert(make_rule(name="R" * 190, labels={"k": "v" * 80}), triggered_at=T0)

    OpsgenieNotifier(opsgenie(receiver)).send(build_alert_message(alert=alert, event="trigger"), target="")

    body = receiver.requests[0].json
    assert len(body["message"]) == 130 and body["message"].endswith("…")
    assert all(len(tag) <= 50 for tag in body["tags"])


def test_trigger_reminder_and_resolve_through_the_delivery_engine_use_one_alias(receiver, user):
    receiver.default_reply = ACCEPTED
    alert = grouped_alert()
    channel = opsgenie(receiver)

    def send(event, **kwargs):
        message = build_alert_message(alert=alert, event=event, **kwargs)
        (delivery,) = notifications.create_deliveries(message=message, targets=[(channel, "")], alert=alert,
                                                      queue=False)
        notifications.deliver(delivery_id=delivery.pk, attempt=0)
        delivery.refresh_from_db()
        return delivery

    sent = [send("trigger"), send("reminder", now=T0 + timedelta(hours=1))]
    alert.status, alert.resolved_at, alert.resolved_by = "resolved", T0 + timedelta(hours=2), user
    alert.resolution_notes = "Rolled back."
    alert.save()
    sent.append(send("resolve"))

    assert [(d.status, d.notification_channel, d.channel) for d in sent] == [(DeliveryStatus.SENT, channel,
                                                                              "opsgenie")] * 3
    trigger, reminder, resolve = receiver.requests
    assert trigger.path == reminder.path == "/v2/alerts"
    assert trigger.json["alias"] == reminder.json["alias"] == f"resee-alert-{alert.pk}"
    assert resolve.path == f"/v2/alerts/resee-alert-{alert.pk}/close?identifierType=alias"
    assert resolve.headers["Authorization"] == f"GenieKey {API_KEY}"
    assert resolve.json["source"] == "Resee Alerts" and resolve.json["user"] == "oncall"
    assert resolve.json["note"].startswith("Resolved by oncall: ") and "Rolled back." in resolve.json["note"]


def test_test_and_suppressed_messages_are_p5_alerts_of_their_own(receiver, user):
    notifier = OpsgenieNotifier(opsgenie(receiver))
    notifier.send(build_test_message(text="Is Opsgenie wired up?", user=user, now=T0), target="")
    alert = grouped_alert()
    notifier.send(build_suppressed_message(alert=alert, text="Held back until 13:00.", now=T0), target="")

    test, suppressed = (request.json for request in receiver.requests)
    assert (test["priority"], test["alias"]) == ("P5", f"resee-test-{int(T0.timestamp())}")
    assert test["message"] == "[TEST] Resee Alerts test notification"
    assert test["details"] == {"requested_by": "oncall"}
    assert suppressed["priority"] == "P5"
    assert suppressed["alias"] == f"resee-suppressed-{alert.rule_id}-{int(T0.timestamp())}"
    assert suppressed["alias"] != f"resee-alert-{alert.pk}"  # the open alert stays open
    assert "suppressed" in suppressed["tags"]


def test_the_default_api_url_is_opsgenie_s():
    channel = make_channel("opsgenie", secrets={"api_key": API_KEY})

    assert OpsgenieNotifier(channel).api_url() == API_URL
    assert OpsgenieNotifier(make_channel("opsgenie", name="no key")).configuration_problem() == \
        "Opsgenie is not configured: API key is not set."


# --- answers and failures -------------------------------------------------------------------------


@pytest.mark.parametrize("status,transient", [(429, True), (500, True), (503, True),
                                              (400, False), (401, False), (403, False), (404, False), (422, False)])
def test_429_and_5xx_are_transient_4xx_permanent(receiver, status, transient):
    receiver.replies.append(Reply(status, '{"message":"Request failed"}'))

    result = OpsgenieNotifier(opsgenie(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient, result.response_code) == (False, transient, status)
    assert result.error == f'Opsgenie answered HTTP {status}: {{"message":"Request failed"}}'


def test_a_refused_connection_is_transient(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    channel = make_channel("opsgenie", settings={"api_url": f"http://127.0.0.1:{closed_port()}"},
                           secrets={"api_key": API_KEY})

    result = OpsgenieNotifier(channel).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, True)


def test_the_api_key_never_appears_in_an_error_that_echoes_the_request(receiver):
    receiver.replies.append(Reply(401, "unauthorized:", echo=True))

    result = OpsgenieNotifier(opsgenie(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, False)
    assert "GenieKey [redacted]" in result.error
    assert API_KEY not in result.error


def test_a_private_target_is_refused_unless_the_deployment_allows_it(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    server = WebhookServer().start()
    try:
        result = OpsgenieNotifier(opsgenie(server)).send(build_test_message(text="x", now=T0), target="")
    finally:
        server.stop()

    assert (result.ok, result.transient) == (False, False)
    assert result.error.startswith("Opsgenie: Refused")
    assert server.requests == []


def test_registered_and_a_delivery_ends_sent(receiver):
    assert NOTIFIERS["opsgenie"] is OpsgenieNotifier
    receiver.default_reply = ACCEPTED
    delivery = channel_testing.deliver_one(opsgenie(receiver))

    assert (delivery.status, delivery.response_code, delivery.channel) == (DeliveryStatus.SENT, 202, "opsgenie")
