"""Self-watch: what /metrics says (a prometheus_client collector computed at scrape time) and
what the dashboard's banner says (the self-health API).

The collector holds no state of its own: gauges are read from the database when Prometheus
scrapes, counters from the shared cache (core/selfwatch.py), so any web process answers the same
numbers however many processes and hosts count them. docs/operations.md lists every metric.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from core import selfwatch as counters
from monitoring.models import Check, CheckKind, CheckStatus

from ..models import (
    AlertHistory,
    AlertRule,
    AlertStatus,
    DeliveryStatus,
    NotificationDelivery,
    NotificationEvent,
    RuleState,
    Severity,
)
from . import tick_lock

logger = logging.getLogger(__name__)

# Deliveries counted in resee_notification_deliveries: those created this recently.
DELIVERY_WINDOW = timedelta(hours=24)
FAILING_WINDOW = timedelta(minutes=15)
WORKERS_KEY = "selfwatch:workers"
WORKERS_PINGING_KEY = "selfwatch:workers-pinging"
NO_TICK_SINCE_KEY = "selfwatch:no-tick-since"


def _timestamp(value: datetime) -> float:
    return value.timestamp()


class ReseeCollector:
    """One scrape's metrics, read when collect() runs."""

    def __init__(self, now: datetime | None = None):
        self.now = now

    def collect(self):
        now = self.now or timezone.now()
        yield from self._ticks()
        yield from self._rules()
        yield from self._alerts()
        yield from self._deliveries(now)
        yield from self._ingest()
        yield from self._checks()

    def _ticks(self):
        ticks = CounterMetricFamily(
            "resee_ticks", "Evaluation ticks completed (every active rule evaluated once)."
        )
        buckets, seconds_sum, count = counters.tick_histogram()
        ticks.add_metric([], count)
        yield ticks
        histogram = HistogramMetricFamily(
            "resee_tick_duration_seconds", "How long each completed evaluation tick took."
        )
        histogram.add_metric([], buckets, sum_value=seconds_sum)
        yield histogram
        status = tick_lock.engine_status()
        skipped = CounterMetricFamily(
            "resee_ticks_skipped", "Evaluation ticks skipped, by reason (e.g. the previous tick still running).",
            labels=["reason"],
        )
        reasons = {tick_lock.STILL_RUNNING: 0, tick_lock.DATABASE_LOCKED: 0, **status["skipped_by_reason"]}
        for reason, number in sorted(reasons.items()):
            skipped.add_metric([reason], number)
        yield skipped
        last = parse_datetime(status["last_tick_at"] or "")
        if last is not None:
            gauge = GaugeMetricFamily(
                "resee_last_tick_timestamp_seconds", "When the last evaluation tick completed (Unix time)."
            )
            gauge.add_metric([], _timestamp(last))
            yield gauge

    def _rules(self):
        by_state = dict.fromkeys(RuleState.values, 0)
        inactive = 0
        for row in AlertRule.objects.values("is_active", "state").annotate(n=Count("id")):
            if row["is_active"]:
                by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
            else:
                inactive += row["n"]
        gauge = GaugeMetricFamily("resee_rules", "Active alert rules, by state.", labels=["state"])
        for state, number in by_state.items():
            gauge.add_metric([state], number)
        yield gauge
        gauge = GaugeMetricFamily("resee_rules_inactive", "Alert rules switched off.")
        gauge.add_metric([], inactive)
        yield gauge

    def _alerts(self):
        by_severity = dict.fromkeys(Severity.values, 0)
        for row in AlertHistory.objects.filter(status=AlertStatus.ACTIVE).values("severity").annotate(n=Count("id")):
            by_severity[row["severity"]] = row["n"]
        gauge = GaugeMetricFamily("resee_alerts_open", "Open (active) alerts, by severity.", labels=["severity"])
        for severity, number in by_severity.items():
            gauge.add_metric([severity], number)
        yield gauge

    def _deliveries(self, now: datetime):
        gauge = GaugeMetricFamily(
            "resee_notification_deliveries",
            "Notification deliveries created in the last 24 hours, by channel kind and status.",
            labels=["channel", "status"],
        )
        rows = (
            NotificationDelivery.objects.filter(created_at__gte=now - DELIVERY_WINDOW)
            .values("channel", "status").annotate(n=Count("id")).order_by("channel", "status")
        )
        for row in rows:
            gauge.add_metric([row["channel"], row["status"]], row["n"])
        yield gauge
        pending = NotificationDelivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
            n=Count("id"), oldest=Min("created_at")
        )
        depth = GaugeMetricFamily(
            "resee_notification_queue_depth",
            "Notification deliveries waiting to be sent (a first attempt or a retry).",
        )
        depth.add_metric([], pending["n"])
        yield depth
        age = GaugeMetricFamily(
            "resee_notification_oldest_pending_age_seconds",
            "Age of the oldest delivery waiting to be sent (0 when none waits).",
        )
        oldest = pending["oldest"]
        age.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        yield age

    def _ingest(self):
        family = CounterMetricFamily(
            "resee_ingest_samples",
            "Samples taken in and refused by the ingest endpoints (json: POST /api/monitoring/metrics/; "
            "otlp_metrics: data points; otlp_logs: log records).",
            labels=["source", "outcome"],
        )
        for (source, outcome), number in counters.ingest_counts().items():
            family.add_metric([source, outcome], number)
        yield family

    def _checks(self):
        family = CounterMetricFamily(
            "resee_check_runs", "Runs of uptime checks and evaluations of heartbeats, by kind and outcome.",
            labels=["kind", "outcome"],
        )
        for (kind, outcome), number in counters.check_run_counts().items():
            family.add_metric([kind, outcome], number)
        yield family
        by_kind_status = {(kind, status): 0 for kind in CheckKind.values for status in CheckStatus.values}
        for row in Check.objects.filter(is_active=True).values("kind", "status").annotate(n=Count("id")):
            by_kind_status[(row["kind"], row["status"])] = row["n"]
        gauge = GaugeMetricFamily("resee_checks", "Active checks, by kind and status.", labels=["kind", "status"])
        for (kind, status), number in by_kind_status.items():
            gauge.add_metric([kind, status], number)
        yield gauge


def metrics_text(now: datetime | None = None) -> bytes:
    """The Prometheus text exposition of this system, computed now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReseeCollector(now))
    return generate_latest(registry)


# --- the dashboard's banner -------------------------------------------------------------------


def _format_time(value: datetime, now: datetime) -> str:
    local = timezone.localtime(value)
    same_day = local.date() == timezone.localtime(now).date()
    return local.strftime("%H:%M %Z" if same_day else "%Y-%m-%d %H:%M %Z")


def _workers() -> int | None:
    """Celery workers answering a ping (monitoring.collectors.celery_workers, the probe of the
    celery_workers metric), kept SELF_HEALTH_WORKER_PING_CACHE_SECONDS in the shared cache so that
    a dashboard polling every 30 s pings at most that often. None: the broker could not be asked."""
    from monitoring.collectors import celery_workers

    cached = cache.get(WORKERS_KEY)
    fresh_for = settings.SELF_HEALTH_WORKER_PING_CACHE_SECONDS
    if cached and time.time() - cached["at"] < fresh_for:
        return cached["workers"]
    # One ping at a time; meanwhile the others answer what is known.
    if cached and not cache.add(WORKERS_PINGING_KEY, 1, timeout=10):
        return cached["workers"]
    try:
        workers: int | None = int(celery_workers())
    except Exception:
        logger.warning("self-health: the Celery workers could not be pinged", exc_info=True)
        workers = None
    cache.set(WORKERS_KEY, {"at": time.time(), "workers": workers}, timeout=max(fresh_for * 4, 60))
    cache.delete(WORKERS_PINGING_KEY)
    return workers


def failing_deliveries(now: datetime) -> tuple[int, int]:
    """(failing, sent) among the deliveries attempted in the last 15 minutes: failing is failed
    for good or waiting for a retry after a failure. Test sends are left out (the person trying a
    channel sees the outcome), as are skipped ones (nothing was attempted)."""
    since = now - FAILING_WINDOW
    counts = (
        NotificationDelivery.objects.filter(Q(created_at__gte=since) | Q(sent_at__gte=since))
        .exclude(event=NotificationEvent.TEST)
        .aggregate(
            sent=Count("id", filter=Q(status=DeliveryStatus.SENT)),
            failing=Count(
                "id",
                filter=Q(status=DeliveryStatus.FAILED) | (Q(status=DeliveryStatus.PENDING) & ~Q(last_error="")),
            ),
        )
    )
    return counts["failing"], counts["sent"]


def self_health(now: datetime | None = None) -> dict:
    """What the dashboard's banner shows: {"ok", "problems": [{"kind", "text"}], "last_tick_at",
    "check_interval_seconds", "workers", "failing_deliveries_15m"}."""
    now = now or timezone.now()
    interval = settings.ALERT_CHECK_INTERVAL_SECONDS
    stale_after = timedelta(seconds=2 * interval)
    problems = []

    last_tick = parse_datetime(tick_lock.engine_status()["last_tick_at"] or "")
    if last_tick is None:
        # Never recorded (a new installation, or the cache was cleared): a problem once two
        # intervals have passed since it was first seen missing.
        cache.add(NO_TICK_SINCE_KEY, now.isoformat(), timeout=None)
        since = parse_datetime(cache.get(NO_TICK_SINCE_KEY) or "") or now
        if now - since > stale_after:
            problems.append({"kind": "tick_stale", "text": (
                f"No rule evaluation has completed since {_format_time(since, now)} (more than two "
                "intervals): are Celery beat and a worker running?"
            )})
    else:
        cache.delete(NO_TICK_SINCE_KEY)
        if now - last_tick > stale_after:
            problems.append({"kind": "tick_stale", "text": (
                f"No rule evaluation has completed since {_format_time(last_tick, now)} (more than two "
                "intervals): are Celery beat and a worker running?"
            )})

    workers = _workers()
    if workers is None:
        problems.append({"kind": "no_worker", "text": (
            "The Celery workers could not be asked (the broker did not answer): rules are not evaluated "
            "and notifications are not sent."
        )})
    elif workers == 0:
        problems.append({"kind": "no_worker", "text": (
            "No Celery worker answered: rules are not evaluated and notifications are not sent."
        )})

    failing, sent = failing_deliveries(now)
    if failing and not sent:
        problems.append({"kind": "deliveries_failing", "text": (
            f"Every notification attempted in the last 15 minutes failed ({failing} failing, none sent): "
            "see Integrations for the errors."
        )})

    return {
        "ok": not problems,
        "problems": problems,
        "last_tick_at": last_tick,
        "check_interval_seconds": interval,
        "workers": workers,
        "failing_deliveries_15m": failing,
    }


# --- the built-in Watchdog rule ---------------------------------------------------------------

WATCHDOG_NAME = "Watchdog"
WATCHDOG_FIELDS = {
    "description": (
        "Always firing while rules are evaluated, re-notified every 5 minutes: route it (a notification "
        "policy matching rule=Watchdog) to a dead-man service such as a healthchecks.io check's webhook, "
        "which pages when the notifications stop. Off until switched on."
    ),
    "metric_name": "watchdog",
    "condition": "gt",
    "threshold_value": 0.0,
    "time_window_minutes": 1,
    "aggregation": "last",
    "severity": "low",
    "cooldown_minutes": 5,
    "auto_resolve": True,
    "notify_on_resolve": False,
    "slack_enabled": False,
    "email_enabled": False,
    "max_alerts_per_hour": 10,
    "labels": {"alertname": "Watchdog"},
    "summary": "The alerting pipeline works: this alert always fires, so that its absence is the alarm.",
}


def ensure_watchdog_rule(*, activate: bool = False) -> tuple[AlertRule, bool]:
    """The Watchdog rule (made, switched off, when there is none; a rule of that name is left as
    it is), switched on when `activate`. Returns (rule, whether it was made now)."""
    from .rules import create_rule, set_rules_active

    rule = AlertRule.objects.filter(name=WATCHDOG_NAME).order_by("id").first()
    created = rule is None
    if rule is None:
        rule = create_rule(user=None, name=WATCHDOG_NAME, is_active=False, **WATCHDOG_FIELDS)
    if activate and not rule.is_active:
        set_rules_active(rules=[rule], active=True)
        rule.refresh_from_db()
    return rule, created
