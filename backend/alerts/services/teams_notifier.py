"""Microsoft Teams, through a Workflows (Power Automate) webhook: the channel's secret is the
workflow's URL ("Post to a channel when a webhook request is received"), and every message is an
Adaptive Card (version 1.4) in a message attachment, which that workflow posts as it is.

The card: a title coloured by severity (green when resolved), what happened, a fact set (rule,
severity, metric, value, window, time, labels, runbook) and a button to the alert.
Workflows answers 202 (some flows 200) when it took the request.
"""

from typing import Any

from ..models import NotificationEvent
from .http_notifier import HttpNotifier
from .messages import NotificationMessage, format_time
from .notifier_base import SendResult, Setting

CARD_VERSION = "1.4"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
# Adaptive Card text colours by severity.
_COLOURS = {"critical": "Attention", "high": "Attention", "medium": "Warning", "low": "Accent"}


def _fact(title: str, value: str) -> dict[str, str]:
    return {"title": title, "value": value}


class TeamsNotifier(HttpNotifier):
    name = "teams"
    label = "Microsoft Teams"
    description = "Microsoft Teams, through a Workflows webhook that posts Adaptive Cards to a channel or chat."
    settings_schema = (
        Setting("webhook_url", "Workflow URL", type="url", required=True, secret=True, max_length=2000,
                help='The HTTP URL of a Teams workflow ("Post to a channel when a webhook request is received"). '
                     "Stored encrypted; never shown again."),
    )

    def colour(self, message: NotificationMessage) -> str:
        if message.kind == NotificationEvent.RESOLVE:
            return "Good"
        if message.is_alert or message.kind == NotificationEvent.SUPPRESSED:
            return _COLOURS.get(message.severity, "Default")
        return "Accent"

    def facts(self, message: NotificationMessage) -> list[dict[str, str]]:
        if message.is_alert:
            facts = [
                _fact("Rule", message.title),
                _fact("Severity", message.severity_label),
                _fact("Metric", message.metric_name),
                _fact("Value", message.value_line),
                _fact("Window", message.window_text),
                _fact("Time", message.time_text),
            ]
            if message.kind != NotificationEvent.TRIGGER and message.triggered_at:
                facts.append(_fact("Firing since", format_time(message.triggered_at)))
            if message.kind == NotificationEvent.RESOLVE:
                facts.append(_fact("Resolved by", message.resolved_by or "the system (auto-resolve)"))
            facts.append(_fact("Labels", message.labels_text))
            facts.append(_fact("Runbook", message.runbook_url))
        elif message.kind == NotificationEvent.SUPPRESSED:
            facts = [_fact("Rule", message.title), _fact("Metric", message.metric_name),
                     _fact("Time", message.time_text)]
        else:
            facts = [_fact("Time", message.time_text), _fact("Requested by", message.requested_by)]
        return [fact for fact in facts if fact["value"]]

    def actions(self, message: NotificationMessage) -> list[dict[str, str]]:
        actions = []
        if message.link:
            title = f"Open alert #{message.alert_id}" if message.alert_id is not None else "Open Resee Alerts"
            actions.append({"type": "Action.OpenUrl", "title": title, "url": message.link})
        if message.runbook_url:
            actions.append({"type": "Action.OpenUrl", "title": "Runbook", "url": message.runbook_url})
        # One-click links, each to a page that asks to confirm.
        actions += [{"type": "Action.OpenUrl", "title": label, "url": url} for label, url in message.actions]
        return actions

    def build_card(self, message: NotificationMessage) -> dict[str, Any]:
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": message.subject, "size": "Large", "weight": "Bolder",
             "color": self.colour(message), "wrap": True},
        ]
        if message.plain_text:
            body.append({"type": "TextBlock", "text": message.plain_text, "wrap": True})
        facts = self.facts(message)
        if facts:
            body.append({"type": "FactSet", "facts": facts})
        card: dict[str, Any] = {
            "$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION,
            "msteams": {"width": "Full"}, "body": body,
        }
        actions = self.actions(message)
        if actions:
            card["actions"] = actions
        return card

    def build_payload(self, message: NotificationMessage) -> dict[str, Any]:
        return {
            "type": "message",
            "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": self.build_card(message)}],
        }

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        return self.post(str(self.secrets.get("webhook_url") or ""), json=self.build_payload(message))
