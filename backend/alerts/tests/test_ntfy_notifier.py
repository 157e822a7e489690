"""ntfy channels against a real HTTP server on 127.0.0.1 standing in for an ntfy server."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from alerts.services.messages import build_alert_message, build_test_message
from alerts.services.notifier_base import clean_channel
from alerts.services.ntfy_notifier import NtfyNotifier

from . import channel_testing
from .channel_testing import T0, deliver_one, make_channel, trigger_message
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

ACCESS_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"
PUBLISHED = '{"id":"sPs71M8A2T","time":1740830400,"event":"message","topic":"resee-alerts"}'


def ntfy(server, *, token: str = "", **settings_):
    values = {"server_url": server.url(""), "topic": "resee-alerts"}
    values.update(settings_)
    channel = make_channel("ntfy", settings=values, secrets={"access_token": token} if token else {})
    return channel, NtfyNotifier(channel)


def test_a_trigger_is_published_in_the_json_form_with_the_token(receiver):
    receiver.default_reply = Reply(200, PUBLISHED)
    _, notifier = ntfy(receiver, token=ACCESS_TOKEN)
    alert, message = trigger_message(name="Höhe CPU", severity="critical",
                                     alert_fields={"runbook_url": "https://wiki.example.com/cpu"})

    result = notifier.send(message, target="resee-alerts")

    assert (result.ok, result.response_code) == (True, 200)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", "/")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    link = f"{SITE_URL}/alerts/{alert.pk}"
    assert request.json == {
        "topic": "resee-alerts",
        "title": "[CRITICAL] Höhe CPU",
        "message": "cpu_usage is 91.5%, threshold > 80%.\nWindow: 5 min (avg)\nRunbook: https://wiki.example.com/cpu",
        "priority": 5,
        "tags": ["rotating_light"],
        "click": link,
        "actions": [{"action": "view", "label": f"Open alert #{alert.pk}", "url": link, "clear": True}],
    }


@pytest.mark.parametrize("severity,priority", [("critical", 5), ("high", 4), ("medium", 3), ("low", 2)])
def test_the_priority_follows_the_severity(receiver, severity, priority):
    _, notifier = ntfy(receiver)

    notifier.send(trigger_message(severity=severity)[1], target="resee-alerts")

    assert receiver.requests[0].json["priority"] == priority
    assert "Authorization" not in receiver.requests[0].headers


def test_a_resolve_is_low_priority_and_checked(receiver):
    _, notifier = ntfy(receiver)
    alert = make_alert(make_rule(severity="critical"), triggered_at=T0, last_value=40.0, status="resolved",
                       resolved_at=T0 + timedelta(minutes=20))

    notifier.send(build_alert_message(alert=alert, event="resolve"), target="db-team")

    payload = receiver.requests[0].json
    assert (payload["topic"], payload["priority"], payload["tags"]) == ("db-team", 2, ["white_check_mark"])
    assert payload["title"] == "[RESOLVED] High CPU Usage"


def test_a_test_message(receiver, user):
    _, notifier = ntfy(receiver)

    notifier.send(build_test_message(text="Hello", user=user), target="resee-alerts")

    payload = receiver.requests[0].json
    assert (payload["message"], payload["priority"], payload["tags"]) == ("Hello\nRequested by oncall.", 3, ["wave"])
    assert payload["actions"][0]["label"] == "Open Resee Alerts"


@pytest.mark.parametrize("topic", ["", "has space", "a/b", "x" * 65])
def test_topics_are_checked(topic):
    with pytest.raises(ValidationError):
        NtfyNotifier().validate_target(topic)
    assert clean_channel(NtfyNotifier, settings_in={"topic": topic}, secrets_in={}).errors


def test_the_default_server_is_ntfy_sh():
    channel = make_channel("ntfy", settings={"topic": "t"})

    assert NtfyNotifier(channel).server_url() == "https://ntfy.sh"
    assert NtfyNotifier(channel).default_targets() == ["t"]


# --- answers and failures -------------------------------------------------------------------------


def test_rate_limits_and_server_errors_are_transient(receiver):
    _, notifier = ntfy(receiver)
    receiver.replies += [
        Reply(429, '{"code":42901,"http":429,"error":"limit reached: too many requests"}',
              headers={"Retry-After": "9"}),
        Reply(507, '{"code":50701,"http":507,"error":"insufficient storage"}'),
    ]

    limited, full = (notifier.send(trigger_message()[1], target="resee-alerts") for _ in range(2))

    assert (limited.ok, limited.transient, limited.retry_after) == (False, True, 9.0)
    assert limited.error == "ntfy answered HTTP 429: limit reached: too many requests"
    assert (full.transient, full.response_code) == (True, 507)


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_client_errors_are_permanent(receiver, status):
    _, notifier = ntfy(receiver)
    receiver.replies.append(Reply(status, f'{{"code":{status}01,"http":{status},"error":"nope"}}'))

    result = notifier.send(trigger_message()[1], target="resee-alerts")

    assert (result.ok, result.transient, result.response_code, result.error) == (
        False, False, status, f"ntfy answered HTTP {status}: nope")


def test_the_access_token_never_appears_in_an_error(receiver):
    _, notifier = ntfy(receiver, token=ACCESS_TOKEN)
    receiver.replies.append(Reply(401, f'{{"http":401,"error":"unauthorized: Bearer {ACCESS_TOKEN} at '
                                       f'{receiver.url("/resee-alerts")}"}}'))

    result = notifier.send(trigger_message()[1], target="resee-alerts")

    assert ACCESS_TOKEN not in result.error
    assert result.error == "ntfy answered HTTP 401: unauthorized: Bearer [redacted] at [url]"


def test_a_delivery_through_the_service_ends_sent(receiver):
    receiver.default_reply = Reply(200, PUBLISHED)
    channel, _ = ntfy(receiver)

    delivery = deliver_one(channel, "resee-alerts")

    assert (delivery.status, delivery.response_code, delivery.last_error) == ("sent", 200, "")
    assert (delivery.channel, delivery.notification_channel_id) == ("ntfy", channel.pk)
    assert receiver.requests[0].json["topic"] == "resee-alerts"


def test_a_server_at_a_private_address_is_refused_unless_allowed(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    channel, _ = ntfy(receiver, token=ACCESS_TOKEN)

    delivery = deliver_one(channel, "resee-alerts")

    assert delivery.status == "failed" and "loopback, private" in delivery.last_error
    assert receiver.requests == []
