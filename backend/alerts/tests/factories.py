"""Model factories for the alerts tests: valid objects with sensible defaults; override any field."""

from django.utils import timezone

from alerts.models import AlertHistory, AlertRule, NotificationDelivery


def make_rule(**fields) -> AlertRule:
    values = {
        "name": "High CPU Usage",
        "metric_name": "cpu_usage",
        "condition": "gt",
        "threshold_value": 80.0,
        "time_window_minutes": 5,
        "severity": "high",
    }
    values.update(fields)
    return AlertRule.objects.create(**values)


def make_alert(rule: AlertRule | None = None, **fields) -> AlertHistory:
    rule = rule or make_rule()
    values = {
        "rule": rule,
        "rule_name": rule.name,
        "severity": rule.severity,
        "condition": rule.condition,
        "threshold_value": rule.threshold_value,
        "metric_name": rule.metric_name,
        "metric_value": 91.5,
        "last_value": 91.5,
        "message": "",
        "context": {"window_minutes": rule.time_window_minutes, "aggregation": rule.effective_aggregation,
                    "values": [90.0, 93.0]},
        "triggered_at": timezone.now(),
    }
    values.update(fields)
    if values.get("status") == "resolved" and values.get("resolved_at") is None:
        values["resolved_at"] = values["triggered_at"]
    return AlertHistory.objects.create(**values)


def make_delivery(**fields) -> NotificationDelivery:
    values = {"event": "trigger", "channel": "email", "target": "ops@resee.com", "status": "sent"}
    values.update(fields)
    return NotificationDelivery.objects.create(**values)
