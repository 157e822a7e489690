"""A generic webhook: every message is POSTed as JSON in the shape of Alertmanager's webhook
payload (version 4), so any receiver written for Alertmanager takes it as it is.

The body::

    {"version": "4", "groupKey": ..., "truncatedAlerts": 0, "status": "firing" | "resolved",
     "receiver": <the channel's name>, "groupLabels": {...}, "commonLabels": {...},
     "commonAnnotations": {...}, "externalURL": <SITE_URL>, "notification_reason": ...,
     "alerts": [{"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL",
                 "fingerprint"}]}

One message is one alert: its labels are `alertname` (the rule's name), `severity` and the alert's
own labels (its group's, then the rule's); its annotations `summary`, `description`,
`runbook_url` (when the rule has one), `value` and `threshold`. `endsAt` is
"0001-01-01T00:00:00Z" while the alert fires, as Alertmanager sends it, and the time it resolved
after. `fingerprint` is the Prometheus fingerprint of the labels (16 hex digits), so it is the same
for every message of one alert group. `groupKey` names the rule and the group:
`{}/{rule_id="7"}:{alertname="High CPU Usage", route="/api/orders/"}`.
`notification_reason` says which message it is: "first notification" (a trigger), "repeat
interval elapsed" (a reminder), "all alerts resolved" (a resolve).

The other messages have an alert of their own, always "firing": a test message is
`alertname="ReseeAlertsTest"`, the daily summary `alertname="ReseeAlertsSummary"`, and the notice
that a rule's new alerts are held back `alertname="ReseeAlertsSuppressed"` with `rule` and
`severity` labels.

Signing: with a signing secret, every request carries

    X-Resee-Timestamp: <unix seconds when it was sent>
    X-Resee-Signature: sha256=<hex HMAC-SHA256, keyed with the secret, of "<timestamp>.<body>">

where <body> is the request body exactly as received (bytes). A receiver recomputes the HMAC,
compares it in constant time, and refuses a timestamp too far from its own clock (replays).
"""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from ..models import NotificationEvent
from .http_notifier import HttpNotifier
from .messages import NotificationMessage, group_alerts, group_entry_line
from .notifier_base import SendResult, Setting

# What Go's zero time.Time marshals to: Alertmanager's endsAt of an alert with no end yet.
ZERO_TIME = "0001-01-01T00:00:00Z"
SIGNATURE_HEADER = "X-Resee-Signature"
TIMESTAMP_HEADER = "X-Resee-Timestamp"
MIN_SIGNING_SECRET_LENGTH = 16

_REASONS: dict[str, str] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.TRIGGER: "first notification",
    NotificationEvent.REMINDER: "repeat interval elapsed",
    NotificationEvent.RESOLVE: "all alerts resolved",
    NotificationEvent.ACKNOWLEDGE: "acknowledged",
    NotificationEvent.ESCALATION: "escalated",
}
_OWN_ALERT_NAMES: dict[str, str] = {
    NotificationEvent.TEST: "ReseeAlertsTest",
    NotificationEvent.SUMMARY: "ReseeAlertsSummary",
    NotificationEvent.SUPPRESSED: "ReseeAlertsSuppressed",
    NotificationEvent.FLAPPING: "ReseeAlertsFlapping",
}

# FNV-1a, 64 bits, over each label name and value followed by a 0xff byte, names sorted: the
# fingerprint Prometheus and Alertmanager give a label set.
_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_SEPARATOR = 0xFF


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """The Prometheus fingerprint of a label set, as Alertmanager writes it (%016x)."""
    digest = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode():
                digest = ((digest ^ byte) * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
            digest = ((digest ^ _SEPARATOR) * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


def label_set_text(labels: Mapping[str, str]) -> str:
    """A label set as Prometheus prints one: `{a="x", b="y"}`, names sorted."""
    return "{" + ", ".join(f"{name}={json.dumps(labels[name], ensure_ascii=False)}" for name in sorted(labels)) + "}"


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _common(mappings: list[dict]) -> dict:
    """What every one of `mappings` has, with the same value."""
    if not mappings:
        return {}
    common = dict(mappings[0])
    for mapping in mappings[1:]:
        common = {name: value for name, value in common.items() if mapping.get(name) == value}
    return common


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Resee-Signature value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class WebhookNotifier(HttpNotifier):
    name = "webhook"
    label = "Webhook"
    description = "POSTs each notification as JSON in Alertmanager's webhook format (version 4), optionally signed."
    settings_schema = (
        Setting("url", "URL", type="url", required=True, secret=True, max_length=1000,
                help="Where the JSON is POSTed. Stored encrypted; never shown again."),
        Setting("headers", "Custom headers", type="headers",
                help="Sent with every request. Shown to everyone who can see the channel: put a token in "
                     "the Authorization secret instead."),
        Setting("authorization", "Authorization header", secret=True, max_length=1000,
                help='The Authorization header\'s value, e.g. "Bearer <token>". Stored encrypted.'),
        Setting("signing_secret", "Signing secret", secret=True, max_length=200,
                help=f"With it, each request is signed: {TIMESTAMP_HEADER} (unix seconds) and "
                     f'{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">. '
                     f"At least {MIN_SIGNING_SECRET_LENGTH} characters. Stored encrypted."),
    )

    @classmethod
    def check_settings(cls, settings_: Mapping[str, Any], secrets: Mapping[str, Any]) -> dict[str, str]:
        problems = {}
        headers = settings_.get("headers") or {}
        for header in headers:
            lower = header.lower()
            if lower == "authorization":
                problems["headers"] = "Put the Authorization header in the Authorization secret (stored encrypted)."
            elif lower in (SIGNATURE_HEADER.lower(), TIMESTAMP_HEADER.lower()):
                problems["headers"] = f"{header} is set by Resee Alerts when the channel has a signing secret."
        secret = secrets.get("signing_secret") or ""
        if secret and len(secret) < MIN_SIGNING_SECRET_LENGTH:
            problems["signing_secret"] = f"At least {MIN_SIGNING_SECRET_LENGTH} characters."
        return problems

    def receiver(self) -> str:
        return self.channel.name if self.channel is not None else self.name

    def build_payload(self, message: NotificationMessage) -> dict:
        if message.kind == NotificationEvent.GROUP:
            return self.build_group_payload(message)
        group = dict(message.group_labels)
        own_name = _OWN_ALERT_NAMES.get(message.kind)
        if own_name is None:  # an alert
            alert_name = message.title
            labels = {**dict(message.rule_labels), **group, "alertname": alert_name}
            if message.severity:
                labels["severity"] = message.severity
            group_labels = {**group, "alertname": alert_name}
            annotations = {"summary": message.alert_summary or message.headline, "description": message.plain_text}
            if message.runbook_url:
                annotations["runbook_url"] = message.runbook_url
            annotations["value"] = message.value_text
            annotations["threshold"] = message.threshold_text
            if message.kind == NotificationEvent.ACKNOWLEDGE:
                annotations["acknowledged_by"] = message.acknowledged_by or "someone"
            if message.kind == NotificationEvent.ESCALATION:
                annotations["escalated"] = message.escalation_text
        else:
            labels = {"alertname": own_name}
            if message.kind in (NotificationEvent.SUPPRESSED, NotificationEvent.FLAPPING):
                labels.update({"rule": message.title, "severity": message.severity, **dict(message.group_labels)})
            labels = {name: value for name, value in labels.items() if value}
            group_labels = {"alertname": own_name}
            annotations = {"summary": message.subject, "description": message.plain_text}
        annotations = {name: value for name, value in annotations.items() if value}

        resolved = message.kind == NotificationEvent.RESOLVE
        status = "resolved" if resolved else "firing"
        starts_at = message.triggered_at if message.is_alert and message.triggered_at else message.time
        route = f'{{rule_id="{message.rule_id}"}}' if message.rule_id is not None else ""
        return {
            "version": "4",
            "groupKey": f"{{}}{'/' + route if route else ''}:{label_set_text(group_labels)}",
            "truncatedAlerts": 0,
            "status": status,
            "receiver": self.receiver(),
            "groupLabels": group_labels,
            "commonLabels": labels,
            "commonAnnotations": annotations,
            "externalURL": settings.SITE_URL,
            "notification_reason": _REASONS.get(message.kind, "unknown"),
            "alerts": [
                {
                    "status": status,
                    "labels": labels,
                    "annotations": annotations,
                    "startsAt": rfc3339(starts_at),
                    "endsAt": rfc3339(message.time) if resolved else ZERO_TIME,
                    "generatorURL": message.link,
                    "fingerprint": label_fingerprint(labels),
                }
            ],
        }

    def build_group_payload(self, message: NotificationMessage) -> dict:
        """A notification group's message in Alertmanager's own group form: every alert with its
        status, the group's labels, the labels and annotations all its alerts share, the policy
        and the group's labels as the groupKey, and how many alerts were left out."""
        group = message.group or {}
        alerts = []
        for entry in group_alerts(message):
            labels = {**dict(entry.get("labels") or []), "alertname": entry.get("rule", ""),
                      "severity": entry.get("severity", "")}
            labels = {name: str(value) for name, value in labels.items() if value}
            annotations = {
                "summary": entry.get("summary") or group_entry_line(entry), "description": group_entry_line(entry),
                "runbook_url": entry.get("runbook_url", ""), "value": entry.get("value_text", ""),
                "threshold": entry.get("threshold_text", ""), "acknowledged_by": entry.get("acknowledged_by", ""),
            }
            resolved = entry.get("status") == "resolved"
            alerts.append({
                "status": "resolved" if resolved else "firing",
                "labels": labels,
                "annotations": {name: value for name, value in annotations.items() if value},
                "startsAt": rfc3339(datetime.fromisoformat(entry["starts_at"])),
                "endsAt": rfc3339(datetime.fromisoformat(entry["ends_at"])) if resolved and entry.get("ends_at")
                else ZERO_TIME,
                "generatorURL": entry.get("link", ""),
                "fingerprint": label_fingerprint(labels),
            })
        group_labels = {str(name): str(value) for name, value in group.get("labels") or []}
        return {
            "version": "4",
            "groupKey": f'{{}}/{{policy_id="{group.get("policy_id")}"}}:{label_set_text(group_labels)}',
            "truncatedAlerts": int(group.get("truncated") or 0),
            "status": "firing" if group.get("firing_count") else "resolved",
            "receiver": self.receiver(),
            "groupLabels": group_labels,
            "commonLabels": _common([alert["labels"] for alert in alerts]),
            "commonAnnotations": _common([alert["annotations"] for alert in alerts]),
            "externalURL": settings.SITE_URL,
            "notification_reason": group.get("reason") or "group",
            "alerts": alerts,
        }

    def request_headers(self, body: bytes, *, now: float | None = None) -> dict[str, str]:
        headers = {**(self.setting("headers") or {}), "Content-Type": "application/json"}
        if self.secrets.get("authorization"):
            headers["Authorization"] = str(self.secrets["authorization"])
        secret = self.secrets.get("signing_secret")
        if secret:
            timestamp = int(time.time() if now is None else now)
            headers[TIMESTAMP_HEADER] = str(timestamp)
            headers[SIGNATURE_HEADER] = sign(str(secret), timestamp, body)
        return headers

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        # Serialised here, not by the client: the signature is of these exact bytes.
        body = json.dumps(self.build_payload(message), ensure_ascii=False, separators=(",", ":")).encode()
        return self.post(str(self.secrets.get("url") or ""), data=body, headers=self.request_headers(body))
