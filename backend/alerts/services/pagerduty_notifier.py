"""PagerDuty, through the Events API v2: one channel per PagerDuty service (its integration key,
the routing key, is the channel's secret).

- A trigger is an alert event with `event_action` "trigger"; a reminder triggers again with the
  same `dedup_key`, which PagerDuty folds into the alert it already has; a resolve is
  `event_action` "resolve" with that key. The key is the alert's: "resee-alert-<alert id>".
- Severity: critical -> critical, high -> error, medium -> warning, low -> info.
- A test message is a trigger of its own ("resee-test-<unix time>", severity info), so the test
  shows what an incident on the service looks like.
- The daily summary and the notice that a rule's alerts are held back are change events
  (/v2/change/enqueue beside the events URL): PagerDuty shows them on the service's timeline and
  pages nobody.

PagerDuty answers 202 when it took the event; 400 is an event it will never take (permanent);
429 and 5xx are worth retrying.
"""

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from ..models import NotificationEvent
from .http_notifier import HttpNotifier
from .messages import NotificationMessage, group_alerts, group_entry_line
from .notifier_base import SendResult, Setting

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
MAX_SUMMARY = 1024
SEVERITIES = {"critical": "critical", "high": "error", "medium": "warning", "low": "info"}


def dedup_key(message: NotificationMessage) -> str:
    """The key every event of one alert shares; a test message has one of its own."""
    if message.is_alert and message.alert_id is not None:
        return f"resee-alert-{message.alert_id}"
    return f"resee-{message.kind}-{int(message.time.timestamp())}"


def change_url(events_url: str) -> str:
    """The change events endpoint beside the alert events endpoint: .../v2/enqueue -> .../v2/change/enqueue."""
    parts = urlsplit(events_url)
    path = parts.path.rstrip("/")
    path = path[: -len("/enqueue")] + "/change/enqueue" if path.endswith("/enqueue") else path + "/change/enqueue"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _text(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


class PagerDutyNotifier(HttpNotifier):
    name = "pagerduty"
    label = "PagerDuty"
    description = "PagerDuty Events API v2: triggers, reminders and resolves of one incident per alert."
    settings_schema = (
        Setting("routing_key", "Integration key", required=True, secret=True, max_length=100,
                help="The Events API v2 integration key of the PagerDuty service (its routing key). "
                     "Stored encrypted; never shown again."),
        Setting("events_url", "Events API URL", type="url", default=EVENTS_URL, max_length=500,
                help=f"{EVENTS_URL}, or https://events.eu.pagerduty.com/v2/enqueue for an EU account."),
        Setting("source", "Source", max_length=255,
                help="What the events say is affected; blank: the alert's instance or host label, else this "
                     "site's host name."),
    )

    def events_url(self) -> str:
        return str(self.setting("events_url") or EVENTS_URL)

    def source(self, labels: dict[str, str]) -> str:
        configured = str(self.setting("source") or "")
        if configured:
            return configured
        for name in ("instance", "host", "service"):
            if labels.get(name):
                return labels[name]
        return urlsplit(settings.SITE_URL).hostname or "resee-alerts"

    def links(self, message: NotificationMessage) -> list[dict[str, str]]:
        links = []
        if message.link:
            text = f"Open alert #{message.alert_id}" if message.alert_id is not None else "Open Resee Alerts"
            links.append({"href": message.link, "text": text})
        if message.runbook_url:
            links.append({"href": message.runbook_url, "text": "Runbook"})
        return links

    def custom_details(self, message: NotificationMessage) -> dict[str, Any]:
        details: dict[str, Any] = {"description": message.plain_text}
        if message.is_alert:
            details.update({
                "rule": message.title,
                "severity": message.severity,
                "metric": message.metric_name,
                "value": message.value_line,
                "window": message.window_text,
                "labels": dict(message.group_labels + message.rule_labels),
                "triggered_at": message.triggered_at.isoformat() if message.triggered_at else None,
            })
            if message.runbook_url:
                details["runbook_url"] = message.runbook_url
        elif message.kind == NotificationEvent.TEST and message.requested_by:
            details["requested_by"] = message.requested_by
        elif message.kind == NotificationEvent.SUMMARY and message.summary:
            details["summary"] = message.summary
        return {name: value for name, value in details.items() if value not in (None, "", {})}

    def build_event(self, message: NotificationMessage) -> tuple[str, dict]:
        """(URL, body) of the event that tells PagerDuty about `message`."""
        if message.kind == NotificationEvent.GROUP:
            return self.build_group_event(message)
        routing_key = str(self.secrets.get("routing_key") or "")
        labels = dict(message.group_labels + message.rule_labels)
        if message.kind in (NotificationEvent.RESOLVE, NotificationEvent.ACKNOWLEDGE):
            action = "resolve" if message.kind == NotificationEvent.RESOLVE else "acknowledge"
            return self.events_url(), {
                "routing_key": routing_key, "event_action": action, "dedup_key": dedup_key(message),
            }
        if message.kind in (NotificationEvent.SUMMARY, NotificationEvent.SUPPRESSED, NotificationEvent.FLAPPING):
            return change_url(self.events_url()), {
                "routing_key": routing_key,
                "payload": {
                    "summary": _text(message.subject, MAX_SUMMARY),
                    "timestamp": message.time.isoformat(),
                    "source": self.source(labels),
                    "custom_details": self.custom_details(message),
                },
                "links": self.links(message),
            }
        is_test = message.kind == NotificationEvent.TEST
        payload: dict[str, Any] = {
            "summary": _text(message.subject, MAX_SUMMARY),
            "source": self.source(labels),
            "severity": "info" if is_test else SEVERITIES.get(message.severity, "warning"),
            "timestamp": message.time.isoformat(),
            "custom_details": self.custom_details(message),
        }
        if not is_test:
            payload.update({
                "component": message.metric_name,
                "group": message.title,
                "class": "no data" if message.value is None else "threshold",
            })
        return self.events_url(), {
            "routing_key": routing_key,
            "event_action": "trigger",
            "dedup_key": dedup_key(message),
            "payload": {name: value for name, value in payload.items() if value != ""},
            "client": "Resee Alerts",
            "client_url": settings.SITE_URL,
            "links": self.links(message),
        }

    def build_group_event(self, message: NotificationMessage) -> tuple[str, dict]:
        """A notification group is one PagerDuty incident, as Alertmanager sends it: one dedup_key
        per group, triggered (again) while any of its alerts fires, with the firing and resolved
        alerts in the details, and resolved once none fires."""
        routing_key = str(self.secrets.get("routing_key") or "")
        group = message.group or {}
        key = f"resee-group-{group.get('group_id')}"
        if not group.get("firing_count"):
            return self.events_url(), {"routing_key": routing_key, "event_action": "resolve", "dedup_key": key}
        details: dict[str, Any] = {
            "firing": [f"{group_entry_line(entry)} {entry.get('link', '')}"
                       for entry in group_alerts(message, "firing")],
            "resolved": [group_entry_line(entry) for entry in group_alerts(message, "resolved")],
            "num_firing": group.get("firing_count", 0), "num_resolved": group.get("resolved_count", 0),
            "policy": group.get("policy", ""),
        }
        if group.get("truncated"):
            details["truncated"] = group["truncated"]
        payload = {
            "summary": _text(message.subject, MAX_SUMMARY),
            "source": self.source(dict(message.group_labels)),
            "severity": SEVERITIES.get(message.severity, "warning"),
            "timestamp": message.time.isoformat(),
            "group": group.get("policy", ""),
            "class": "group",
            "custom_details": {name: value for name, value in details.items() if value not in ([], "")},
        }
        return self.events_url(), {
            "routing_key": routing_key, "event_action": "trigger", "dedup_key": key,
            "payload": {name: value for name, value in payload.items() if value != ""},
            "client": "Resee Alerts", "client_url": settings.SITE_URL,
            "links": [{"href": message.link, "text": "Open Resee Alerts"}],
        }

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        url, body = self.build_event(message)
        return self.post(url, json=body)
