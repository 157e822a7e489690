"""Slack, through an incoming webhook: the default channel's webhook is settings.SLACK_WEBHOOK_URL
(the product document's variable); every other Slack channel (another workspace) has its own.

`SlackCompatibleNotifier` is the base of the kinds that take Slack's incoming-webhook payload
(Mattermost, Rocket.Chat)."""

from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from ..models import NotificationEvent
from ..validators import validate_slack_channel
from .http_notifier import HttpNotifier
from .messages import NotificationMessage, format_time, group_text
from .notifier_base import SendResult, Setting

_ICONS: dict[str, str] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.TRIGGER: ":rotating_light:",
    NotificationEvent.REMINDER: ":repeat:",
    NotificationEvent.RESOLVE: ":white_check_mark:",
    NotificationEvent.TEST: ":wave:",
    NotificationEvent.SUPPRESSED: ":mute:",
    NotificationEvent.ACKNOWLEDGE: ":eyes:",
    NotificationEvent.ESCALATION: ":sos:",
    NotificationEvent.FLAPPING: ":ocean:",
}


def slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions: a rule named "<!channel>" must not ping everyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, text: str) -> str:
    """`<url|text>`: a "|" would end the URL early, so it is percent-encoded; & < > are escaped."""
    return f"<{slack_escape(url.replace('|', '%7C'))}|{slack_escape(text)}>"


def _field(title: str, value: str, short: bool = True) -> dict:
    return {"title": title, "value": value, "short": short}


def action_links_text(actions) -> str:
    """An open alert's one-click links as Slack links: `<url|Acknowledge> · <url|Silence 1 h> · ...`."""
    return " · ".join(slack_link(url, label) for label, url in actions)


def action_blocks(text: str, actions) -> list[dict]:
    """Blocks for a message with one-click links: its first line, then a button per link (URL
    buttons: Slack opens the link, each to a page that asks to confirm; no interactivity needed)."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": "resee-actions", "elements": [
            {"type": "button", "action_id": f"resee-action-{index}", "text": {"type": "plain_text", "text": label},
             "url": url}
            for index, (label, url) in enumerate(actions)
        ]},
    ]


class SlackCompatibleNotifier(HttpNotifier):
    """An incoming webhook that takes Slack's payload (text, attachments, channel, username)."""

    # The webhook's documentation, for the settings' help.
    webhook_help: ClassVar[str] = ""
    settings_schema = (
        Setting("webhook_url", "Webhook URL", type="url", required=True, secret=True, max_length=1000,
                help="The incoming webhook's URL. Stored encrypted; never shown again."),
        Setting("channel", "Channel", help="#channel or @user; blank: the webhook's own channel.",
                max_length=80, placeholder="#alerts"),
        Setting("username", "Bot name", help="The name the messages are posted under; blank: the webhook's own.",
                max_length=80),
    )
    target_setting = "channel"
    endpoint_noun: ClassVar[str] = "webhook host"
    # Slack itself shows an alert's one-click links as buttons (blocks); the kinds that only take
    # its attachments (Mattermost, Rocket.Chat) as an Actions field of links.
    action_buttons: ClassVar[bool] = False

    @classmethod
    def check_settings(cls, settings_, secrets) -> dict[str, str]:
        try:
            if settings_.get("channel"):
                validate_slack_channel(settings_["channel"])
        except ValidationError as error:
            return {"channel": " ".join(error.messages)}
        return {}

    def webhook_url(self) -> str:
        return str(self.secrets.get("webhook_url") or "")

    def username(self) -> str:
        return str(self.setting("username") or "")

    def validate_target(self, target: str) -> str:
        if target:
            validate_slack_channel(target)
        return target

    def post(self, url, **kwargs) -> SendResult:
        result = super().post(url, **kwargs)
        if not result.ok and result.error == f"Could not connect to the {self.label} host.":
            return SendResult.failed(f"Could not connect to the {self.label} {self.endpoint_noun}.",
                                     transient=True)
        return result

    def build_payload(self, message: NotificationMessage, *, target: str) -> dict:
        if message.kind == NotificationEvent.GROUP:
            return self.build_group_payload(message, target=target)
        title = slack_escape(message.group_title)
        icon = _ICONS.get(message.kind, "")
        if message.kind == NotificationEvent.RESOLVE:
            what = "Fired and resolved" if message.fired_and_resolved else "Resolved"
            text = f"{icon} *{what}: {title}*"
        elif message.kind == NotificationEvent.SUPPRESSED:
            text = f"{icon} *[{message.severity_label}] {title}: new alerts held back*"
        elif message.kind == NotificationEvent.FLAPPING:
            text = f"{icon} *[FLAPPING] {title}*"
        elif message.is_alert:
            text = f"{icon} *[{message.severity_label}] {title}*"
            if message.kind == NotificationEvent.REMINDER:
                text += " is still firing (reminder)"
            elif message.kind == NotificationEvent.ACKNOWLEDGE:
                text += f" acknowledged by {slack_escape(message.acknowledged_by or 'someone')}"
            elif message.kind == NotificationEvent.ESCALATION:
                text += f" escalated: not acknowledged for {message.escalated_after_minutes or 0} min"
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
            if message.actions and not self.action_buttons:
                fields.append(_field("Actions", action_links_text(message.actions), short=False))
            body = slack_escape(message.headline)
            if message.summary_line:
                body += "\n" + slack_escape(message.summary_line)
            if message.text:
                body += "\n" + slack_escape(message.text)
        elif message.kind in (NotificationEvent.SUPPRESSED, NotificationEvent.FLAPPING):
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

        payload: dict = {"channel": target} if target else {}
        if self.username():
            payload["username"] = self.username()
        return {
            **payload,
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

    def build_group_payload(self, message: NotificationMessage, *, target: str) -> dict:
        """A notification group's message: its status and title, then one line per alert (firing,
        then resolved) with its link."""
        subject = slack_escape(message.subject)
        payload: dict = {"channel": target} if target else {}
        if self.username():
            payload["username"] = self.username()
        icon = ":rotating_light:" if (message.group or {}).get("firing_count") else ":white_check_mark:"
        return {
            **payload,
            "text": f"{icon} *{subject}*",
            "attachments": [{
                "color": message.colour, "fallback": message.subject, "title": subject, "title_link": message.link,
                "text": group_text(message, escape=slack_escape, link=slack_link),
                "footer": f"Resee Alerts · {slack_escape((message.group or {}).get('policy', ''))}",
                "ts": int(message.time.timestamp()),
            }],
        }

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        return self.post(self.webhook_url(), json=self.build_payload(message, target=target))


class SlackNotifier(SlackCompatibleNotifier):
    name = "slack"
    label = "Slack"
    description = "Slack incoming webhooks: one channel per workspace (or per webhook)."
    has_environment_default = True
    action_buttons = True

    def build_payload(self, message: NotificationMessage, *, target: str) -> dict:
        payload = super().build_payload(message, target=target)
        if message.actions and message.kind != NotificationEvent.GROUP:
            payload["blocks"] = action_blocks(payload["text"], message.actions)
        return payload

    def webhook_url(self) -> str:
        if self.from_environment:
            return settings.SLACK_WEBHOOK_URL
        return super().webhook_url()

    def username(self) -> str:
        if self.from_environment:
            return settings.SLACK_BOT_NAME
        return super().username()

    def default_targets(self) -> list[str]:
        if self.from_environment:
            return [settings.SLACK_DEFAULT_CHANNEL]
        return super().default_targets()

    def configuration_problem(self) -> str:
        if not self.from_environment:
            return super().configuration_problem()
        url = settings.SLACK_WEBHOOK_URL
        if not url:
            return "Slack is not configured: SLACK_WEBHOOK_URL is not set."
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "Slack is not configured: SLACK_WEBHOOK_URL is not an http(s) URL."
        return ""

    def validate_target(self, target: str) -> str:
        if not target and self.from_environment:
            raise ValidationError("Enter a Slack channel.", code="required")
        return super().validate_target(target)

    def targets_for_rule(self, rule) -> list[str]:
        # The default channel is read now, when the notification is queued, not when the rule was saved.
        return [rule.effective_slack_channel] if rule.slack_enabled else []
