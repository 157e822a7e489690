"""Read-side queries over alerts, rules and notifications (the daily summary, the stats API and the
dashboard's metric health)."""

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from . import channel_kinds
from .models import (
    AlertEvent,
    AlertEventKind,
    AlertHistory,
    AlertRule,
    AlertStatus,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    RuleState,
    Severity,
)

# Most severe first.
# A Sequence, so .index takes the plain strings the database answers (a Severity equals its string).
SEVERITY_ORDER: Sequence[Severity] = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW]
ALERT_NOTIFICATION_EVENTS = [
    NotificationEvent.TRIGGER, NotificationEvent.REMINDER, NotificationEvent.RESOLVE, NotificationEvent.ACKNOWLEDGE,
]


def severity_rank():
    return Case(
        *[When(severity=severity, then=Value(rank)) for rank, severity in enumerate(SEVERITY_ORDER)],
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )


def rules_for_api():
    """Rules with their open alert's id, name order (the API's rule list and detail)."""
    open_alert = AlertHistory.objects.filter(rule=OuterRef("pk"), status=AlertStatus.ACTIVE).values("id")[:1]
    return (
        AlertRule.objects.select_related("created_by")
        .prefetch_related("groups", "channels")
        .annotate(open_alert_id=Subquery(open_alert), severity_rank=severity_rank())
        .order_by("name", "id")
    )


def open_alerts_by_group() -> dict[tuple[int, str], int]:
    """(rule id, group fingerprint) -> the id of that group's open alert, for grouped rules."""
    rows = AlertHistory.objects.filter(status=AlertStatus.ACTIVE, rule__isnull=False).exclude(group_fingerprint="")
    return {(rule_id, fingerprint): alert_id
            for rule_id, fingerprint, alert_id in rows.values_list("rule_id", "group_fingerprint", "id")}


def acknowledged_via():
    """How an acknowledged alert's acknowledgement came (its latest acknowledged event's `via`:
    api, admin or link), as a subquery; None for an alert nobody has."""
    latest = AlertEvent.objects.filter(alert=OuterRef("pk"), kind=AlertEventKind.ACKNOWLEDGED).order_by("-at", "-id")
    return Case(When(acknowledged_at__isnull=False, then=Subquery(latest.values("via")[:1])), default=None)


def alerts_for_api(*, with_deliveries: bool = False):
    """Alerts newest first, with their rule and who resolved them (and, for one alert's page, its
    deliveries in the order they were made)."""
    queryset = (
        AlertHistory.objects.select_related("rule", "resolved_by", "acknowledged_by")
        .annotate(severity_rank=severity_rank(), acknowledged_via=acknowledged_via())
        .order_by("-triggered_at", "-id")
    )
    if with_deliveries:
        queryset = queryset.prefetch_related(
            Prefetch("deliveries", queryset=NotificationDelivery.objects.order_by("created_at", "id"))
        )
    return queryset


def count_open_alerts_by_severity() -> dict[str, int]:
    """Open alerts by severity, counted now (one grouped query on an indexed column)."""
    counts = dict.fromkeys(Severity.values, 0)
    rows = AlertHistory.objects.filter(status=AlertStatus.ACTIVE).values_list("severity").annotate(n=Count("id"))
    counts.update(rows.order_by())
    return counts


def open_alerts():
    """Active alerts, most severe and then oldest first."""
    return (
        AlertHistory.objects.filter(status=AlertStatus.ACTIVE)
        .annotate(severity_rank=severity_rank())
        .order_by("severity_rank", "triggered_at", "id")
    )


def last_notification_queued_at(*, alert_id: int) -> datetime | None:
    """When the last trigger or reminder of an alert was queued, whether or not it was delivered.

    This, not `AlertHistory.last_notified_at` (the last *successful* delivery), is what a reminder
    cooldown counts from: with Slack down, counting from the last success would remind every tick.
    """
    return NotificationDelivery.objects.filter(
        alert_id=alert_id, event__in=[NotificationEvent.TRIGGER, NotificationEvent.REMINDER]
    ).aggregate(last=Max("created_at"))["last"]


def mean_time_to_resolve(*, since: datetime, until: datetime) -> timedelta | None:
    """Mean time from trigger to resolution of the alerts resolved in [since, until)."""
    result = AlertHistory.objects.filter(
        status=AlertStatus.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
    ).aggregate(
        mean=Avg(ExpressionWrapper(F("resolved_at") - F("triggered_at"), output_field=DurationField()))
    )
    return result["mean"]


def time_to_acknowledge(*, since: datetime, until: datetime) -> dict:
    """How long the alerts acknowledged in [since, until) waited for someone: their count, the
    mean and the 90th percentile (nearest rank) in seconds, None when none was acknowledged."""
    pairs = AlertHistory.objects.filter(
        acknowledged_at__gte=since, acknowledged_at__lt=until
    ).values_list("triggered_at", "acknowledged_at")
    waits = sorted(max(0.0, (acked - triggered).total_seconds()) for triggered, acked in pairs if acked is not None)
    if not waits:
        return {"count": 0, "mean": None, "p90": None}
    rank = max(1, math.ceil(0.9 * len(waits)))
    return {"count": len(waits), "mean": round(sum(waits) / len(waits), 3), "p90": round(waits[rank - 1], 3)}


def notification_stats(*, since: datetime, until: datetime) -> list[dict]:
    """Per channel kind: alert notifications (trigger, reminder, resolve) created in [since, until)
    by status, and the success rate in percent of those that were attempted (sent / (sent + failed));
    None when none was. Slack and email are always listed (the environment's channels); another
    kind when a channel of it exists or it has deliveries in the period."""
    rows = (
        NotificationDelivery.objects.filter(
            created_at__gte=since, created_at__lt=until, event__in=ALERT_NOTIFICATION_EVENTS
        )
        .values("channel", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["channel"], {})[row["status"]] = row["count"]
    stats = []
    labels = dict(channel_kinds.choices())
    configured = NotificationChannel.objects.order_by().values_list("kind", flat=True).distinct()
    in_use = {"slack", "email", *counts, *configured}
    for channel in [*(kind for kind in labels if kind in in_use), *sorted(set(counts) - set(labels))]:
        by_status = {status: counts.get(channel, {}).get(status, 0) for status in DeliveryStatus.values}
        attempted = by_status[DeliveryStatus.SENT] + by_status[DeliveryStatus.FAILED]
        stats.append(
            {
                "channel": channel,
                "label": labels.get(channel, channel),
                **by_status,
                "total": sum(by_status.values()),
                "success_rate": round(100.0 * by_status[DeliveryStatus.SENT] / attempted, 1) if attempted else None,
            }
        )
    return stats


def alert_summary(*, since: datetime, until: datetime, top_rules: int = 5, open_limit: int = 50) -> dict:
    """The alerting activity in [since, until): alerts triggered by severity, the rules that
    fired most, alerts still open now, mean time to resolve, notification success per channel."""
    triggered = AlertHistory.objects.filter(triggered_at__gte=since, triggered_at__lt=until)
    by_severity = {severity.value: 0 for severity in SEVERITY_ORDER}
    for row in triggered.values("severity").annotate(count=Count("id")).order_by():
        by_severity[row["severity"]] = row["count"]
    top = list(
        triggered.values("rule_id", "rule_name")
        .annotate(count=Count("id"))
        .order_by("-count", "rule_name", "rule_id")[:top_rules]
    )
    still_open = open_alerts()
    return {
        "since": since,
        "until": until,
        "total": sum(by_severity.values()),
        "by_severity": by_severity,
        "top_rules": [{"rule_id": row["rule_id"], "name": row["rule_name"], "count": row["count"]} for row in top],
        "resolved_count": AlertHistory.objects.filter(
            status=AlertStatus.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
        ).count(),
        "mean_time_to_resolve": mean_time_to_resolve(since=since, until=until),
        "open_count": still_open.count(),
        "open_alerts": list(still_open[:open_limit]),
        "notifications": notification_stats(since=since, until=until),
    }


def _count_by(queryset, field: str) -> dict:
    return {row[field]: row["count"] for row in queryset.values(field).annotate(count=Count("id")).order_by()}


def alert_stats(*, since: datetime, until: datetime, top_rules: int = 10) -> dict:
    """What the stats API shows for the alerts triggered in [since, until): totals by severity,
    status, rule, metric, day and hour (every breakdown adds up to `total`), the alerts open now,
    the mean time to resolve of the alerts resolved in the period, and notification success per
    channel. Days and hours are in the configured time zone."""
    triggered = AlertHistory.objects.filter(triggered_at__gte=since, triggered_at__lt=until)
    zone = timezone.get_current_timezone()

    severity_counts = _count_by(triggered, "severity")
    by_severity = {severity.value: severity_counts.get(severity.value, 0) for severity in SEVERITY_ORDER}
    status_counts = _count_by(triggered, "status")
    by_status = {status.value: status_counts.get(status.value, 0) for status in AlertStatus}
    total = sum(by_severity.values())

    rules = list(
        triggered.values("rule_id", "rule_name")
        .annotate(count=Count("id"))
        .order_by("-count", "rule_name", "rule_id")[:top_rules]
    )
    metrics = list(triggered.values("metric_name").annotate(count=Count("id")).order_by("-count", "metric_name"))

    day_counts = {
        row["day"]: row["count"]
        for row in triggered.annotate(day=TruncDate("triggered_at", tzinfo=zone))
        .values("day").annotate(count=Count("id")).order_by()
    }
    first_day, last_day = timezone.localtime(since, zone).date(), timezone.localtime(until, zone).date()
    per_day = []
    day = first_day
    while day <= last_day:
        per_day.append({"date": day, "count": day_counts.get(day, 0)})
        day += timedelta(days=1)

    hour_counts = {
        row["hour"].astimezone(UTC): row["count"]
        for row in triggered.annotate(hour=TruncHour("triggered_at", tzinfo=zone))
        .values("hour").annotate(count=Count("id")).order_by()
    }
    hour = timezone.localtime(since, zone).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    per_hour = []
    while hour < until:
        per_hour.append({"hour": hour.astimezone(zone), "count": hour_counts.get(hour, 0)})
        hour += timedelta(hours=1)

    mttr = mean_time_to_resolve(since=since, until=until)
    tta = time_to_acknowledge(since=since, until=until)
    return {
        "since": since,
        "until": until,
        "total": total,
        "manual": triggered.filter(manual=True).count(),
        "by_severity": by_severity,
        "by_status": by_status,
        "by_rule": [{"rule_id": r["rule_id"], "name": r["rule_name"], "count": r["count"]} for r in rules],
        "by_metric": [{"metric_name": m["metric_name"], "count": m["count"]} for m in metrics],
        "per_day": per_day,
        "per_hour": per_hour,
        "open_now": AlertHistory.objects.filter(status=AlertStatus.ACTIVE).count(),
        "resolved_in_period": AlertHistory.objects.filter(
            status=AlertStatus.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
        ).count(),
        "mean_time_to_resolve_seconds": None if mttr is None else round(mttr.total_seconds(), 3),
        "acknowledged_in_period": tta["count"],
        "mean_time_to_acknowledge_seconds": tta["mean"],
        "p90_time_to_acknowledge_seconds": tta["p90"],
        "notifications": notification_stats(since=since, until=until),
    }


# How a metric stands against its active rules, worst first.
HEALTH_CRITICAL = "critical"
HEALTH_WARNING = "warning"
HEALTH_OK = "ok"
# Firing at these severities makes a metric critical; at the others, a warning.
CRITICAL_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)


def metric_health() -> list[dict]:
    """Per metric watched by at least one active rule: how many active rules watch it, how many of
    them are firing, suppressed (breaching, but a limit holds the alert back), without data or in
    error, the most severe of the firing ones, and what that makes the metric: critical (a critical
    or high rule firing or suppressed), warning (a medium or low rule firing or suppressed, or a
    rule without data or in error) or ok (none of those). Metrics no active rule
    watches are left out: nothing has judged them.

    One grouped query, however many rules there are. States are the engine's, as written on each
    state change."""
    rows = (
        AlertRule.objects.filter(is_active=True)
        .values_list("metric_name", "state", "severity")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_metric: dict[str, dict] = {}
    breaching: dict[str, str] = {}  # metric -> the most severe firing or suppressed rule's severity
    for metric_name, state, severity, count in rows:
        entry = by_metric.setdefault(
            metric_name,
            {"metric_name": metric_name, "active_rules": 0, "ok": 0, "firing": 0, "suppressed": 0, "no_data": 0,
             "error": 0, "worst_firing_severity": None},
        )
        entry["active_rules"] += count
        if state in (RuleState.OK, RuleState.FIRING, RuleState.SUPPRESSED, RuleState.NO_DATA, RuleState.ERROR):
            entry[state] += count
        if state == RuleState.FIRING:
            entry["worst_firing_severity"] = _worse(entry["worst_firing_severity"], severity)
        if state in (RuleState.FIRING, RuleState.SUPPRESSED):
            # A suppressed rule breaches as much as a firing one: only its alert is held back.
            breaching[metric_name] = _worse(breaching.get(metric_name), severity)
    for name, entry in by_metric.items():
        entry["health"] = _health_of(entry, breaching.get(name))
    return [by_metric[name] for name in sorted(by_metric)]


def _worse(worst: str | None, severity: str) -> str:
    if worst is None or SEVERITY_ORDER.index(severity) < SEVERITY_ORDER.index(worst):
        return severity
    return worst


def _health_of(entry: dict, worst: str | None) -> str:
    if worst in CRITICAL_SEVERITIES:
        return HEALTH_CRITICAL
    if worst is not None or entry["no_data"] or entry["error"]:
        return HEALTH_WARNING
    return HEALTH_OK
