"""PagerDutyNotifier against a real HTTP server on 127.0.0.1 standing in for the Events API v2."""

from datetime import timedelta

import pytest

from alerts.models import DeliveryStatus, NotificationDelivery
from alerts.services import notifications
from alerts.services.messages import (
    build_alert_message,
    build_summary_message,
    build_suppressed_message,
    build_test_message,
)
from alerts.services.notifiers import NOTIFIERS
from alerts.services.pagerduty_notifier import EVENTS_URL, PagerDutyNotifier, change_url

from . import channel_testing
from .channel_testing import T0, make_channel
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply, WebhookServer, closed_port

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

ROUTING_KEY = "R0UT1NGk3y5ecretPagerDuty0000001"
EVENTS_PATH = "/v2/enqueue"


def pagerduty(server, name="Payments on-call", **settings_):
    return make_channel("pagerduty", name=name,
                        settings={"events_url": server.url(EVENTS_PATH), **settings_},
                        secrets={"routing_key": ROUTING_KEY})


def accepted(key="x"):
    return Reply(202, f'{{"status":"success","message":"Event processed","dedup_key":"{key}"}}')


def make_grouped_alert(**fields):
    rule = make_rule(name="Error rate per route", severity="critical", group_by=["route"],
                     runbook_url="https://runbooks.resee.test/error-rate")
    values = {"metric_value": 12.5, "triggered_at": T0, "group_labels": {"route": "/api/orders/"},
              "labels": {"route": "/api/orders/", "instance": "web-1"},
              "runbook_url": "https://runbooks.resee.test/error-rate",
              "context": {"window_minutes": 5, "aggregation": "avg"}}
    values.update(fields)
    return make_alert(rule, **values)


def test_a_trigger_is_an_events_v2_trigger(receiver):
    receiver.default_reply = accepted()
    alert = make_grouped_alert()

    result = PagerDutyNotifier(pagerduty(receiver)).send(build_alert_message(alert=alert, event="trigger"), target="")

    assert (result.ok, result.response_code) == (True, 202)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", EVENTS_PATH)
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": f"resee-alert-{alert.pk}",
        "payload": {
            "summary": '[CRITICAL] Error rate per route {route="/api/orders/"}',
            "source": "web-1",
            "severity": "critical",
            "timestamp": "2025-03-01T12:00:00+00:00",
            "component": "cpu_usage",
            "group": "Error rate per route",
            "class": "threshold",
            "custom_details": {
                "description": "cpu_usage is 12.5%, threshold > 80%.",
                "rule": "Error rate per route",
                "severity": "critical",
                "metric": "cpu_usage",
                "value": "12.5% (threshold > 80%)",
                "window": "5 min (avg)",
                "labels": {"route": "/api/orders/", "instance": "web-1"},
                "triggered_at": "2025-03-01T12:00:00+00:00",
                "runbook_url": "https://runbooks.resee.test/error-rate",
            },
        },
        "client": "Resee Alerts",
        "client_url": SITE_URL,
        "links": [
            {"href": f"{SITE_URL}/alerts/{alert.pk}", "text": f"Open alert #{alert.pk}"},
            {"href": "https://runbooks.resee.test/error-rate", "text": "Runbook"},
        ],
    }


@pytest.mark.parametrize("severity,expected", [("critical", "critical"), ("high", "error"), ("medium", "warning"),
                                               ("low", "info")])
def test_severity_maps_to_pagerduty_s(receiver, severity, expected):
    alert = make_alert(make_rule(severity=severity), triggered_at=T0)

    PagerDutyNotifier(pagerduty(receiver)).send(build_alert_message(alert=alert, event="trigger"), target="")

    assert receiver.requests[0].json["payload"]["severity"] == expected


def test_without_an_instance_label_the_source_is_the_setting_or_the_site(receiver):
    message = build_alert_message(alert=make_alert(make_rule(), triggered_at=T0), event="trigger")
    PagerDutyNotifier(pagerduty(receiver)).send(message, target="")
    PagerDutyNotifier(pagerduty(receiver, name="Checkout", source="checkout-cluster")).send(message, target="")

    assert [request.json["payload"]["source"] for request in receiver.requests] == \
        ["alerts.resee.test", "checkout-cluster"]


def test_trigger_reminder_and_resolve_through_the_delivery_engine_share_one_dedup_key(
    receiver, django_capture_on_commit_callbacks, queued_tasks,
):
    receiver.default_reply = accepted()
    alert = make_grouped_alert()
    channel = pagerduty(receiver)
    alert.rule.channels.add(channel)

    def send(event):
        with django_capture_on_commit_callbacks(execute=True):
            (delivery,) = notifications.queue_alert_notifications(alert=alert, event=event)
        assert queued_tasks[-1]["delivery_id"] == delivery.pk
        notifications.deliver(delivery_id=delivery.pk, attempt=0)
        delivery.refresh_from_db()
        return delivery

    sent = [send("trigger"), send("reminder")]
    alert.status, alert.resolved_at = "resolved", T0 + timedelta(minutes=30)
    alert.save()
    sent.append(send("resolve"))

    assert [d.status for d in sent] == [DeliveryStatus.SENT] * 3
    assert all(d.notification_channel == channel and d.channel == "pagerduty" for d in sent)
    trigger, reminder, resolve = (request.json for request in receiver.requests)
    assert trigger["dedup_key"] == reminder["dedup_key"] == resolve["dedup_key"] == f"resee-alert-{alert.pk}"
    assert (trigger["event_action"], reminder["event_action"]) == ("trigger", "trigger")
    assert reminder["payload"]["summary"].endswith("(still firing)")
    assert resolve == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": f"resee-alert-{alert.pk}"}


def test_a_test_message_is_a_trigger_with_a_test_dedup_key(receiver, user):
    message = build_test_message(text="Is PagerDuty wired up?", user=user, now=T0)

    assert PagerDutyNotifier(pagerduty(receiver)).send(message, target="").ok

    body = receiver.requests[0].json
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == f"resee-test-{int(T0.timestamp())}"
    assert body["payload"]["severity"] == "info"
    assert body["payload"]["summary"] == "[TEST] Resee Alerts test notification"
    assert body["payload"]["custom_details"] == {"description": "Is PagerDuty wired up?\nRequested by oncall.",
                                                 "requested_by": "oncall"}


def test_the_summary_and_a_suppression_notice_are_change_events_that_page_nobody(receiver):
    notifier = PagerDutyNotifier(pagerduty(receiver))
    notifier.send(build_summary_message(summary={"total": 2, "by_severity": {"low": 2}}, now=T0), target="")
    notifier.send(build_suppressed_message(alert=make_grouped_alert(), text="Held back until 13:00.", now=T0),
                  target="")

    summary, suppressed = receiver.requests
    assert summary.path == suppressed.path == "/v2/change/enqueue"
    assert "event_action" not in summary.json and "dedup_key" not in summary.json
    assert summary.json["payload"]["summary"].startswith("[SUMMARY] Resee Alerts daily summary")
    assert suppressed.json["payload"]["summary"] == '[HELD BACK] Error rate per route'
    assert suppressed.json["payload"]["custom_details"] == {"description": "Held back until 13:00."}


def test_the_change_url_sits_beside_the_events_url():
    assert change_url(EVENTS_URL) == "https://events.pagerduty.com/v2/change/enqueue"
    assert change_url("https://events.eu.pagerduty.com/v2/enqueue/") == \
        "https://events.eu.pagerduty.com/v2/change/enqueue"


def test_the_default_events_url_is_pagerduty_s():
    channel = make_channel("pagerduty", secrets={"routing_key": ROUTING_KEY})

    assert PagerDutyNotifier(channel).events_url() == EVENTS_URL
    assert PagerDutyNotifier(channel).is_configured()
    assert PagerDutyNotifier(make_channel("pagerduty", name="no key")).configuration_problem() == \
        "PagerDuty is not configured: Integration key is not set."


# --- answers and failures (as the Events API v2 documents them) -----------------------------------


@pytest.mark.parametrize("status,transient", [(429, True), (500, True), (502, True), (503, True),
                                              (400, False), (403, False), (404, False)])
def test_429_and_5xx_are_transient_400_is_permanent(receiver, status, transient):
    receiver.replies.append(Reply(status, '{"status":"invalid event","message":"Event object is invalid"}'))

    result = PagerDutyNotifier(pagerduty(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient, result.response_code) == (False, transient, status)
    assert result.error.startswith(f"PagerDuty answered HTTP {status}: ")


def test_a_refused_connection_is_transient(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    channel = make_channel("pagerduty", settings={"events_url": f"http://127.0.0.1:{closed_port()}/v2/enqueue"},
                           secrets={"routing_key": ROUTING_KEY})

    result = PagerDutyNotifier(channel).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, True)


def test_the_routing_key_never_appears_in_an_error_that_echoes_the_request(receiver):
    receiver.replies.append(Reply(400, "invalid event:", echo=True))

    result = PagerDutyNotifier(pagerduty(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, False)
    assert "[redacted]" in result.error
    assert ROUTING_KEY not in result.error


def test_a_private_target_is_refused_unless_the_deployment_allows_it(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    server = WebhookServer().start()
    try:
        result = PagerDutyNotifier(pagerduty(server)).send(build_test_message(text="x", now=T0), target="")
    finally:
        server.stop()

    assert (result.ok, result.transient) == (False, False)
    assert result.error.startswith("PagerDuty: Refused")
    assert server.requests == []


def test_registered_and_a_delivery_ends_sent(receiver):
    assert NOTIFIERS["pagerduty"] is PagerDutyNotifier
    receiver.default_reply = accepted()
    delivery = channel_testing.deliver_one(pagerduty(receiver))

    assert (delivery.status, delivery.response_code, delivery.channel) == (DeliveryStatus.SENT, 202, "pagerduty")
    assert NotificationDelivery.objects.filter(pk=delivery.pk, notification_channel__kind="pagerduty").exists()
