"""ntfy (ntfy.sh, or a self-hosted server): push notifications to the phones and desktops that
subscribe to a topic.

Messages are published in ntfy's JSON form: a POST to the server's root URL with
`{"topic", "title", "message", "priority", "tags", "click", "actions"}`. (Rather than the
header form, POST /<topic> with Title/Priority/Tags/Click headers, because a rule name that is
not ASCII would need header encoding there.) Priority by severity: critical 5 (urgent), high 4,
medium 3, low 2; a resolve 2, a test 3. Tags are emoji short codes ntfy shows before the title.
The click action, and an "Open alert" button, open the alert in Resee Alerts.

An access token (optional; for a protected topic) is sent as `Authorization: Bearer <token>`.

ntfy answers 200 with the published message; errors as `{"code", "http", "error"}`: 429 (the
visitor's rate limit) and 5xx (507: the server's storage is full) are transient, every other 4xx
(400 a bad request, 401/403 a missing or wrong token, 413 too large) is permanent."""

import json
import re

import requests
from django.core.exceptions import ValidationError

from ..models import NotificationEvent
from .http_notifier import MAX_ERROR_BODY, HttpNotifier
from .messages import NotificationMessage
from .notifier_base import SendResult, Setting

DEFAULT_SERVER_URL = "https://ntfy.sh"
# ntfy's topic names.
_TOPIC_RE = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
TOPIC_HINT = "Enter a topic: 1 to 64 letters, digits, '-' and '_'."
# ntfy's default limit on a message body (bytes); longer ones would become attachments.
MESSAGE_LIMIT = 4000

PRIORITIES = {"critical": 5, "high": 4, "medium": 3, "low": 2}
_TAGS: dict[str, list[str]] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.TRIGGER: ["rotating_light"],
    NotificationEvent.REMINDER: ["repeat", "warning"],
    NotificationEvent.RESOLVE: ["white_check_mark"],
    NotificationEvent.TEST: ["wave"],
    NotificationEvent.SUPPRESSED: ["mute"],
    NotificationEvent.ACKNOWLEDGE: ["eyes"],
    NotificationEvent.ESCALATION: ["sos"],
    NotificationEvent.FLAPPING: ["ocean"],
    NotificationEvent.SUMMARY: ["bar_chart"],
}


def ntfy_priority(message: NotificationMessage) -> int:
    if message.kind in (NotificationEvent.RESOLVE, NotificationEvent.ACKNOWLEDGE):
        return 2  # someone has it, or it is over: no need to wake anyone
    if message.is_alert or message.kind == NotificationEvent.SUPPRESSED:
        return PRIORITIES.get(message.severity, 3)
    return 3


def ntfy_body(message: NotificationMessage) -> str:
    if message.is_alert:
        lines = [message.headline, message.summary_line, message.text]
        if message.window_text:
            lines.append(f"Window: {message.window_text}")
        if message.labels_text:
            lines.append(f"Labels: {message.labels_text}")
        if message.runbook_url:
            lines.append(f"Runbook: {message.runbook_url}")
    else:
        lines = [message.text]
        if message.requested_by:
            lines.append(f"Requested by {message.requested_by}.")
    body = "\n".join(line for line in lines if line) or message.subject
    encoded = body.encode()
    if len(encoded) > MESSAGE_LIMIT:
        body = encoded[: MESSAGE_LIMIT - 3].decode(errors="ignore") + "…"
    return body


class NtfyNotifier(HttpNotifier):
    name = "ntfy"
    label = "ntfy"
    description = "ntfy push notifications (ntfy.sh or your own server) to the phones subscribed to a topic."
    settings_schema = (
        Setting("server_url", "Server URL", type="url", default=DEFAULT_SERVER_URL, max_length=300,
                help="ntfy.sh, or your own ntfy server."),
        Setting("topic", "Topic", required=True, max_length=64, placeholder="resee-alerts",
                help="The topic the phones subscribe to. On ntfy.sh anyone who knows a topic can read it: "
                     "choose one hard to guess, or protect it with an access token."),
        Setting("access_token", "Access token", secret=True, max_length=200,
                help="For a protected topic (tk_…). Stored encrypted; never shown again."),
    )
    target_setting = "topic"

    @classmethod
    def check_settings(cls, settings_, secrets) -> dict[str, str]:
        topic = settings_.get("topic") or ""
        if topic and not _TOPIC_RE.match(topic):
            return {"topic": TOPIC_HINT}
        return {}

    def validate_target(self, target: str) -> str:
        if not _TOPIC_RE.match(target or ""):
            raise ValidationError(TOPIC_HINT, code="invalid_topic")
        return target

    def server_url(self) -> str:
        return str(self.setting("server_url") or DEFAULT_SERVER_URL).rstrip("/")

    def build_payload(self, message: NotificationMessage, *, topic: str) -> dict:
        payload: dict = {
            "topic": topic,
            "title": message.subject,
            "message": ntfy_body(message),
            "priority": ntfy_priority(message),
            "tags": _TAGS.get(message.kind, []),
        }
        if message.link:
            payload["click"] = message.link
            label = f"Open alert #{message.alert_id}" if message.alert_id else "Open Resee Alerts"
            payload["actions"] = [{"action": "view", "label": label, "url": message.link, "clear": True}]
        return payload

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        headers = {}
        token = str(self.secrets.get("access_token") or "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.post(self.server_url() + "/", json=self.build_payload(message, topic=target), headers=headers)

    def answer_error(self, response: requests.Response) -> str:
        try:
            answer = json.loads(response.text)
        except ValueError:
            answer = None
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, str) and error:
            detail = " ".join(error[:MAX_ERROR_BODY].split())
            return f"{self.label} answered HTTP {response.status_code}: {detail}"
        return super().answer_error(response)
