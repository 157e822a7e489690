"""Telegram, through a bot (Bot API sendMessage): POST {base_url}/bot<token>/sendMessage with the
chat (a numeric chat id, or @channelusername for a public channel), the text in Telegram's HTML
parse mode (every text of ours HTML-escaped: a rule name cannot become markup), and no link
previews.

The bot token is the channel's secret; it is in the URL's path, and every error text is scrubbed
of it. `base_url` is Telegram's API unless the channel names another (a self-hosted Bot API
server).

Telegram answers `{"ok": true, "result": ...}`, and `{"ok": false, "error_code": N, "description":
..., "parameters": {"retry_after": S}}` with HTTP status N: 429 (flood control) is transient and
waits `retry_after` seconds; 5xx is transient; 400 (chat not found, bad text), 401 (bad token),
403 (the bot was blocked or removed) and 404 are permanent."""

import html
import json
import re

import requests
from django.core.exceptions import ValidationError

from ..models import NotificationEvent
from .http_notifier import MAX_ERROR_BODY, HttpNotifier
from .messages import NotificationMessage, format_time
from .notifier_base import SendResult, Setting

DEFAULT_BASE_URL = "https://api.telegram.org"
# Telegram's limit on a message's text, in characters (after the markup is parsed; counting the
# markup too keeps well within it).
TEXT_LIMIT = 4096
# "123456789:AA..." (digits, a colon, then letters, digits, - and _).
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
# A chat id (negative for groups and channels) or a public channel's @username.
_CHAT_RE = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")
CHAT_HINT = "Enter a numeric chat id (e.g. -1001234567890) or a public channel as @name."

_ICONS: dict[str, str] = {
    NotificationEvent.TRIGGER: "🚨",
    NotificationEvent.REMINDER: "🔁",
    NotificationEvent.RESOLVE: "✅",
    NotificationEvent.TEST: "👋",
    NotificationEvent.SUPPRESSED: "🔇",
    NotificationEvent.ACKNOWLEDGE: "👀",
    NotificationEvent.ESCALATION: "🆘",
    NotificationEvent.FLAPPING: "🔀",
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def telegram_html(message: NotificationMessage) -> str:
    """The message as Telegram HTML: the subject in bold, what happened, the figures, the link."""
    icon = _ICONS.get(message.kind, "")
    lines = [f"{icon} <b>{_e(message.subject)}</b>".strip()]
    if message.is_alert:
        lines.append(_e(message.headline))
        for line in (message.summary_line, message.text):
            if line:
                lines.append(_e(line))
        lines.append("")
        facts = [("Value", message.value_line), ("Window", message.window_text), ("Time", message.time_text)]
        if message.kind != NotificationEvent.TRIGGER and message.triggered_at:
            facts.append(("Firing since", format_time(message.triggered_at)))
        if message.kind == NotificationEvent.RESOLVE:
            facts.append(("Resolved by", message.resolved_by or "the system (auto-resolve)"))
        if message.labels_text:
            facts.append(("Labels", message.labels_text))
        lines += [f"<b>{name}:</b> {_e(value)}" for name, value in facts if value]
        if message.runbook_url:
            lines.append(f'<a href="{_e(message.runbook_url)}">Runbook</a>')
        if message.link:
            lines.append(f'<a href="{_e(message.link)}">Open alert #{message.alert_id}</a>')
        if message.actions:  # one-click links, each to a page that asks to confirm
            lines.append(" · ".join(f'<a href="{_e(url)}">{_e(label)}</a>' for label, url in message.actions))
    else:
        if message.text:
            lines.append(_e(message.text))
        if message.requested_by:
            lines.append(f"<b>Requested by:</b> {_e(message.requested_by)}")
        if message.link:
            lines.append(f'<a href="{_e(message.link)}">Resee Alerts</a>')
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:
        # Cut in the free text would leave markup open: send the plain subject and link instead.
        text = f"<b>{_e(message.subject)}</b>\n" + (f'<a href="{_e(message.link)}">Open in Resee Alerts</a>'
                                                     if message.link else "")
    return text


class TelegramNotifier(HttpNotifier):
    name = "telegram"
    label = "Telegram"
    description = "Telegram, through a bot: messages to a chat, a group or a channel."
    settings_schema = (
        Setting("bot_token", "Bot token", required=True, secret=True, max_length=200,
                placeholder="123456789:AA…", help="The token @BotFather gave the bot. Stored encrypted; never shown "
                                                  "again."),
        Setting("chat_id", "Chat", required=True, max_length=40, placeholder="-1001234567890",
                help="The chat's numeric id, or a public channel's @name. The bot must be a member (an admin in "
                     "a channel)."),
        Setting("disable_web_page_preview", "No link previews", type="boolean", default=True),
        Setting("base_url", "Bot API URL", type="url", default=DEFAULT_BASE_URL, max_length=300,
                help="Telegram's Bot API, unless you run your own Bot API server."),
    )
    target_setting = "chat_id"

    @classmethod
    def check_settings(cls, settings_, secrets) -> dict[str, str]:
        problems = {}
        if secrets.get("bot_token") and not _TOKEN_RE.match(str(secrets["bot_token"])):
            problems["bot_token"] = "This is not a bot token (digits, a colon, then the key)."
        if settings_.get("chat_id") and not _CHAT_RE.match(str(settings_["chat_id"])):
            problems["chat_id"] = CHAT_HINT
        return problems

    def validate_target(self, target: str) -> str:
        if not _CHAT_RE.match(target or ""):
            raise ValidationError(CHAT_HINT, code="invalid_chat")
        return target

    def bot_token(self) -> str:
        return str(self.secrets.get("bot_token") or "")

    def endpoint(self) -> str:
        base = str(self.setting("base_url") or DEFAULT_BASE_URL).rstrip("/")
        return f"{base}/bot{self.bot_token()}/sendMessage"

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        payload = {
            "chat_id": int(target) if target.lstrip("-").isdigit() else target,
            "text": telegram_html(message),
            "parse_mode": "HTML",
            "disable_web_page_preview": bool(self.setting("disable_web_page_preview")),
        }
        return self.post(self.endpoint(), json=payload)

    @staticmethod
    def _answer(response: requests.Response) -> dict:
        try:
            answer = json.loads(response.text)
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}

    def accepted(self, response: requests.Response) -> bool:
        return super().accepted(response) and self._answer(response).get("ok") is True

    def retry_after(self, response: requests.Response) -> float | None:
        parameters = self._answer(response).get("parameters")
        wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
            return float(wait)
        return super().retry_after(response)

    def answer_error(self, response: requests.Response) -> str:
        description = self._answer(response).get("description")
        if isinstance(description, str) and description:
            detail = " ".join(description[:MAX_ERROR_BODY].split())
            return f"{self.label} answered HTTP {response.status_code}: {detail}"
        return super().answer_error(response)
