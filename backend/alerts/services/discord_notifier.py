"""Discord, through a channel's webhook (Execute Webhook): one embed per message, with the title
linking to the alert, the severity's colour, the figures as fields, the event's time and a footer.

The webhook URL (https://discord.com/api/webhooks/<id>/<token>) is the channel's secret: its
token is in the path, and every error text is scrubbed of the URL, its path and the token alone.

Discord answers 204 No Content (200 with the message when asked to wait). A 429's wait is in its
JSON body (`retry_after`, seconds, a float) and in its headers (Retry-After, whole seconds;
X-RateLimit-Reset-After): the body is read first. Its error bodies are JSON
(`{"message": ..., "code": ...}`) and say what was wrong."""

import json
from datetime import UTC

import requests

from ..models import NotificationEvent
from .http_notifier import MAX_ERROR_BODY, HttpNotifier
from .messages import NotificationMessage, format_time
from .notifier_base import SendResult, Setting
from .retry_policy import parse_retry_after

# Discord's limits on an embed (characters). A description may have 4096, but an embed has 6000
# in all: half of that leaves room for the fields.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 3000
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
USERNAME_LIMIT = 80


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def colour_number(colour: str) -> int:
    """"#f97316" -> 0xF97316: an embed's colour is an integer."""
    return int(colour.lstrip("#"), 16)


def _field(name: str, value: str, inline: bool = True) -> dict:
    """An embed field; {} for an empty value (Discord refuses one), left out of the embed."""
    if not value:
        return {}
    return {"name": _cut(name, FIELD_NAME_LIMIT), "value": _cut(value, FIELD_VALUE_LIMIT), "inline": inline}


class DiscordNotifier(HttpNotifier):
    name = "discord"
    label = "Discord"
    description = "Discord channel webhooks: one embed per message."
    settings_schema = (
        Setting("webhook_url", "Webhook URL", type="url", required=True, secret=True, max_length=1000,
                placeholder="https://discord.com/api/webhooks/…",
                help="The channel webhook's URL (Server settings > Integrations > Webhooks). Stored encrypted; "
                     "never shown again."),
        Setting("username", "Bot name", max_length=USERNAME_LIMIT,
                help="The name the messages are posted under; blank: the webhook's own."),
    )

    def webhook_url(self) -> str:
        return str(self.secrets.get("webhook_url") or "")

    def secret_values(self) -> list[str]:
        # The token is the URL's last path segment: an error quoting it alone is scrubbed too.
        values = super().secret_values()
        token = self.webhook_url().split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if len(token) >= 8:
            values.append(token)
        return values

    def build_payload(self, message: NotificationMessage) -> dict:
        if message.is_alert:
            description = message.headline
            for line in (message.summary_line, message.text):
                if line:
                    description += "\n" + line
            fields = [
                _field("Rule", message.title),
                _field("Severity", message.severity_label),
                _field("Metric", message.metric_name),
                _field("Value", message.value_line, inline=False),
                _field("Window", message.window_text),
            ]
            if message.kind != NotificationEvent.TRIGGER and message.triggered_at:
                fields.append(_field("Firing since", format_time(message.triggered_at)))
            if message.kind == NotificationEvent.RESOLVE:
                fields.append(_field("Resolved by", message.resolved_by or "the system (auto-resolve)"))
            if message.labels_text:
                fields.append(_field("Labels", message.labels_text, inline=False))
            if message.runbook_url:
                fields.append(_field("Runbook", message.runbook_url, inline=False))
            if message.actions:  # one-click links, each to a page that asks to confirm
                fields.append(_field("Actions", " · ".join(f"[{label}]({url})" for label, url in message.actions),
                                     inline=False))
            footer = f"Resee Alerts · alert #{message.alert_id}"
        else:
            description = message.text
            fields = [_field("Requested by", message.requested_by)] if message.requested_by else []
            footer = "Resee Alerts"
        embed: dict = {
            "title": _cut(message.subject, TITLE_LIMIT),
            "description": _cut(description, DESCRIPTION_LIMIT),
            "color": colour_number(message.colour),
            "fields": [field for field in fields if field],
            "timestamp": message.time.astimezone(UTC).isoformat(),
            "footer": {"text": _cut(footer, FOOTER_LIMIT)},
        }
        if message.link:
            embed["url"] = message.link
        payload: dict = {
            "embeds": [embed],
            # Nothing in a message may ping anyone (a rule named "@everyone").
            "allowed_mentions": {"parse": []},
        }
        username = str(self.setting("username") or "")
        if username:
            payload["username"] = username
        return payload

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        return self.post(self.webhook_url(), json=self.build_payload(message))

    @staticmethod
    def _answer(response: requests.Response) -> dict:
        try:
            answer = json.loads(response.text)
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}

    def retry_after(self, response: requests.Response) -> float | None:
        wait = self._answer(response).get("retry_after")
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
            return float(wait)
        for header in ("Retry-After", "X-RateLimit-Reset-After"):
            seconds = parse_retry_after(response.headers.get(header))
            if seconds is not None:
                return seconds
        return None

    def answer_error(self, response: requests.Response) -> str:
        answer = self._answer(response)
        text = answer.get("message")
        if isinstance(text, str) and text:
            detail = " ".join(text[:MAX_ERROR_BODY].split())
            code = answer.get("code")
            if isinstance(code, int) and not isinstance(code, bool) and code:
                detail += f" (code {code})"
            errors = answer.get("errors")
            if errors:
                detail += ": " + " ".join(json.dumps(errors)[:MAX_ERROR_BODY].split())
            return f"{self.label} answered HTTP {response.status_code}: {detail}"
        return super().answer_error(response)
