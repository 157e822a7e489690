"""Mattermost and Rocket.Chat channels against a real HTTP server on 127.0.0.1 standing in for
their incoming webhooks."""

import pytest
from django.core.exceptions import ValidationError

from alerts.services.mattermost_notifier import MattermostNotifier, RocketChatNotifier
from alerts.services.messages import build_test_message
from alerts.services.notifier_base import clean_channel

from . import channel_testing
from .channel_testing import T0, deliver_one, make_channel, trigger_message
from .conftest import SITE_URL
from .receivers import Reply

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

HOOK_TOKEN = "mm8x4hook7secretq1w2e3r4t5"
MM_PATH = f"/hooks/{HOOK_TOKEN}"
RC_PATH = f"/hooks/65f0c0ffee/{HOOK_TOKEN}"


def mattermost(server, **settings_):
    channel = make_channel("mattermost", settings=settings_, secrets={"webhook_url": server.url(MM_PATH)})
    return channel, MattermostNotifier(channel)


def rocketchat(server, **settings_):
    channel = make_channel("rocketchat", settings=settings_, secrets={"webhook_url": server.url(RC_PATH)})
    return channel, RocketChatNotifier(channel)


def fields_of(payload) -> dict:
    return {field["title"]: field["value"] for field in payload["attachments"][0]["fields"]}


# --- Mattermost -----------------------------------------------------------------------------------


def test_mattermost_trigger_arrives_as_slack_payload_with_markdown_bold(receiver):
    _, notifier = mattermost(receiver, username="Resee")
    alert, message = trigger_message()

    result = notifier.send(message, target="town-square")

    assert (result.ok, result.response_code) == (True, 200)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", MM_PATH)
    assert request.headers["Content-Type"] == "application/json"
    payload = request.json
    assert payload["channel"] == "town-square"
    assert payload["username"] == "Resee"
    assert payload["text"] == ":rotating_light: **[HIGH] High CPU Usage**"
    attachment = payload["attachments"][0]
    assert attachment["color"] == "#f97316"
    assert attachment["title"] == "High CPU Usage"
    assert attachment["title_link"] == f"{SITE_URL}/alerts/{alert.pk}"
    assert fields_of(payload)["Value"] == "91.5% (threshold &gt; 80%)"  # Markdown reads &gt; as >
    assert fields_of(payload)["Alert"] == f"<{SITE_URL}/alerts/{alert.pk}|Open alert #{alert.pk}>"


def test_mattermost_reminder_keeps_its_suffix_outside_the_bold(receiver):
    from alerts.services.messages import build_alert_message

    from .factories import make_alert, make_rule

    alert = make_alert(make_rule(severity="critical"), triggered_at=T0, last_value=97.0)
    _, notifier = mattermost(receiver)

    notifier.send(build_alert_message(alert=alert, event="reminder", now=T0), target="")

    payload = receiver.requests[0].json
    assert payload["text"] == ":repeat: **[CRITICAL] High CPU Usage** is still firing (reminder)"
    assert "channel" not in payload and "username" not in payload


def test_mattermost_names_cannot_notify_the_whole_channel(receiver):
    _, notifier = mattermost(receiver)
    _, message = trigger_message(name="@channel @all @here db down")

    notifier.send(message, target="")

    sent = receiver.requests[0].body.decode()
    assert "@channel" not in sent and "@all" not in sent and "@here" not in sent
    assert receiver.requests[0].json["attachments"][0]["title"] == "@\u200bchannel @\u200ball @\u200bhere db down"


@pytest.mark.parametrize("target", ["town-square", "@oncall", "ops.team_1"])
def test_mattermost_targets(target):
    assert MattermostNotifier().validate_target(target) == target


@pytest.mark.parametrize("target", ["#town-square", "Town Square", "@", "a" * 81])
def test_mattermost_rejects_other_targets(target):
    with pytest.raises(ValidationError):
        MattermostNotifier().validate_target(target)


def test_mattermost_channel_setting_is_checked_when_saved():
    cleaned = clean_channel(MattermostNotifier, settings_in={"channel": "#Town Square"},
                            secrets_in={"webhook_url": "https://chat.example.com/hooks/abc"})

    assert list(cleaned.errors["settings"]) == ["channel"]


def test_mattermost_server_error_is_transient_and_rate_limit_says_when(receiver):
    _, notifier = mattermost(receiver)
    receiver.replies += [Reply(503, "down"), Reply(429, "slow down", headers={"Retry-After": "12"})]

    down = notifier.send(trigger_message()[1], target="")
    limited = notifier.send(trigger_message()[1], target="")

    assert (down.ok, down.transient, down.response_code, down.error) == (
        False, True, 503, "Mattermost answered HTTP 503: down")
    assert (limited.transient, limited.retry_after) == (True, 12.0)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_mattermost_client_errors_are_permanent(receiver, status):
    _, notifier = mattermost(receiver)
    receiver.replies.append(Reply(status, f'{{"id":"web.incoming_webhook.invalid.app_error","status_code":{status}}}'))

    result = notifier.send(trigger_message()[1], target="")

    assert (result.ok, result.transient, result.response_code) == (False, False, status)


def test_mattermost_error_quoting_the_webhook_url_is_scrubbed(receiver):
    _, notifier = mattermost(receiver)
    receiver.replies.append(Reply(400, f"no hook at {receiver.url(MM_PATH)} (path {MM_PATH}, token {HOOK_TOKEN})"))

    result = notifier.send(trigger_message()[1], target="")

    assert not result.ok
    assert HOOK_TOKEN not in result.error and "/hooks/" not in result.error
    assert result.error.startswith("Mattermost answered HTTP 400: no hook at [redacted]")


def test_mattermost_delivery_through_the_service_ends_sent(receiver):
    channel, _ = mattermost(receiver)

    delivery = deliver_one(channel, "town-square")

    assert (delivery.status, delivery.response_code, delivery.last_error) == ("sent", 200, "")
    assert (delivery.channel, delivery.notification_channel_id) == ("mattermost", channel.pk)
    assert receiver.requests[0].json["channel"] == "town-square"


def test_mattermost_at_a_private_address_is_refused_unless_allowed(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    channel, _ = mattermost(receiver)

    delivery = deliver_one(channel)

    assert delivery.status == "failed"
    assert "loopback, private" in delivery.last_error and HOOK_TOKEN not in delivery.last_error
    assert receiver.requests == []


# --- Rocket.Chat ----------------------------------------------------------------------------------


def test_rocketchat_trigger_arrives_with_alias_markdown_links_and_plain_text(receiver):
    _, notifier = rocketchat(receiver, username="Resee")
    receiver.default_reply = Reply(200, '{"success":true}')
    alert, message = trigger_message(alert_fields={"runbook_url": "https://wiki.example.com/cpu?a=1&b=2"})

    result = notifier.send(message, target="#ops")

    assert (result.ok, result.response_code) == (True, 200)
    (request,) = receiver.requests
    assert (request.method, request.path, request.headers["Content-Type"]) == ("POST", RC_PATH, "application/json")
    payload = request.json
    assert (payload["channel"], payload["alias"], payload["username"]) == ("#ops", "Resee", "Resee")
    assert payload["text"] == ":rotating_light: *[HIGH] High CPU Usage*"
    attachment = payload["attachments"][0]
    assert attachment["color"] == "#f97316"
    assert attachment["title_link"] == f"{SITE_URL}/alerts/{alert.pk}"
    assert attachment["ts"] == "2025-03-01T12:00:00Z"
    assert "footer" not in attachment
    fields = fields_of(payload)
    assert fields["Value"] == "91.5% (threshold > 80%)"  # Rocket.Chat does not decode &gt;
    assert fields["Alert"] == f"[Open alert #{alert.pk}]({SITE_URL}/alerts/{alert.pk})"
    assert fields["Runbook"] == "[https://wiki.example.com/cpu?a=1&b=2](https://wiki.example.com/cpu?a=1&b=2)"


def test_rocketchat_names_cannot_notify_everyone(receiver):
    _, notifier = rocketchat(receiver)
    _, message = trigger_message(name="@all <b>&</b> @here")

    notifier.send(message, target="")

    payload = receiver.requests[0].json
    assert payload["attachments"][0]["title"] == "@\u200ball <b>&</b> @\u200bhere"
    assert "@all" not in receiver.requests[0].body.decode()


def test_rocketchat_a_test_message(receiver, user):
    _, notifier = rocketchat(receiver)

    notifier.send(build_test_message(text="Hello from Resee", user=user), target="@oncall")

    payload = receiver.requests[0].json
    assert payload["channel"] == "@oncall"
    assert payload["attachments"][0]["text"] == "Hello from Resee"
    assert fields_of(payload)["Requested by"] == "oncall"


def test_rocketchat_success_false_is_a_permanent_failure_with_its_error(receiver):
    _, notifier = rocketchat(receiver)
    receiver.replies += [Reply(400, '{"success":false,"error":"invalid-channel"}'),
                         Reply(200, '{"success":false,"error":"error-something"}')]

    bad_channel = notifier.send(trigger_message()[1], target="#nope")
    refused = notifier.send(trigger_message()[1], target="#nope")

    assert (bad_channel.ok, bad_channel.transient, bad_channel.error) == (
        False, False, "Rocket.Chat answered HTTP 400: invalid-channel")
    assert (refused.ok, refused.transient, refused.response_code) == (False, False, 200)


def test_rocketchat_server_errors_and_rate_limits_are_transient(receiver):
    _, notifier = rocketchat(receiver)
    receiver.replies += [Reply(500, "oops"), Reply(429, "", headers={"Retry-After": "3"})]

    assert notifier.send(trigger_message()[1], target="").transient
    limited = notifier.send(trigger_message()[1], target="")
    assert (limited.transient, limited.retry_after) == (True, 3.0)


@pytest.mark.parametrize("target", ["#general", "@oncall", "GENERAL", "Xn9tT6Xj3SXKQv6Rp"])
def test_rocketchat_targets(target):
    assert RocketChatNotifier().validate_target(target) == target


def test_rocketchat_error_quoting_the_webhook_url_is_scrubbed(receiver):
    _, notifier = rocketchat(receiver)
    receiver.replies.append(Reply(404, f'{{"success":false,"error":"no integration {receiver.url(RC_PATH)}"}}'))

    result = notifier.send(trigger_message()[1], target="")

    assert HOOK_TOKEN not in result.error and "65f0c0ffee" not in result.error
    assert result.error == "Rocket.Chat answered HTTP 404: no integration [redacted]"


def test_rocketchat_delivery_through_the_service_ends_sent(receiver):
    channel, _ = rocketchat(receiver)
    receiver.default_reply = Reply(200, '{"success":true}')

    delivery = deliver_one(channel, "#ops")

    assert (delivery.status, delivery.response_code, delivery.notification_channel_id) == ("sent", 200, channel.pk)


def test_rocketchat_at_a_private_address_is_refused_unless_allowed(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    channel, _ = rocketchat(receiver)

    delivery = deliver_one(channel)

    assert delivery.status == "failed" and "loopback, private" in delivery.last_error
    assert receiver.requests == []
