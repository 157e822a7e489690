"""Discord channels against a real HTTP server on 127.0.0.1 standing in for a channel webhook."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from alerts.services.discord_notifier import DiscordNotifier
from alerts.services.messages import build_alert_message, build_test_message

from . import channel_testing
from .channel_testing import T0, deliver_one, make_channel, trigger_message
from .conftest import SITE_URL
from .factories import make_alert, make_rule
from .receivers import Reply

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

WEBHOOK_ID = "112233445566778899"
TOKEN = "dIsC0rdT0k3n-AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789"
HOOK_PATH = f"/api/webhooks/{WEBHOOK_ID}/{TOKEN}"


def discord(server, **settings_):
    channel = make_channel("discord", settings=settings_, secrets={"webhook_url": server.url(HOOK_PATH)})
    return channel, DiscordNotifier(channel)


def fields_of(embed) -> dict:
    return {field["name"]: field["value"] for field in embed["fields"]}


def test_a_trigger_arrives_as_one_embed(receiver):
    receiver.default_reply = Reply(204, "")
    _, notifier = discord(receiver, username="Resee Alerts")
    alert, message = trigger_message(alert_fields={"runbook_url": "https://wiki.example.com/cpu"})

    result = notifier.send(message, target="")

    assert (result.ok, result.response_code) == (True, 204)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", HOOK_PATH)
    assert request.headers["Content-Type"] == "application/json"
    payload = request.json
    assert payload["username"] == "Resee Alerts"
    assert payload["allowed_mentions"] == {"parse": []}
    (embed,) = payload["embeds"]
    assert embed["title"] == "[HIGH] High CPU Usage"
    assert embed["url"] == f"{SITE_URL}/alerts/{alert.pk}"
    assert embed["color"] == 0xF97316
    assert embed["description"] == "cpu_usage is 91.5%, threshold > 80%."
    assert embed["timestamp"] == "2025-03-01T12:00:00+00:00"
    assert embed["footer"] == {"text": f"Resee Alerts · alert #{alert.pk}"}
    assert fields_of(embed) == {
        "Rule": "High CPU Usage", "Severity": "HIGH", "Metric": "cpu_usage",
        "Value": "91.5% (threshold > 80%)", "Window": "5 min (avg)", "Runbook": "https://wiki.example.com/cpu",
        "Actions": " · ".join(f"[{label}]({url})" for label, url in message.actions),
    }
    assert [label for label, _ in message.actions] == ["Acknowledge", "Silence 1 h", "Resolve"]
    assert [field["inline"] for field in embed["fields"]] == [True, True, True, False, True, False, False]


@pytest.mark.parametrize("severity,colour", [("critical", 0xD00000), ("medium", 0xEAB308), ("low", 0x3B82F6)])
def test_the_colour_follows_the_severity(receiver, severity, colour):
    _, notifier = discord(receiver)

    notifier.send(trigger_message(severity=severity)[1], target="")

    assert receiver.requests[0].json["embeds"][0]["color"] == colour


def test_a_resolve_is_green_and_says_who(receiver):
    _, notifier = discord(receiver)
    alert = make_alert(make_rule(), triggered_at=T0, last_value=40.0, status="resolved",
                       resolved_at=T0 + timedelta(minutes=20))

    notifier.send(build_alert_message(alert=alert, event="resolve"), target="")

    payload = receiver.requests[0].json
    embed = payload["embeds"][0]
    assert "username" not in payload
    assert embed["color"] == 0x2EB67D
    assert embed["title"] == "[RESOLVED] High CPU Usage"
    assert fields_of(embed)["Resolved by"] == "the system (auto-resolve)"
    assert fields_of(embed)["Firing since"] == "2025-03-01 12:00:00 UTC"


def test_a_test_message_has_no_empty_fields(receiver, user):
    _, notifier = discord(receiver)

    notifier.send(build_test_message(text="Hello", user=user), target="")

    embed = receiver.requests[0].json["embeds"][0]
    assert (embed["title"], embed["description"]) == ("[TEST] Resee Alerts test notification", "Hello")
    assert embed["fields"] == [{"name": "Requested by", "value": "oncall", "inline": True}]


def test_long_texts_are_cut_to_discords_limits(receiver):
    _, notifier = discord(receiver)
    _, message = trigger_message(name="x" * 200, alert_fields={"message": "y" * 5000})

    notifier.send(message, target="")

    embed = receiver.requests[0].json["embeds"][0]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert all(len(field["value"]) <= 1024 for field in embed["fields"])


def test_discord_takes_no_target():
    assert DiscordNotifier().validate_target("") == ""
    with pytest.raises(ValidationError):
        DiscordNotifier().validate_target("#general")


# --- answers and failures -------------------------------------------------------------------------


def test_a_200_with_wait_is_sent_too(receiver):
    receiver.default_reply = Reply(200, '{"id": "1", "type": 0}')
    _, notifier = discord(receiver)

    assert notifier.send(trigger_message()[1], target="").ok


def test_a_rate_limit_waits_what_the_body_says_before_the_header(receiver):
    _, notifier = discord(receiver)
    receiver.replies += [
        Reply(429, '{"message": "You are being rate limited.", "retry_after": 2.345, "global": false}',
              headers={"Retry-After": "3", "X-RateLimit-Reset-After": "2.345"}),
        Reply(429, "rate limited", headers={"Retry-After": "7"}),
        Reply(429, "", headers={"X-RateLimit-Reset-After": "1.5"}),
    ]

    from_body, from_header, from_reset = (notifier.send(trigger_message()[1], target="") for _ in range(3))

    assert (from_body.ok, from_body.transient, from_body.response_code, from_body.retry_after) == (
        False, True, 429, 2.345)
    assert from_body.error == "Discord answered HTTP 429: You are being rate limited."
    assert (from_header.retry_after, from_reset.retry_after) == (7.0, 1.5)


def test_server_errors_are_transient(receiver):
    _, notifier = discord(receiver)
    receiver.replies.append(Reply(502, "bad gateway"))

    result = notifier.send(trigger_message()[1], target="")

    assert (result.ok, result.transient, result.response_code) == (False, True, 502)


@pytest.mark.parametrize("status,body,error", [
    (400, '{"message": "Invalid Form Body", "code": 50035, "errors": {"embeds": {"0": "too long"}}}',
     'Discord answered HTTP 400: Invalid Form Body (code 50035): {"embeds": {"0": "too long"}}'),
    (401, '{"message": "Invalid Webhook Token", "code": 50027}',
     "Discord answered HTTP 401: Invalid Webhook Token (code 50027)"),
    (404, '{"message": "Unknown Webhook", "code": 10015}', "Discord answered HTTP 404: Unknown Webhook (code 10015)"),
])
def test_client_errors_are_permanent_and_say_why(receiver, status, body, error):
    _, notifier = discord(receiver)
    receiver.replies.append(Reply(status, body))

    result = notifier.send(trigger_message()[1], target="")

    assert (result.ok, result.transient, result.response_code, result.retry_after) == (False, False, status, None)
    assert result.error == error


def test_the_webhook_token_never_appears_in_an_error(receiver):
    _, notifier = discord(receiver)
    receiver.replies += [
        Reply(400, f'{{"message": "bad request to {receiver.url(HOOK_PATH)}", "code": 0}}'),
        Reply(404, f"no webhook {HOOK_PATH} / token {TOKEN}"),
    ]

    errors = [notifier.send(trigger_message()[1], target="").error for _ in range(2)]

    for error in errors:
        assert TOKEN not in error and WEBHOOK_ID + "/" not in error
    assert errors[0] == "Discord answered HTTP 400: bad request to [redacted]"


def test_a_delivery_through_the_service_ends_sent(receiver):
    receiver.default_reply = Reply(204, "")
    channel, _ = discord(receiver)

    delivery = deliver_one(channel)

    assert (delivery.status, delivery.response_code, delivery.last_error) == ("sent", 204, "")
    assert (delivery.channel, delivery.notification_channel_id) == ("discord", channel.pk)
    assert len(receiver.requests) == 1


def test_a_rate_limited_delivery_waits_at_least_the_body_says(receiver, settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 1.0
    receiver.replies.append(Reply(429, '{"retry_after": 42.5, "global": false}'))
    channel, _ = discord(receiver)

    delivery = deliver_one(channel)

    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    assert (delivery.next_attempt_at - T0).total_seconds() >= 42.5


def test_a_webhook_at_a_private_address_is_refused_unless_allowed(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    channel, _ = discord(receiver)

    delivery = deliver_one(channel)

    assert delivery.status == "failed" and "loopback, private" in delivery.last_error
    assert TOKEN not in delivery.last_error
    assert receiver.requests == []
