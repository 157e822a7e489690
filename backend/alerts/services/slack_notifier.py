"""Slack, through an incoming webhook (settings.SLACK_WEBHOOK_URL)."""

from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from ..models import NotificationEvent
from ..validators import validate_slack_channel
from .messages import NotificationMessage, format_time
from .notifier_base import Notifier, SendResult
from .retry_policy import parse_retry_after

MAX_ERROR_BODY = 300

_ICONS: dict[str, str] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.TRIGGER: ":rotating_light:",
    NotificationEvent.REMINDER: ":repeat:",
    NotificationEvent.RESOLVE: ":white_check_mark:",
    NotificationEvent.TEST: ":wave:",
    NotificationEvent.SUPPRESSED: ":mute:",
}


def slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions: a rule named "<!channel>" must not ping everyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, text: str) -> str:
    """`<url|text>`: a "|" would end the URL early, so it is percent-encoded; & < > are escaped."""
    return f"<{slack_escape(url.replace('|', '%7C'))}|{slack_escape(text)}>"


def _field(title: str, value: str, short: bool = True) -> dict:
    return {"title": title, "value": value, "short": short}


class SlackNotifier(Notifier):
    name = "slack"
    label = "Slack"

    def configuration_problem(self) -> str:
        url = settings.SLACK_WEBHOOK_URL
        if not url:
            return "Slack is not configured: SLACK_WEBHOOK_URL is not set."
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "Slack is not configured: SLACK_WEBHOOK_URL is not an http(s) URL."
        return ""

    def validate_target(self, target: str) -> str:
        if not target:
            raise ValidationError("Enter a Slack channel.", code="required")
        validate_slack_channel(target)
        return target

    def targets_for_rule(self, rule) -> list[str]:
        # The default channel is read now, when the notification is queued, not when the rule was saved.
        return [rule.effective_slack_channel] if rule.slack_enabled else []

    def build_payload(self, message: NotificationMessage, *, target: str) -> dict:
        title = slack_escape(message.group_title)
        icon = _ICONS.get(message.kind, "")
        if message.kind == NotificationEvent.RESOLVE:
            what = "Fired and resolved" if message.fired_and_resolved else "Resolved"
            text = f"{icon} *{what}: {title}*"
        elif message.kind == NotificationEvent.SUPPRESSED:
            text = f"{icon} *[{message.severity_label}] {title}: new alerts held back*"
        elif message.is_alert:
            text = f"{icon} *[{message.severity_label}] {title}*"
            if message.kind == NotificationEvent.REMINDER:
                text += " is still firing (reminder)"
        else:
            text = f"{icon} *{title}*"

        if message.is_alert:
            fields = [
                _field("Rule", slack_escape(message.title)),
                _field("Severity", message.severity_label),
                _field("Metric", slack_escape(message.metric_name)),
                _field("Value", slack_escape(message.value_line)),
                _field("Window", slack_escape(message.window_text)),
                _field("Time", message.time_text),
            ]
            if message.kind != NotificationEvent.TRIGGER and message.triggered_at:
                fields.append(_field("Firing since", format_time(message.triggered_at)))
            if message.kind == NotificationEvent.RESOLVE:
                fields.append(_field("Resolved by", slack_escape(message.resolved_by or "the system (auto-resolve)")))
            if message.labels_text:
                fields.append(_field("Labels", slack_escape(message.labels_text), short=False))
            if message.runbook_url:
                fields.append(_field("Runbook", slack_link(message.runbook_url, message.runbook_url), short=False))
            fields.append(_field("Alert", f"<{message.link}|Open alert #{message.alert_id}>", short=False))
            body = slack_escape(message.headline)
            if message.summary_line:
                body += "\n" + slack_escape(message.summary_line)
            if message.text:
                body += "\n" + slack_escape(message.text)
        elif message.kind == NotificationEvent.SUPPRESSED:
            fields = [
                _field("Rule", title),
                _field("Metric", slack_escape(message.metric_name)),
                _field("Time", message.time_text),
                _field("Alert", f"<{message.link}|Open the last alert #{message.alert_id}>", short=False),
            ]
            body = slack_escape(message.text)
        else:
            fields = [_field("Time", message.time_text)]
            if message.requested_by:
                fields.append(_field("Requested by", slack_escape(message.requested_by)))
            body = slack_escape(message.text)

        return {
            "channel": target,
            "username": settings.SLACK_BOT_NAME,
            "text": text,
            "attachments": [
                {
                    "color": message.colour,
                    "fallback": message.subject,
                    "title": title,
                    "title_link": message.link,
                    "text": body,
                    "fields": fields,
                    "footer": "Resee Alerts",
                    "ts": int(message.time.timestamp()),
                }
            ],
        }

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        payload = self.build_payload(message, target=target)
        timeout = settings.NOTIFICATION_TIMEOUT_SECONDS
        # Errors name what went wrong, never the webhook URL: requests puts it in its exception
        # messages, so those are not quoted.
        try:
            response = requests.post(
                settings.SLACK_WEBHOOK_URL, json=payload, timeout=timeout, allow_redirects=False
            )
        except requests.Timeout:
            return SendResult.failed(f"Slack did not answer within {timeout} s.", transient=True)
        except requests.ConnectionError:
            return SendResult.failed("Could not connect to the Slack webhook host.", transient=True)
        except requests.RequestException as exc:
            return SendResult.failed(f"The request to Slack failed ({type(exc).__name__}).", transient=True)

        code = response.status_code
        if 200 <= code < 300:
            return SendResult.sent(response_code=code)
        body = " ".join(response.text[:MAX_ERROR_BODY].split())
        error = f"Slack answered HTTP {code}" + (f": {body}" if body else ".")
        if code == 429:
            return SendResult.failed(
                error, response_code=code, transient=True,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        return SendResult.failed(error, response_code=code, transient=code >= 500)
