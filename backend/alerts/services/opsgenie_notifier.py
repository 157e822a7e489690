"""Opsgenie, through its Alert API: one channel per Opsgenie API integration (its API key is the
channel's secret, sent as `Authorization: GenieKey <key>`).

- A trigger creates an alert (POST {api_url}/v2/alerts) whose alias is the alert's,
  "resee-alert-<alert id>"; a reminder creates it again with the same alias, which Opsgenie counts
  on the alert it already has; a resolve closes it (POST {api_url}/v2/alerts/<alias>/close
  ?identifierType=alias).
- Priority: critical -> P1, high -> P2, medium -> P3, low -> P4; a test message, the daily summary
  and a notice that a rule's alerts are held back are P5 alerts with aliases of their own.
- EU accounts use https://api.eu.opsgenie.com.

Opsgenie answers 202 when it queued the request; 429 and 5xx are worth retrying, any other 4xx
will fail again the same way.
"""

from typing import Any
from urllib.parse import quote

from ..models import NotificationEvent
from .http_notifier import HttpNotifier
from .messages import NotificationMessage
from .notifier_base import SendResult, Setting

API_URL = "https://api.opsgenie.com"
PRIORITIES = {"critical": "P1", "high": "P2", "medium": "P3", "low": "P4"}
# The Alert API's limits, in characters (and 20 tags).
MAX_MESSAGE, MAX_ALIAS, MAX_DESCRIPTION, MAX_TAG, MAX_TAGS, MAX_ENTITY = 130, 512, 15000, 50, 20, 512
MAX_DETAILS = 8000


def alias(message: NotificationMessage) -> str:
    if message.kind == NotificationEvent.GROUP:  # one Opsgenie alert per notification group
        return f"resee-group-{(message.group or {}).get('group_id')}"
    if message.is_alert and message.alert_id is not None:
        return f"resee-alert-{message.alert_id}"
    if message.kind == NotificationEvent.SUPPRESSED and message.rule_id is not None:
        return f"resee-suppressed-{message.rule_id}-{int(message.time.timestamp())}"
    return f"resee-{message.kind}-{int(message.time.timestamp())}"


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class OpsgenieNotifier(HttpNotifier):
    name = "opsgenie"
    label = "Opsgenie"
    description = "Opsgenie Alert API: creates, re-notifies and closes one Opsgenie alert per alert."
    settings_schema = (
        Setting("api_key", "API key", required=True, secret=True, max_length=200,
                help="The API key of an Opsgenie API integration. Stored encrypted; never shown again."),
        Setting("api_url", "API URL", type="url", default=API_URL, max_length=500,
                help=f"{API_URL}, or https://api.eu.opsgenie.com for an EU account."),
    )

    def api_url(self) -> str:
        return str(self.setting("api_url") or API_URL).rstrip("/")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"GenieKey {self.secrets.get('api_key') or ''}"}

    def details(self, message: NotificationMessage) -> dict[str, str]:
        details: dict[str, str] = {}
        if message.is_alert:
            details.update({"rule": message.title, "severity": message.severity, "metric": message.metric_name,
                            "value": message.value_line, "window": message.window_text,
                            "alert": message.link, "runbook": message.runbook_url})
            details.update({f"label.{name}": value for name, value in message.group_labels + message.rule_labels})
        elif message.kind == NotificationEvent.SUPPRESSED:
            details.update({"rule": message.title, "alert": message.link})
        elif message.kind == NotificationEvent.TEST:
            details["requested_by"] = message.requested_by
        kept: dict[str, str] = {}
        size = 0
        for name, value in details.items():
            if not value:
                continue
            size += len(name) + len(value)
            if size > MAX_DETAILS:
                break
            kept[name] = value
        return kept

    def tags(self, message: NotificationMessage) -> list[str]:
        tags = ["resee-alerts"]
        if message.severity:
            tags.append(message.severity)
        if not message.is_alert:
            tags.append(message.kind)
        tags += [f"{name}:{value}" for name, value in message.group_labels + message.rule_labels]
        return [_cut(tag, MAX_TAG) for tag in tags][:MAX_TAGS]

    def create_body(self, message: NotificationMessage) -> dict[str, Any]:
        description = message.plain_text
        if message.link:
            description += f"\n\n{message.link}"
        body = {
            "message": _cut(" ".join(message.subject.split()), MAX_MESSAGE),
            "alias": _cut(alias(message), MAX_ALIAS),
            "description": _cut(description.strip(), MAX_DESCRIPTION),
            "priority": (PRIORITIES.get(message.severity, "P3")
                         if message.is_alert or message.kind == NotificationEvent.GROUP else "P5"),
            "tags": self.tags(message),
            "details": self.details(message),
            "entity": _cut(message.group_title, MAX_ENTITY),
            "source": "Resee Alerts",
        }
        return {name: value for name, value in body.items() if value}

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        closes_group = message.kind == NotificationEvent.GROUP and not (message.group or {}).get("firing_count")
        if message.kind == NotificationEvent.RESOLVE or closes_group:
            url = f"{self.api_url()}/v2/alerts/{quote(alias(message), safe='')}/close?identifierType=alias"
            by = message.resolved_by or "Resee Alerts (auto-resolve)"
            body = {"source": "Resee Alerts", "user": _cut(by, 100),
                    "note": _cut(message.plain_text, 25000)}
            return self.post(url, json=body, headers=self.headers())
        if message.kind == NotificationEvent.ACKNOWLEDGE:
            url = f"{self.api_url()}/v2/alerts/{quote(alias(message), safe='')}/acknowledge?identifierType=alias"
            body = {"source": "Resee Alerts", "user": _cut(message.acknowledged_by or "Resee Alerts", 100),
                    "note": _cut(message.plain_text, 25000)}
            return self.post(url, json=body, headers=self.headers())
        return self.post(f"{self.api_url()}/v2/alerts", json=self.create_body(message), headers=self.headers())
