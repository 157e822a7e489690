"""AlertEngine: every active rule, every minute, through the state machine of DESIGN.md §4.

One tick reads each telemetry source once (MetricCollector), decides what each rule needs
(`plan`, pure and side-effect free: the dry run and the API's "evaluate now" use it alone), then
applies the decisions (`apply`): a rule's row is written only when its state changes, alerts are
opened and resolved with compare-and-set updates under the database's one-active-alert-per-rule
constraint, and notifications are queued only after each change commits.

Per-tick values of rules whose state did not change go to the cache (one write per tick), where
the API reads them.
"""

import logging
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from monitoring.selectors import Reading

from ..metrics import get_metric
from ..models import CONDITION_SYMBOLS, AlertHistory, AlertRule, AlertStatus, NotificationEvent, RuleState
from .messages import format_number
from .metric_collector import MetricCollector
from .notifications import queue_alert_notifications

logger = logging.getLogger(__name__)

# eq and ne compare with this tolerance, so that 0.1 + 0.2 "equals" 0.3.
EQUALITY_TOLERANCE = 1e-9
EVALUATIONS_CACHE_KEY = "alerts:evaluations"
TICK_LOCK_KEY = "alerts:tick-lock"

@dataclass(slots=True)
class RuleSnapshot:
    """The fields of a rule that a tick reads. A tick loads thousands of rules every minute; these
    cost a fraction of full model instances, and the rules that notify load theirs when they do."""

    id: int
    name: str
    metric_name: str
    condition: str
    threshold_value: float
    time_window_minutes: int
    aggregation: str
    severity: str
    cooldown_minutes: int
    auto_resolve: bool
    notify_on_resolve: bool
    resolve_threshold: float | None
    alert_on_no_data: bool
    max_alerts_per_hour: int
    state: str

    @classmethod
    def fields(cls) -> list[str]:
        return list(cls.__dataclass_fields__)

    @classmethod
    def of(cls, rule: AlertRule) -> "RuleSnapshot":
        return cls(*(getattr(rule, name) for name in cls.fields()))

    @classmethod
    def active(cls) -> list["RuleSnapshot"]:
        rows = AlertRule.objects.filter(is_active=True).order_by("id").values_list(*cls.fields())
        return [cls(*row) for row in rows]

    @property
    def effective_aggregation(self) -> str:
        metric = get_metric(self.metric_name)
        return self.aggregation or (metric.default_aggregation if metric else "avg")

# What a tick does about a rule.
FIRE = "fire"
REMIND = "remind"
RESOLVE = "resolve"
UPDATE = "update"  # still breaching, nothing new to tell anyone
NONE = "none"
SUPPRESSED = "suppressed"  # the condition holds but a limit keeps a new alert back


def condition_holds(condition: str, value: float, threshold: float) -> bool:
    match condition:
        case "gt":
            return value > threshold
        case "gte":
            return value >= threshold
        case "lt":
            return value < threshold
        case "lte":
            return value <= threshold
        case "eq":
            return math.isclose(value, threshold, rel_tol=EQUALITY_TOLERANCE, abs_tol=EQUALITY_TOLERANCE)
        case "ne":
            return not math.isclose(value, threshold, rel_tol=EQUALITY_TOLERANCE, abs_tol=EQUALITY_TOLERANCE)
    raise ValueError(f"unknown condition {condition!r}")


def recovered(rule: "RuleSnapshot", value: float) -> bool:
    """Whether an open alert's value is back to normal: past resolve_threshold when the rule has
    one (hysteresis), else simply no longer breaching."""
    if rule.resolve_threshold is None or rule.condition in ("eq", "ne"):
        return not condition_holds(rule.condition, value, rule.threshold_value)
    if rule.condition in ("gt", "gte"):
        return value <= rule.resolve_threshold
    return value >= rule.resolve_threshold


@dataclass
class Decision:
    rule: RuleSnapshot
    state: str
    action: str
    value: float | None = None
    reason: str = ""
    error: str = ""
    alert: AlertHistory | None = None
    reading: Reading | None = None

    @property
    def state_changed(self) -> bool:
        return self.state != self.rule.state

    @property
    def context(self) -> dict:
        """Why the value is what it is: the window, the aggregation, the per-minute values, and
        what they were compared with. Built only for the alerts that need it."""
        rule = self.rule
        base = self.reading.as_context() if self.reading else {}
        return {**base, "condition": rule.condition, "threshold": rule.threshold_value,
                "resolve_threshold": rule.resolve_threshold}


@dataclass
class TickReport:
    started_at: datetime
    skipped: bool = False
    decisions: list[Decision] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    def summary(self) -> dict:
        if self.skipped:
            return {"skipped": True}
        return {"evaluated": len(self.decisions), **self.counts}


class AlertEngine:
    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.collector = MetricCollector(now=self.now)

    # --- deciding -------------------------------------------------------------------------------

    def plan(self, rules: list[RuleSnapshot | AlertRule]) -> list[Decision]:
        """What each rule needs now. Reads, never writes."""
        rules = [r if isinstance(r, RuleSnapshot) else RuleSnapshot.of(r) for r in rules]
        self.collector.prefetch(rule.metric_name for rule in rules)
        # All open alerts (few, and indexed by status), rather than an IN list of every rule id.
        open_alerts = {
            alert.rule_id: alert
            for alert in AlertHistory.objects.filter(status=AlertStatus.ACTIVE).defer(
                "context", "message", "resolution_notes"
            )
        }
        decisions = [self._decide(rule, open_alerts.get(rule.id)) for rule in rules]
        self._apply_limits([d for d in decisions if d.action == FIRE])
        return decisions

    def _decide(self, rule: RuleSnapshot, alert: AlertHistory | None) -> Decision:
        try:
            reading = self.collector.get_reading(rule.metric_name, rule.time_window_minutes, rule.aggregation or None)
        except Exception as error:  # one broken rule must not stop the others
            logger.warning("rule %s (%s) could not be evaluated: %s", rule.id, rule.name, error)
            return Decision(rule, RuleState.ERROR, NONE, alert=alert, error=str(error) or type(error).__name__,
                            reason="evaluation failed")
        value = reading.value
        decision = Decision(rule, RuleState.OK, NONE, value=value, alert=alert, reading=reading)

        if value is None:
            decision.state = RuleState.NO_DATA
            if not rule.alert_on_no_data:
                # Nothing can be said either way: an open alert stays open until data returns.
                decision.reason = "no data"
                return decision
            breaching = True
        else:
            breaching = condition_holds(rule.condition, value, rule.threshold_value)

        if alert is not None:
            if breaching or (value is not None and not recovered(rule, value)):
                decision.state = decision.state if value is None else RuleState.FIRING
                due = self._reminder_due(rule, alert)
                decision.action = REMIND if due else UPDATE
                decision.reason = "still breaching; reminder due" if due else "still breaching"
            elif alert.manual:
                decision.reason = "back to normal; a manual alert is resolved by a person"
            elif rule.auto_resolve:
                decision.action = RESOLVE
                decision.reason = "back to normal"
            else:
                decision.reason = "back to normal; auto-resolve is off"
            return decision

        if breaching:
            if value is not None:
                decision.state = RuleState.FIRING
            decision.action = FIRE
            decision.reason = "no data" if value is None else "threshold crossed"
        else:
            decision.reason = "within the threshold"
        return decision

    def _reminder_due(self, rule: RuleSnapshot, alert: AlertHistory) -> bool:
        if not rule.cooldown_minutes:
            return False
        last = alert.reminded_at or alert.triggered_at
        return self.now - last >= timedelta(minutes=rule.cooldown_minutes)

    def _apply_limits(self, firing: list[Decision]) -> None:
        """Hold back new alerts of rules that a person resolved less than a cooldown ago, or that
        have opened max_alerts_per_hour alerts in the last hour: two queries for all of them."""
        if not firing:
            return
        rule_ids = [d.rule.id for d in firing]
        last_hour = dict(
            AlertHistory.objects.filter(rule__in=rule_ids, triggered_at__gt=self.now - timedelta(hours=1))
            .values_list("rule")
            .annotate(n=Count("id"))
            .order_by()
        )
        manually_resolved = dict(
            AlertHistory.objects.filter(rule__in=rule_ids, status=AlertStatus.RESOLVED, resolved_by__isnull=False)
            .values_list("rule")
            .annotate(last=Max("resolved_at"))
            .order_by()
        )
        for decision in firing:
            rule = decision.rule
            resolved_at = manually_resolved.get(rule.id)
            if resolved_at and self.now - resolved_at < timedelta(minutes=rule.cooldown_minutes):
                decision.action = SUPPRESSED
                decision.reason = "resolved by hand less than a cooldown ago"
            elif last_hour.get(rule.id, 0) >= rule.max_alerts_per_hour:
                decision.action = SUPPRESSED
                decision.reason = f"{rule.max_alerts_per_hour} alerts in the last hour already"

    # --- acting ---------------------------------------------------------------------------------

    def apply(self, decisions: list[Decision]) -> dict:
        counts = {"fired": 0, "reminded": 0, "resolved": 0, "suppressed": 0, "no_data": 0, "errors": 0,
                  "state_changes": 0}
        for decision in decisions:
            if decision.state == RuleState.NO_DATA:
                counts["no_data"] += 1
            elif decision.state == RuleState.ERROR:
                counts["errors"] += 1
            if decision.action == SUPPRESSED:
                counts["suppressed"] += 1
            if decision.action not in (FIRE, REMIND, RESOLVE) and not decision.state_changed:
                continue  # the steady state: nothing to write
            try:
                with transaction.atomic():
                    if decision.state_changed and self._change_state(decision):
                        counts["state_changes"] += 1
                    if decision.action == FIRE and self._fire(decision):
                        counts["fired"] += 1
                    elif decision.action == REMIND and self._remind(decision):
                        counts["reminded"] += 1
                    elif decision.action == RESOLVE and self._resolve(decision):
                        counts["resolved"] += 1
            except Exception:
                logger.exception("applying the decision for rule %s (%s) failed", decision.rule.id, decision.rule.name)
                counts["errors"] += 1
        self._remember(decisions)
        return counts

    def _change_state(self, decision: Decision) -> bool:
        """Compare-and-set: only the tick that sees the rule in its old state moves it."""
        rule = decision.rule
        changed = AlertRule.objects.filter(id=rule.id, state=rule.state).update(
            state=decision.state,
            state_changed_at=self.now,
            last_value=decision.value,
            last_evaluated_at=self.now,
            last_error=decision.error,
        )
        if changed:
            logger.info("rule %s (%s): %s -> %s", rule.id, rule.name, rule.state, decision.state)
            rule.state = decision.state
        return bool(changed)

    def _fire(self, decision: Decision) -> bool:
        rule = decision.rule
        try:
            with transaction.atomic():
                alert = AlertHistory.objects.create(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    severity=rule.severity,
                    condition=rule.condition,
                    threshold_value=rule.threshold_value,
                    metric_name=rule.metric_name,
                    triggered_at=self.now,
                    metric_value=decision.value,
                    last_value=decision.value,
                    message=describe(rule, decision.value, decision.context),
                    context=decision.context,
                )
                queue_alert_notifications(alert=alert, event=NotificationEvent.TRIGGER)
        except IntegrityError:
            # Another tick opened this rule's alert first: the database allows only one.
            logger.info("rule %s already has an active alert; not opening another", rule.id)
            return False
        decision.alert = alert
        logger.warning("alert %s opened: %s", alert.id, alert.message)
        return True

    def _remind(self, decision: Decision) -> bool:
        alert = decision.alert
        claimed = AlertHistory.objects.filter(
            id=alert.id, status=AlertStatus.ACTIVE, reminded_at=alert.reminded_at
        ).update(reminded_at=self.now, last_value=decision.value)
        if not claimed:
            return False
        alert.reminded_at, alert.last_value = self.now, decision.value
        queue_alert_notifications(alert=alert, event=NotificationEvent.REMINDER)
        return True

    def _resolve(self, decision: Decision) -> bool:
        alert = decision.alert
        notes = (
            f"Resolved automatically: {decision.rule.metric_name} is "
            f"{format_number(decision.value)}, back within the threshold."
        )
        resolved = AlertHistory.objects.filter(id=alert.id, status=AlertStatus.ACTIVE).update(
            status=AlertStatus.RESOLVED, resolved_at=self.now, resolved_by=None, resolution_notes=notes,
            last_value=decision.value,
        )
        if not resolved:
            return False
        alert.status, alert.resolved_at, alert.resolution_notes = AlertStatus.RESOLVED, self.now, notes
        alert.last_value = decision.value
        queue_alert_notifications(alert=alert, event=NotificationEvent.RESOLVE)
        logger.warning("alert %s resolved: %s", alert.id, notes)
        return True

    def _remember(self, decisions: list[Decision]) -> None:
        """Every rule's latest value, state and evaluation time, in one cache write: a rule's row
        (and its open alert's) is written only when something happens, and the API reads the
        latest values from here."""
        evaluations = {}
        at = self.now.isoformat()
        for d in decisions:
            evaluations[d.rule.id] = (d.value, at, str(d.state), d.error)
        cache.set(EVALUATIONS_CACHE_KEY, evaluations, timeout=24 * 3600)

    # --- one tick -------------------------------------------------------------------------------

    def run(self, *, dry_run: bool = False) -> TickReport:
        report = TickReport(started_at=self.now)
        rules = RuleSnapshot.active()
        report.decisions = self.plan(rules)
        if not dry_run:
            report.counts = self.apply(report.decisions)
        return report


def describe(rule: RuleSnapshot, value: float | None, context: dict) -> str:
    """One sentence saying what fired: "cpu_usage (avg over 5 min) is 91.2 %, > 80 %"."""
    aggregation = context.get("aggregation", rule.effective_aggregation)
    window = context.get("window_minutes", rule.time_window_minutes)
    metric = get_metric(rule.metric_name)
    unit = f" {metric.unit}" if metric and metric.unit else ""
    if value is None:
        return f"{rule.metric_name} has had no data for {window} min"
    return (
        f"{rule.metric_name} ({aggregation} over {window} min) is {format_number(value)}{unit}, "
        f"{CONDITION_SYMBOLS[rule.condition]} {format_number(rule.threshold_value)}{unit}"
    )


@dataclass(frozen=True)
class Evaluation:
    value: float | None
    evaluated_at: str
    state: str
    error: str


def latest_evaluations() -> dict[int, Evaluation]:
    """Rule id -> its latest evaluation from the last tick."""
    return {rule_id: Evaluation(*row) for rule_id, row in (cache.get(EVALUATIONS_CACHE_KEY) or {}).items()}


def run_tick(*, now: datetime | None = None) -> TickReport:
    """One evaluation tick, unless another is still running (a lock that expires before the next
    tick is due, so a crashed tick never blocks the ones after it)."""
    token = uuid.uuid4().hex
    if not cache.add(TICK_LOCK_KEY, token, timeout=settings.ALERT_TICK_LOCK_SECONDS):
        logger.warning("check_alert_rules: the previous tick is still running; skipping this one")
        return TickReport(started_at=now or timezone.now(), skipped=True)
    try:
        return AlertEngine(now=now).run()
    finally:
        if cache.get(TICK_LOCK_KEY) == token:
            cache.delete(TICK_LOCK_KEY)
