"""Mattermost and Rocket.Chat, through their incoming webhooks: both take Slack's payload (text,
attachments with colour, title link and fields, channel, username), so both are Slack-compatible
notifiers with the differences their documentation states.

Mattermost translates Slack's `<url|text>` links and renders Markdown (where the `&lt;` escapes
read as `<`), but bold is `**bold**`, not Slack's `*bold*`; a channel override is the channel's
name (`town-square`, not `#town-square`) or `@user`. It answers 200 "ok".

Rocket.Chat takes `text`, `attachments` (title, title_link, text, color, fields, ts as a date),
`channel` (`#channel`, `@user` or a room id) and `alias` (or `username`) for the name shown. It
renders its own Markdown: links are `[text](url)` and HTML entities are not decoded, so the texts
go as written. It answers `{"success": true}`, and `{"success": false, "error": ...}` (HTTP 400)
for a channel that does not exist.

In both, `@all`, `@channel` and `@here` in a text would notify everyone in the channel: a rule
named "@all down" must not, so a zero-width space is put after the "@" in every text we send."""

import html
import json
import re
from datetime import UTC
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError

from .http_notifier import MAX_ERROR_BODY
from .messages import NotificationMessage
from .notifier_base import Setting
from .slack_notifier import SlackCompatibleNotifier

_ZERO_WIDTH_SPACE = "\u200b"
_CHANNEL_MENTION_RE = re.compile(r"@(all|channel|here)\b", re.IGNORECASE)
# The links SlackCompatibleNotifier writes: `<url|text>` (user texts are escaped, so never match).
_SLACK_LINK_RE = re.compile(r"<([^|<>]+)\|([^<>]*)>")
# Keys that are not message text: where the message goes and under which name.
_NOT_TEXT = frozenset({"channel", "username", "alias", "color", "title_link", "ts"})


def no_channel_mentions(text: str) -> str:
    """`@all` -> `@\u200ball`: shown the same, notifies no one."""
    return _CHANNEL_MENTION_RE.sub(lambda match: f"@{_ZERO_WIDTH_SPACE}{match.group(1)}", text)


def _map_texts(value: Any, change, key: str = "") -> Any:
    """`value` (a payload) with `change` applied to every text in it but the _NOT_TEXT keys'."""
    if isinstance(value, dict):
        return {k: (v if k in _NOT_TEXT else _map_texts(v, change, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_texts(item, change, key) for item in value]
    if isinstance(value, str):
        return change(value)
    return value


def _channel_setting(help_text: str, placeholder: str) -> Setting:
    return Setting("channel", "Channel", help=help_text, max_length=80, placeholder=placeholder)


_WEBHOOK_URL = Setting(
    "webhook_url", "Webhook URL", type="url", required=True, secret=True, max_length=1000,
    help="The incoming webhook's URL. Stored encrypted; never shown again.",
)
_USERNAME = Setting(
    "username", "Bot name", max_length=80,
    help="The name the messages are posted under; blank: the webhook's own. (The server may have to "
         "allow webhooks to override it.)",
)


class _ChatNotifier(SlackCompatibleNotifier):
    """What Mattermost and Rocket.Chat have in common on top of Slack's payload."""

    # The channel override as the kind writes it.
    channel_re: ClassVar[re.Pattern[str]]
    channel_hint: ClassVar[str]

    def secret_values(self) -> list[str]:
        # The webhook's key is its URL's last path segment(s) (Mattermost: /hooks/<key>,
        # Rocket.Chat: /hooks/<id>/<token>): an error that quotes one alone is scrubbed too.
        values = super().secret_values()
        path = urlsplit(self.webhook_url()).path
        values += [segment for segment in path.split("/") if len(segment) >= 8]
        return values

    @classmethod
    def check_settings(cls, settings_, secrets) -> dict[str, str]:
        channel = settings_.get("channel") or ""
        if channel and not cls.channel_re.match(channel):
            return {"channel": cls.channel_hint}
        return {}

    def validate_target(self, target: str) -> str:
        if target and not self.channel_re.match(target):
            raise ValidationError(self.channel_hint, code="invalid_channel")
        return target


class MattermostNotifier(_ChatNotifier):
    name = "mattermost"
    label = "Mattermost"
    description = "Mattermost incoming webhooks (Slack-compatible payload)."
    settings_schema = (
        _WEBHOOK_URL,
        _channel_setting("The channel's name (town-square, not Town Square) or @user; blank: the webhook's "
                         "own channel.", "town-square"),
        _USERNAME,
    )
    # Mattermost channel names: lowercase letters, digits, '-' and '_'; user names also have '.'.
    channel_re = re.compile(r"^@?[a-z0-9][a-z0-9._-]{0,79}$")
    channel_hint = ("Enter a Mattermost channel by its name (lowercase letters, digits, '-', '_', '.'; "
                    "town-square) or a user as @name.")

    def build_payload(self, message: NotificationMessage, *, target: str) -> dict:
        payload = super().build_payload(message, target=target)
        # Slack's bold title line, `:icon: *[HIGH] Name*`, in Mattermost's Markdown.
        payload["text"] = re.sub(r"(?<=\s)\*(.*)\*(?=$| is still firing)", r"**\1**", payload["text"], count=1)
        return _map_texts(payload, no_channel_mentions)


def _markdown_link(match: re.Match) -> str:
    url = html.unescape(match.group(1)).replace("%7C", "|")
    text = html.unescape(match.group(2)).replace("[", "(").replace("]", ")")
    url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{text}]({url})"


def _rocketchat_text(text: str) -> str:
    text = _SLACK_LINK_RE.sub(lambda match: "\0" + _markdown_link(match) + "\0", text)
    # The links are already plain; everything between them is unescaped once.
    parts = text.split("\0")
    plain = "".join(part if index % 2 else html.unescape(part) for index, part in enumerate(parts))
    return no_channel_mentions(plain)


class RocketChatNotifier(_ChatNotifier):
    name = "rocketchat"
    label = "Rocket.Chat"
    description = "Rocket.Chat incoming webhooks (Slack-compatible payload)."
    settings_schema = (
        _WEBHOOK_URL,
        _channel_setting("#channel, @user or a room id; blank: the webhook's own channel.", "#alerts"),
        _USERNAME,
    )
    channel_re = re.compile(r"^[#@]?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
    channel_hint = "Enter a Rocket.Chat channel as #name, a user as @name, or a room id."

    def build_payload(self, message: NotificationMessage, *, target: str) -> dict:
        payload = _map_texts(super().build_payload(message, target=target), _rocketchat_text)
        if "username" in payload:
            payload["alias"] = payload["username"]
        for attachment in payload.get("attachments", []):
            # A date, not Slack's epoch seconds (read as milliseconds, it would be January 1970).
            attachment["ts"] = message.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
            attachment.pop("footer", None)
        return payload

    def accepted(self, response: requests.Response) -> bool:
        if not super().accepted(response):
            return False
        return self._answer(response).get("success") is not False

    def answer_error(self, response: requests.Response) -> str:
        answer = self._answer(response)
        error = answer.get("error") if isinstance(answer.get("error"), str) else ""
        if error:
            return f"{self.label} answered HTTP {response.status_code}: {' '.join(error[:MAX_ERROR_BODY].split())}"
        return super().answer_error(response)

    @staticmethod
    def _answer(response: requests.Response) -> dict:
        try:
            answer = json.loads(response.text)
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}
