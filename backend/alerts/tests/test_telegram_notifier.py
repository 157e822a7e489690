"""Telegram channels against a real HTTP server on 127.0.0.1 standing in for the Bot API."""

import pytest
from django.core.exceptions import ValidationError

from alerts.services.messages import build_test_message
from alerts.services.notifier_base import clean_channel
from alerts.services.telegram_notifier import TelegramNotifier

from . import channel_testing
from .channel_testing import deliver_one, make_channel, trigger_message
from .conftest import SITE_URL
from .receivers import Reply

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
OK = '{"ok": true, "result": {"message_id": 7}}'


def telegram(server, **settings_):
    values = {"chat_id": "-1001234567890", "base_url": server.url("")}
    values.update(settings_)
    channel = make_channel("telegram", settings=values, secrets={"bot_token": TOKEN})
    return channel, TelegramNotifier(channel)


def test_a_trigger_arrives_as_send_message_with_escaped_html(receiver):
    receiver.default_reply = Reply(200, OK)
    _, notifier = telegram(receiver)
    alert, message = trigger_message(name="CPU <b>&</b> \"load\"",
                                     alert_fields={"runbook_url": "https://wiki.example.com/cpu?a=1&b=2"})

    result = notifier.send(message, target="-1001234567890")

    assert (result.ok, result.response_code) == (True, 200)
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", f"/bot{TOKEN}/sendMessage")
    assert request.headers["Content-Type"] == "application/json"
    payload = request.json
    assert payload == {
        "chat_id": -1001234567890, "parse_mode": "HTML", "disable_web_page_preview": True,
        "text": payload["text"],
    }
    assert payload["text"].split("\n") == [
        "🚨 <b>[HIGH] CPU &lt;b&gt;&amp;&lt;/b&gt; &quot;load&quot;</b>",
        "cpu_usage is 91.5%, threshold &gt; 80%.",
        "",
        "<b>Value:</b> 91.5% (threshold &gt; 80%)",
        "<b>Window:</b> 5 min (avg)",
        "<b>Time:</b> 2025-03-01 12:00:00 UTC",
        '<a href="https://wiki.example.com/cpu?a=1&amp;b=2">Runbook</a>',
        f'<a href="{SITE_URL}/alerts/{alert.pk}">Open alert #{alert.pk}</a>',
        " · ".join(f'<a href="{url}">{label}</a>' for label, url in message.actions),
    ]
    assert [label for label, _ in message.actions] == ["Acknowledge", "Silence 1 h", "Resolve"]


def test_a_channel_username_and_previews(receiver, user):
    receiver.default_reply = Reply(200, OK)
    _, notifier = telegram(receiver, disable_web_page_preview=False)

    notifier.send(build_test_message(text="Hello <there>", user=user), target="@resee_alerts")

    payload = receiver.requests[0].json
    assert (payload["chat_id"], payload["disable_web_page_preview"]) == ("@resee_alerts", False)
    assert payload["text"] == (f"👋 <b>[TEST] Resee Alerts test notification</b>\nHello &lt;there&gt;\n"
                               f"<b>Requested by:</b> oncall\n<a href=\"{SITE_URL}\">Resee Alerts</a>")


def test_a_text_over_telegrams_limit_is_sent_short(receiver):
    receiver.default_reply = Reply(200, OK)
    _, notifier = telegram(receiver)

    notifier.send(trigger_message(alert_fields={"message": "x" * 5000})[1], target="-100")

    text = receiver.requests[0].json["text"]
    assert len(text) < 4096 and text.startswith("<b>[HIGH] High CPU Usage</b>\n<a href=")


@pytest.mark.parametrize("target", ["123456", "-1001234567890", "@resee_alerts"])
def test_targets(target):
    assert TelegramNotifier().validate_target(target) == target


@pytest.mark.parametrize("target", ["", "#alerts", "@ab", "12 34", "@bad-name"])
def test_other_targets_are_refused(target):
    with pytest.raises(ValidationError):
        TelegramNotifier().validate_target(target)


def test_settings_are_checked_when_saved():
    cleaned = clean_channel(TelegramNotifier, settings_in={"chat_id": "#alerts"}, secrets_in={"bot_token": "nope"})

    assert cleaned.errors == {
        "settings": {"chat_id": ["Enter a numeric chat id (e.g. -1001234567890) or a public channel as @name."]},
        "secrets": {"bot_token": ["This is not a bot token (digits, a colon, then the key)."]},
    }
    good = clean_channel(TelegramNotifier, settings_in={"chat_id": "-100123"}, secrets_in={"bot_token": TOKEN})
    assert good.errors == {}


# --- answers and failures -------------------------------------------------------------------------


def test_flood_control_is_transient_and_waits_what_telegram_says(receiver):
    _, notifier = telegram(receiver)
    receiver.replies.append(Reply(429, '{"ok": false, "error_code": 429, "description": "Too Many Requests: '
                                       'retry after 35", "parameters": {"retry_after": 35}}'))

    result = notifier.send(trigger_message()[1], target="-100")

    assert (result.ok, result.transient, result.response_code, result.retry_after) == (False, True, 429, 35.0)
    assert result.error == "Telegram answered HTTP 429: Too Many Requests: retry after 35"


def test_server_errors_are_transient(receiver):
    _, notifier = telegram(receiver)
    receiver.replies.append(Reply(502, '{"ok": false, "error_code": 502, "description": "Bad Gateway"}'))

    result = notifier.send(trigger_message()[1], target="-100")

    assert (result.ok, result.transient, result.response_code) == (False, True, 502)


@pytest.mark.parametrize("status,description", [
    (400, "Bad Request: chat not found"), (401, "Unauthorized"),
    (403, "Forbidden: bot was blocked by the user"), (404, "Not Found"),
])
def test_client_errors_are_permanent(receiver, status, description):
    _, notifier = telegram(receiver)
    receiver.replies.append(Reply(status, f'{{"ok": false, "error_code": {status}, "description": "{description}"}}'))

    result = notifier.send(trigger_message()[1], target="-100")

    assert (result.ok, result.transient, result.response_code) == (False, False, status)
    assert result.error == f"Telegram answered HTTP {status}: {description}"


def test_a_200_that_is_not_ok_is_not_sent(receiver):
    _, notifier = telegram(receiver)
    receiver.replies.append(Reply(200, "<html>captive portal</html>"))

    result = notifier.send(trigger_message()[1], target="-100")

    assert (result.ok, result.transient) == (False, False)


def test_the_bot_token_never_appears_in_an_error(receiver):
    _, notifier = telegram(receiver)
    key = TOKEN.split(":", 1)[1]
    receiver.replies += [
        Reply(404, f'{{"ok": false, "error_code": 404, "description": "no bot at {receiver.url("/bot" + TOKEN)}"}}'),
        Reply(400, f"POST /bot{TOKEN}/sendMessage: bad token {TOKEN}"),
    ]

    errors = [notifier.send(trigger_message()[1], target="-100").error for _ in range(2)]

    for error in errors:
        assert TOKEN not in error and key not in error
    assert errors[1] == "Telegram answered HTTP 400: POST /bot[redacted]/sendMessage: bad token [redacted]"


def test_a_delivery_through_the_service_ends_sent(receiver):
    receiver.default_reply = Reply(200, OK)
    channel, _ = telegram(receiver)

    delivery = deliver_one(channel, "-1001234567890")

    assert (delivery.status, delivery.response_code, delivery.last_error) == ("sent", 200, "")
    assert (delivery.channel, delivery.notification_channel_id) == ("telegram", channel.pk)
    assert receiver.requests[0].json["chat_id"] == -1001234567890


def test_the_bot_api_at_a_private_address_is_refused_unless_allowed(receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    channel, _ = telegram(receiver)

    delivery = deliver_one(channel, "-100")

    assert delivery.status == "failed" and "loopback, private" in delivery.last_error
    assert TOKEN not in delivery.last_error
    assert receiver.requests == []


def test_the_default_api_is_telegrams():
    channel = make_channel("telegram", settings={"chat_id": "-100"}, secrets={"bot_token": TOKEN})

    assert TelegramNotifier(channel).endpoint() == f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert TelegramNotifier(channel).default_targets() == ["-100"]
