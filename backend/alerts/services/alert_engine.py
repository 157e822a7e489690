"""AlertEngine: every active rule, every minute, through the state machine of docs/architecture.md §4.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from monitoring.selectors import Reading

from ..metrics import get_metric
from ..models import (
    CONDITION_ALIASES,
    CONDITION_SYMBOLS,
    AlertHistory,
    AlertRule,
    AlertStatus,
    NotificationEvent,
    RuleState,
    effective_aggregation,
)
from . import lifecycle
from .lifecycle import finite
from .messages import format_number, format_time, resolve_phrase
from .metric_collector import MetricCollector
from .notifications import queue_suppressed_notice
from .tick_lock import TICK_LOCK_KEY, run_locked  # noqa: F401 (TICK_LOCK_KEY: where the lock lives)

logger = logging.getLogger(__name__)

# eq and ne compare with this tolerance, so that 0.1 + 0.2 "equals" 0.3.
EQUALITY_TOLERANCE = 1e-9
EVALUATIONS_CACHE_KEY = "alerts:evaluations"
# The longest cooldown a rule may have (AlertRule.cooldown_minutes): how far back a manual resolve
# can still hold a new alert back.
MAX_COOLDOWN = timedelta(days=7)


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
    state_reason: str
    label_matchers: list
    group_by: list
    max_series_per_rule: int
    for_minutes: int
    labels: dict
    runbook_url: str
    summary: str
    state_changed_at: datetime | None

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
        return effective_aggregation(self.metric_name, self.aggregation)

# What a tick does about a rule.
FIRE = "fire"
REMIND = "remind"
RESOLVE = "resolve"
UPDATE = "update"  # still breaching, nothing new to tell anyone
NONE = "none"
SUPPRESSED = "suppressed"  # the condition holds but a limit keeps a new alert back


def condition_holds(condition: str, value: float, threshold: float) -> bool:
    match CONDITION_ALIASES.get(condition, condition):
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
    condition = CONDITION_ALIASES.get(rule.condition, rule.condition)
    if rule.resolve_threshold is None or condition in ("eq", "ne"):
        return not condition_holds(condition, value, rule.threshold_value)
    if condition in ("gt", "gte"):
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
    # Why the rule is in its state, saved on the rule (suppressed, error, no data); "" otherwise.
    state_reason: str = ""
    # A held-back alert: the rule's latest alert, to which the one notice per episode belongs.
    suppressed_by_alert_id: int | None = None

    @property
    def state_changed(self) -> bool:
        return self.state != self.rule.state

    @property
    def needs_write(self) -> bool:
        return self.state_changed or self.state_reason != (self.rule.state_reason or "")

    @property
    def context(self) -> dict:
        """Why the value is what it is: the window, the aggregation, the per-minute values, and
        what they were compared with. Built only for the alerts that need it."""
        rule = self.rule
        base = self.reading.as_context() if self.reading else {}
        return finite({**base, "condition": rule.condition, "threshold": rule.threshold_value,
                       "resolve_threshold": rule.resolve_threshold})


@dataclass
class TickReport:
    started_at: datetime
    skipped: bool = False
    # Why a tick was skipped: the previous one still runs, or the database is locked.
    skip_reason: str = ""
    decisions: list[Decision] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    def summary(self) -> dict:
        if self.skipped:
            return {"skipped": True, "reason": self.skip_reason}
        return {"evaluated": len(self.decisions), **self.counts}


class AlertEngine:
    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.collector = MetricCollector(now=self.now)

    # --- deciding -------------------------------------------------------------------------------

    def plan(self, rules: Sequence[RuleSnapshot | AlertRule]) -> list[Decision]:
        """What each rule needs now. Reads, never writes."""
        snapshots = [r if isinstance(r, RuleSnapshot) else RuleSnapshot.of(r) for r in rules]
        self.collector.prefetch(rule.metric_name for rule in snapshots)
        # All open alerts (few, and indexed by status), rather than an IN list of every rule id.
        open_alerts = {
            alert.rule_id: alert
            for alert in AlertHistory.objects.filter(status=AlertStatus.ACTIVE).defer(
                "context", "message", "resolution_notes"
            )
        }
        decisions = [self._decide(rule, open_alerts.get(rule.id)) for rule in snapshots]
        self._apply_limits([d for d in decisions if d.action == FIRE])
        return decisions

    def _decide(self, rule: RuleSnapshot, alert: AlertHistory | None) -> Decision:
        try:
            reading = self.collector.get_reading(rule.metric_name, rule.time_window_minutes, rule.aggregation or None)
        except Exception as error:  # one broken rule must not stop the others
            logger.warning("rule %s (%s) could not be evaluated: %s", rule.id, rule.name, error)
            text = str(error) or type(error).__name__
            return Decision(rule, RuleState.ERROR, NONE, alert=alert, error=text, reason="evaluation failed",
                            state_reason=text)
        value = reading.value
        reading_error = getattr(reading, "error", None)
        if reading_error or (value is not None and not math.isfinite(value)):
            # Finite samples can add up past the largest float: an infinite value would compare as
            # breaching (or, NaN, as nothing) and cannot be stored or shown; the reader may also
            # say so itself. An error, said as one, never "no data".
            if reading_error:
                what = reading_error
            elif value is not None and math.isinf(value):
                what = "value overflowed"
            else:
                what = "value is not a number (NaN)"
            text = (f"{what}: the {reading.aggregation} of {rule.metric_name} over "
                    f"{rule.time_window_minutes} min is not a finite number")
            logger.warning("rule %s (%s) could not be evaluated: %s", rule.id, rule.name, text)
            return Decision(rule, RuleState.ERROR, NONE, alert=alert, error=text, reason="evaluation failed",
                            state_reason=text, reading=reading)
        decision = Decision(rule, RuleState.OK, NONE, value=value, alert=alert, reading=reading)

        if value is None:
            decision.state = RuleState.NO_DATA
            decision.state_reason = f"No data for {rule.metric_name} in the last {rule.time_window_minutes} min."
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
        have opened max_alerts_per_hour alerts in the last hour: two queries for all of them
        (rules about to fire, without an open alert: few)."""
        if not firing:
            return
        rule_ids = [d.rule.id for d in firing]
        last_hour: dict[int, list[tuple[datetime, int]]] = {}
        for rule_id, alert_id, at in (
            AlertHistory.objects.filter(rule__in=rule_ids, triggered_at__gt=self.now - timedelta(hours=1))
            .values_list("rule", "id", "triggered_at")
            .order_by("triggered_at", "id")
        ):
            last_hour.setdefault(rule_id, []).append((at, alert_id))
        manually_resolved: dict[int, tuple[datetime, int]] = {}
        for rule_id, alert_id, resolved_at in (
            AlertHistory.objects.filter(
                rule__in=rule_ids, status=AlertStatus.RESOLVED, resolved_by__isnull=False,
                resolved_at__gt=self.now - MAX_COOLDOWN,
            )
            .values_list("rule", "id", "resolved_at")
            .order_by("resolved_at", "id")
        ):
            assert resolved_at is not None  # filtered on resolved_at__gt
            manually_resolved[rule_id] = (resolved_at, alert_id)  # the latest wins
        for decision in firing:
            rule = decision.rule
            resolved = manually_resolved.get(rule.id)
            opened = last_hour.get(rule.id, [])
            if resolved and self.now - resolved[0] < timedelta(minutes=rule.cooldown_minutes):
                until = resolved[0] + timedelta(minutes=rule.cooldown_minutes)
                decision.state_reason = (
                    f"Resolved by hand at {format_time(resolved[0])}; a new alert is held back until "
                    f"{format_time(until)} (the rule's cooldown of {rule.cooldown_minutes} min)."
                )
                decision.suppressed_by_alert_id = resolved[1]
            elif len(opened) >= rule.max_alerts_per_hour:
                # The limit lifts when enough of them are over an hour old to leave room for one more.
                until = opened[len(opened) - rule.max_alerts_per_hour][0] + timedelta(hours=1)
                alerts = f"{len(opened)} alert{'' if len(opened) == 1 else 's'}"
                decision.state_reason = (
                    f"{alerts} in the last hour; further alerts held back until {format_time(until)} "
                    f"(max_alerts_per_hour is {rule.max_alerts_per_hour})."
                )
                decision.suppressed_by_alert_id = opened[-1][1]
            else:
                continue
            decision.state = RuleState.SUPPRESSED
            decision.action = SUPPRESSED
            decision.reason = decision.state_reason

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
            if decision.action not in (FIRE, REMIND, RESOLVE) and not decision.needs_write:
                continue  # the steady state: nothing to write
            try:
                with transaction.atomic():
                    entered = decision.state_changed
                    if decision.needs_write and self._change_state(decision) and entered:
                        counts["state_changes"] += 1
                        if decision.state == RuleState.SUPPRESSED:
                            self._tell_suppressed(decision)
                    if decision.action == FIRE and self._fire(decision):
                        counts["fired"] += 1
                    elif decision.action == REMIND and self._remind(decision):
                        counts["reminded"] += 1
                    elif decision.action == RESOLVE and self._resolve(decision):
                        counts["resolved"] += 1
            except Exception as error:
                logger.exception("applying the decision for rule %s (%s) failed", decision.rule.id, decision.rule.name)
                counts["errors"] += 1
                self._record_failure(decision, error)
        self._remember(decisions)
        return counts

    def _change_state(self, decision: Decision) -> bool:
        """Compare-and-set: only the tick that sees the rule in its old state (and reason) moves it."""
        rule = decision.rule
        fields = dict(state=decision.state, state_reason=decision.state_reason, last_value=finite(decision.value),
                      last_evaluated_at=self.now, last_error=decision.error)
        if decision.state_changed:
            fields["state_changed_at"] = self.now
        changed = AlertRule.objects.filter(id=rule.id, state=rule.state, state_reason=rule.state_reason).update(
            **fields
        )
        if changed:
            if decision.state_changed:
                logger.info("rule %s (%s): %s -> %s", rule.id, rule.name, rule.state, decision.state)
            rule.state, rule.state_reason = decision.state, decision.state_reason
        return bool(changed)

    def _record_failure(self, decision: Decision, error: Exception) -> None:
        """A decision that could not be applied (a database error) leaves the rule in `error` with
        what went wrong, rather than in a state that claims what did not happen; the next tick
        tries again."""
        text = f"Could not apply the decision to {decision.action}: {type(error).__name__}: {error}"[:1000]
        decision.state, decision.error, decision.state_reason = RuleState.ERROR, text, text
        try:
            AlertRule.objects.filter(id=decision.rule.id).update(
                state=RuleState.ERROR, state_reason=text, last_error=text, last_evaluated_at=self.now,
                state_changed_at=self.now,
            )
        except Exception:
            logger.exception("recording the failure of rule %s failed too", decision.rule.id)

    def _tell_suppressed(self, decision: Decision) -> None:
        """Once per episode (the alert that reached the limit), the rule's channels hear that new
        alerts are held back, and until when."""
        alert_id = decision.suppressed_by_alert_id
        alert = AlertHistory.objects.filter(pk=alert_id).select_related("rule").first() if alert_id else None
        if alert is None or alert.deliveries.filter(event=NotificationEvent.SUPPRESSED).exists():
            return
        queue_suppressed_notice(alert=alert, text=decision.state_reason, now=self.now)

    def _fire(self, decision: Decision) -> bool:
        rule = decision.rule
        try:
            decision.alert = lifecycle.open_alert(
                rule=rule, now=self.now, value=decision.value, message=describe(rule, decision.value, decision.context),
                context=decision.context,
            )
        except lifecycle.AlertAlreadyActive:
            # Another tick opened this rule's alert first: the database allows only one.
            logger.info("rule %s already has an active alert; not opening another", rule.id)
            return False
        return True

    def _remind(self, decision: Decision) -> bool:
        assert decision.alert is not None  # a reminder is decided only for an open alert
        return lifecycle.remind(alert=decision.alert, now=self.now, value=decision.value)

    def _resolve(self, decision: Decision) -> bool:
        assert decision.alert is not None  # a resolve is decided only for an open alert
        rule = decision.rule
        phrase = resolve_phrase(rule.condition, rule.threshold_value, rule.resolve_threshold)
        notes = f"Resolved automatically: {rule.metric_name} is {format_number(decision.value)} ({phrase})."
        return lifecycle.resolve_by_system(alert=decision.alert, now=self.now, value=decision.value, notes=notes)

    def _remember(self, decisions: list[Decision]) -> None:
        """Every rule's latest value, state and evaluation time, in one cache write: a rule's row
        (and its open alert's) is written only when something happens, and the API reads the
        latest values from here."""
        evaluations = {}
        at = self.now.isoformat()
        for d in decisions:
            evaluations[d.rule.id] = (finite(d.value), at, str(d.state), d.error, d.state_reason)
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
    state_reason: str = ""


def latest_evaluations() -> dict[int, Evaluation]:
    """Rule id -> its latest evaluation from the last tick."""
    evaluations = {}
    for rule_id, row in (cache.get(EVALUATIONS_CACHE_KEY) or {}).items():
        evaluation = Evaluation(*row)
        if evaluation.value is not None and not math.isfinite(evaluation.value):  # written before they were refused
            evaluation = Evaluation(None, *row[1:])
        evaluations[rule_id] = evaluation
    return evaluations


def run_tick(*, now: datetime | None = None) -> TickReport:
    """One evaluation tick, unless another is still running or the database is locked (see
    tick_lock: the lock outlives a crashed tick by less than the check interval)."""
    started = now or timezone.now()
    report, skip_reason = run_locked(lambda: AlertEngine(now=now).run())
    return report if report is not None else TickReport(started_at=started, skipped=True, skip_reason=skip_reason)
