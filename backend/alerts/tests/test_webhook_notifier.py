"""WebhookNotifier against a real HTTP receiver on 127.0.0.1, its payload read the way an
Alertmanager webhook receiver reads version 4 (Alertmanager's notify/webhook Message and
template.Data / template.Alert: every field, its JSON type, RFC 3339 times)."""

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from alerts.models import DeliveryStatus, NotificationChannel
from alerts.services import notifications
from alerts.services.messages import (
    NotificationMessage,
    build_alert_message,
    build_summary_message,
    build_suppressed_message,
    build_test_message,
)
from alerts.services.notifier_base import clean_channel
from alerts.services.notifiers import NOTIFIERS
from alerts.services.webhook_notifier import ZERO_TIME, WebhookNotifier, label_fingerprint

from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply, WebhookServer, closed_port

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
HOOK_TOKEN = "hk-9f8e7d6c5b4a"
HOOK_PATH = f"/hooks/resee/{HOOK_TOKEN}"
SIGNING_SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    server = WebhookServer().start()
    yield server
    server.stop()


def make_channel(server: WebhookServer | None = None, *, url: str = "", name: str = "Ops webhook",
                 settings_: dict | None = None, secrets: dict | None = None) -> NotificationChannel:
    return NotificationChannel.objects.create(
        kind="webhook", name=name, settings=settings_ or {},
        secrets={"url": url or (server.url(HOOK_PATH) if server else ""), **(secrets or {})},
    )


def grouped_alert(**fields):
    rule = make_rule(name="Error rate per route", severity="critical", group_by=["route"],
                     labels={"team": "payments"}, runbook_url="https://runbooks.resee.test/error-rate")
    values = {"metric_value": 12.5, "triggered_at": T0, "group_labels": {"route": "/api/orders/"},
              "labels": {"route": "/api/orders/", "team": "payments"}, "summary": "Orders fail: 12.5%",
              "runbook_url": "https://runbooks.resee.test/error-rate"}
    values.update(fields)
    return make_alert(rule, **values)


# --- an Alertmanager webhook receiver's reading of the body ---------------------------------------

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _kv(value, where):
    assert isinstance(value, dict), f"{where} is not an object"
    for name, item in value.items():
        assert isinstance(name, str) and isinstance(item, str), f"{where}[{name!r}] is not a string"
    return value


def _time(value, where):
    assert isinstance(value, str) and _RFC3339.match(value), f"{where} is not RFC 3339: {value!r}"
    if value == ZERO_TIME:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_alertmanager_v4(body: bytes) -> dict:
    """The webhook body as an Alertmanager receiver takes it: version "4", every documented
    field with its Go type (strings, uint64, KV = map[string]string, time.Time as RFC 3339), and
    the group's status as Alertmanager derives it (resolved only when every alert is)."""
    data = json.loads(body)
    assert isinstance(data, dict)
    required = {"version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
                "commonAnnotations", "externalURL", "alerts"}
    assert required <= data.keys(), f"missing: {required - data.keys()}"
    assert data["version"] == "4"
    for name in ("groupKey", "receiver", "externalURL", "status"):
        assert isinstance(data[name], str), name
    assert data["groupKey"]
    assert isinstance(data["truncatedAlerts"], int) and not isinstance(data["truncatedAlerts"], bool)
    assert data["truncatedAlerts"] >= 0
    assert isinstance(data.get("notification_reason", ""), str)
    for name in ("groupLabels", "commonLabels", "commonAnnotations"):
        _kv(data[name], name)
    assert isinstance(data["alerts"], list) and data["alerts"]
    for index, alert in enumerate(data["alerts"]):
        where = f"alerts[{index}]"
        assert set(alert) == {"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL",
                              "fingerprint"}, where
        assert alert["status"] in ("firing", "resolved")
        labels = _kv(alert["labels"], f"{where}.labels")
        _kv(alert["annotations"], f"{where}.annotations")
        assert labels.get("alertname"), f"{where} has no alertname"
        assert all(re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name) for name in labels), labels
        starts, ends = _time(alert["startsAt"], f"{where}.startsAt"), _time(alert["endsAt"], f"{where}.endsAt")
        assert starts is not None
        if alert["status"] == "firing":
            assert ends is None, "a firing alert has no end yet"
        else:
            assert ends is not None and ends >= starts
        assert isinstance(alert["generatorURL"], str)
        assert re.fullmatch(r"[0-9a-f]{16}", alert["fingerprint"])
        # Every common label is a label of the alert, with the same value.
        assert data["commonLabels"].items() <= labels.items()
        assert data["groupLabels"].items() <= labels.items()
    statuses = {alert["status"] for alert in data["alerts"]}
    assert data["status"] == ("resolved" if statuses == {"resolved"} else "firing")
    return data


# --- the payload ----------------------------------------------------------------------------------


def test_the_fingerprint_is_prometheus_s():
    # The vectors of prometheus/common's model tests (labelSetToFingerprint).
    assert label_fingerprint({}) == f"{14695981039346656037:016x}"
    assert label_fingerprint({"name": "garland, briggs", "fear": "love is not enough"}) == \
        f"{5799056148416392346:016x}"


def test_a_trigger_arrives_as_an_alertmanager_v4_payload(receiver):
    alert = grouped_alert()
    channel = make_channel(receiver, settings_={"headers": {"X-Team": "payments"}})

    result = WebhookNotifier(channel).send(build_alert_message(alert=alert, event="trigger"), target="")

    assert (result.ok, result.response_code) == (True, 200)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", HOOK_PATH)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Team"] == "payments"
    assert "X-Resee-Signature" not in request.headers and "Authorization" not in request.headers
    payload = read_alertmanager_v4(request.body)
    labels = {"alertname": "Error rate per route", "severity": "critical", "route": "/api/orders/",
              "team": "payments"}
    annotations = {
        "summary": "Orders fail: 12.5%",
        "description": "cpu_usage is 12.5%, threshold > 80%.\nOrders fail: 12.5%",
        "runbook_url": "https://runbooks.resee.test/error-rate",
        "value": "12.5%",
        "threshold": "> 80%",
    }
    assert payload == {
        "version": "4",
        "groupKey": f'{{}}/{{rule_id="{alert.rule_id}"}}:{{alertname="Error rate per route", route="/api/orders/"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "Ops webhook",
        "groupLabels": {"alertname": "Error rate per route", "route": "/api/orders/"},
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": SITE_URL,
        "notification_reason": "first notification",
        "alerts": [{
            "status": "firing",
            "labels": labels,
            "annotations": annotations,
            "startsAt": "2025-03-01T12:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": f"{SITE_URL}/alerts/{alert.pk}",
            "fingerprint": label_fingerprint(labels),
        }],
    }


def test_reminder_and_resolve_keep_the_group_key_and_fingerprint_and_the_resolve_ends(receiver, user):
    alert = grouped_alert(last_value=3.0)
    channel = make_channel(receiver)
    notifier = WebhookNotifier(channel)
    notifier.send(build_alert_message(alert=alert, event="trigger"), target="")
    notifier.send(build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1)), target="")
    alert.status, alert.resolved_at, alert.resolved_by = "resolved", T0 + timedelta(minutes=90), user
    notifier.send(build_alert_message(alert=alert, event="resolve"), target="")

    trigger, reminder, resolve = (read_alertmanager_v4(request.body) for request in receiver.requests)
    assert trigger["groupKey"] == reminder["groupKey"] == resolve["groupKey"]
    assert (trigger["alerts"][0]["fingerprint"] == reminder["alerts"][0]["fingerprint"]
            == resolve["alerts"][0]["fingerprint"])
    assert reminder["notification_reason"] == "repeat interval elapsed"
    assert reminder["status"] == "firing" and reminder["alerts"][0]["endsAt"] == ZERO_TIME
    assert resolve["notification_reason"] == "all alerts resolved"
    assert resolve["status"] == resolve["alerts"][0]["status"] == "resolved"
    assert resolve["alerts"][0]["startsAt"] == "2025-03-01T12:00:00Z"
    assert resolve["alerts"][0]["endsAt"] == "2025-03-01T13:30:00Z"
    assert resolve["commonAnnotations"]["description"].startswith("Resolved by oncall: ")


@pytest.mark.parametrize("build,alert_name", [
    (lambda alert: build_test_message(text="Does the hook work?", now=T0), "ReseeAlertsTest"),
    (lambda alert: build_summary_message(summary={"total": 3, "by_severity": {"critical": 1, "high": 2},
                                                  "resolved_count": 2, "open_count": 1,
                                                  "mean_time_to_resolve": "5 min"}, now=T0),
     "ReseeAlertsSummary"),
    (lambda alert: build_suppressed_message(alert=alert, text="Held back until 13:00.", now=T0),
     "ReseeAlertsSuppressed"),
])
def test_test_summary_and_suppressed_messages_are_valid_payloads_of_their_own(receiver, build, alert_name):
    message = build(grouped_alert())

    assert WebhookNotifier(make_channel(receiver)).send(message, target="").ok

    payload = read_alertmanager_v4(receiver.requests[0].body)
    (sent,) = payload["alerts"]
    assert sent["labels"]["alertname"] == alert_name
    assert payload["status"] == "firing" and sent["startsAt"] == "2025-03-01T12:00:00Z"
    assert sent["annotations"]["summary"] == message.subject
    assert sent["annotations"]["description"]
    assert payload["notification_reason"] == "unknown"


def test_the_summary_and_the_suppressed_notice_say_what_they_are(receiver):
    alert = grouped_alert()
    notifier = WebhookNotifier(make_channel(receiver))
    notifier.send(build_summary_message(summary={"total": 3, "by_severity": {"critical": 1, "high": 2},
                                                 "resolved_count": 2, "open_count": 1,
                                                 "mean_time_to_resolve": "5 min"}, now=T0), target="")
    notifier.send(build_suppressed_message(alert=alert, text="Held back until 13:00.", now=T0), target="")

    summary, suppressed = (request.json["alerts"][0] for request in receiver.requests)
    assert summary["annotations"]["description"] == (
        "3 alerts triggered (critical 1, high 2, medium 0, low 0). Resolved: 2, mean time to resolve: 5 min; "
        "still open: 1.")
    assert suppressed["labels"] == {"alertname": "ReseeAlertsSuppressed", "rule": "Error rate per route",
                                    "severity": "critical"}
    assert suppressed["annotations"]["description"] == "Held back until 13:00."
    assert suppressed["generatorURL"] == f"{SITE_URL}/alerts/{alert.pk}"


# --- signing and headers --------------------------------------------------------------------------


def test_a_signed_request_carries_a_verifiable_hmac_of_timestamp_and_body(receiver):
    channel = make_channel(receiver, secrets={"signing_secret": SIGNING_SECRET, "authorization": "Bearer tok-123"})

    assert WebhookNotifier(channel).send(build_test_message(text="signed", now=T0), target="").ok

    (request,) = receiver.requests
    timestamp = request.headers["X-Resee-Timestamp"]
    assert abs(int(timestamp) - datetime.now(UTC).timestamp()) < 60
    expected = hmac.new(SIGNING_SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Resee-Signature"] == f"sha256={expected}"
    assert request.headers["Authorization"] == "Bearer tok-123"
    # A changed body no longer matches.
    forged = hmac.new(SIGNING_SECRET.encode(), f"{timestamp}.".encode() + request.body + b" ", hashlib.sha256)
    assert request.headers["X-Resee-Signature"] != f"sha256={forged.hexdigest()}"


@pytest.mark.parametrize("settings_in,secrets_in,field,message", [
    ({"headers": {"Authorization": "Bearer x"}}, {}, "headers", "Put the Authorization header in the"),
    ({"headers": {"X-Resee-Signature": "x"}}, {}, "headers", "X-Resee-Signature is set by Resee Alerts"),
    ({}, {"signing_secret": "short"}, "signing_secret", "At least 16 characters."),
])
def test_the_channel_refuses_headers_that_would_clash_and_a_short_secret(settings_in, secrets_in, field, message):
    cleaned = clean_channel(WebhookNotifier, settings_in=settings_in,
                            secrets_in={"url": "https://hooks.example.com/x", **secrets_in})

    part = "secrets" if field == "signing_secret" else "settings"
    assert cleaned.errors[part][field][0].startswith(message)


def test_the_channel_takes_no_target():
    with pytest.raises(ValidationError):
        WebhookNotifier(make_channel(url="https://hooks.example.com/x")).validate_target("#ops")


# --- answers and failures -------------------------------------------------------------------------


@pytest.mark.parametrize("status,transient", [(500, True), (503, True), (429, True), (408, True),
                                              (400, False), (401, False), (404, False), (410, False)])
def test_5xx_and_429_are_transient_other_4xx_permanent(receiver, status, transient):
    receiver.replies.append(Reply(status, "nope", headers={"Retry-After": "9"}))

    result = WebhookNotifier(make_channel(receiver)).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient, result.response_code) == (False, transient, status)
    assert result.error == f"Webhook answered HTTP {status}: nope"
    assert result.retry_after == (9.0 if transient else None)


def test_a_refused_connection_is_transient(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    channel = make_channel(url=f"http://127.0.0.1:{closed_port()}{HOOK_PATH}")

    result = WebhookNotifier(channel).send(build_test_message(text="x", now=T0), target="")

    assert (result.ok, result.transient) == (False, True)


def test_secrets_never_appear_in_the_error_of_a_receiver_that_echoes_the_request(receiver):
    channel = make_channel(receiver, secrets={"signing_secret": SIGNING_SECRET, "authorization": "Bearer tok-123456"})
    receiver.replies.append(Reply(400, "bad request:", echo=True))

    result = WebhookNotifier(channel).send(build_test_message(text="x", now=T0), target="")

    assert not result.ok and not result.transient
    assert "[redacted]" in result.error
    for secret in (HOOK_TOKEN, HOOK_PATH, "tok-123456", SIGNING_SECRET):
        assert secret not in result.error


def test_a_private_target_is_refused_unless_the_deployment_allows_it(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    server = WebhookServer().start()
    try:
        result = WebhookNotifier(make_channel(server)).send(build_test_message(text="x", now=T0), target="")
    finally:
        server.stop()

    assert (result.ok, result.transient) == (False, False)
    assert "Webhook: Refused" in result.error
    assert HOOK_TOKEN not in result.error
    assert server.requests == []


# --- through the delivery engine ------------------------------------------------------------------


def test_registered():
    assert NOTIFIERS["webhook"] is WebhookNotifier


def test_a_delivery_through_a_webhook_channel_ends_sent(receiver):
    alert = grouped_alert()
    channel = make_channel(receiver)
    message = build_alert_message(alert=alert, event="trigger")
    assert NotificationMessage.from_dict(json.loads(json.dumps(message.as_dict()))) == message

    (delivery,) = notifications.create_deliveries(message=message, targets=[(channel, "")], alert=alert,
                                                  queue=False)
    outcome = notifications.deliver(delivery_id=delivery.pk, attempt=0)

    delivery.refresh_from_db()
    assert outcome.status == DeliveryStatus.SENT
    assert (delivery.status, delivery.notification_channel, delivery.channel, delivery.response_code) == \
        (DeliveryStatus.SENT, channel, "webhook", 200)
    payload = read_alertmanager_v4(receiver.requests[0].body)
    assert payload["groupKey"].startswith(f'{{}}/{{rule_id="{alert.rule_id}"}}:')
