"""AlertEngine: every active rule, every minute, through the state machine of docs/architecture.md §4.

One tick reads each telemetry source once (MetricCollector), decides what each rule needs
(`plan`, pure and side-effect free: the dry run and the API's "evaluate now" use it alone), then
applies the decisions (`apply`): a rule's row is written only when its state changes, alerts are
opened and resolved with compare-and-set updates under the database's one-active-alert-per-rule
constraint, and notifications are queued only after each change commits.

Per-tick values of rules whose state did not change go to the cache (one write per tick), where
the API reads them.
"""

import gc
import json
import logging
import math
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from monitoring.labels import describe as describe_labels
from monitoring.labels import parse_matchers
from monitoring.selectors import LabelledReading, Reading
from monitoring.sources.sample_cache import TimeAsText, moment_from_text, raw_rows

from ..metrics import get_metric
from ..models import (
    CONDITION_ALIASES,
    CONDITION_SYMBOLS,
    AlertHistory,
    AlertRule,
    AlertRuleGroup,
    AlertStatus,
    NotificationEvent,
    RuleKind,
    RuleState,
    effective_aggregation,
)
from . import lifecycle, promql
from .lifecycle import finite
from .messages import format_number, format_time, resolve_phrase
from .metric_collector import MetricCollector
from .notifications import queue_suppressed_notice
from .tick_lock import TICK_LOCK_KEY, run_locked  # noqa: F401 (TICK_LOCK_KEY: where the lock lives)

logger = logging.getLogger(__name__)

# eq and ne compare with this tolerance, so that 0.1 + 0.2 "equals" 0.3.
EQUALITY_TOLERANCE = 1e-9
EVALUATIONS_CACHE_KEY = "alerts:evaluations"
GROUP_EVALUATIONS_CACHE_KEY = "alerts:group-evaluations"
# The longest cooldown a rule may have (AlertRule.cooldown_minutes): how far back a manual resolve
# can still hold a new alert back.
MAX_COOLDOWN = timedelta(days=7)


class GroupRow(NamedTuple):
    """What a tick needs of one AlertRuleGroup row (a tick of grouped rules reads tens of thousands,
    as the driver gives them, the time as text: see columns)."""

    fingerprint: str
    state: str
    state_reason: str
    changed: str | None  # state_changed_at as TimeAsText has it

    @classmethod
    def columns(cls) -> list:
        """The columns of a row `of` takes (the rule's id first)."""
        return ["rule_id", "fingerprint", "state", "state_reason", TimeAsText("state_changed_at")]

    @classmethod
    def of(cls, row: tuple | None) -> "GroupRow | None":
        return cls(*row[1:]) if row is not None else None

    @property
    def state_changed_at(self) -> datetime | None:
        return moment_from_text(self.changed)


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
    kind: str = RuleKind.METRIC
    expr: str = ""
    data_source_id: int | None = None
    # The rule's version in the audit trail, which an alert it opens records.
    config_version: int = 0

    @classmethod
    def fields(cls) -> list[str]:
        return list(cls.__dataclass_fields__)

    @classmethod
    def of(cls, rule: AlertRule) -> "RuleSnapshot":
        return cls(*(getattr(rule, name) for name in cls.fields()))

    @classmethod
    def active(cls) -> list["RuleSnapshot"]:
        # The JSON fields come as their text, decoded only when not empty: most rules have no
        # matchers, group_by or labels, and decoding them all costs a 5,000-rule tick a third.
        names = [f"{name}_text" if name in JSON_FIELDS else name for name in cls.fields()]
        rows = (
            AlertRule.objects.filter(is_active=True).order_by("id")
            .annotate(**{f"{name}_text": Cast(name, TextField()) for name in JSON_FIELDS})
            .values_list(*names)
        )
        json_at = [i for i, name in enumerate(cls.fields()) if name in JSON_FIELDS]
        snapshots = []
        for row in rows:
            values = list(row)
            for i in json_at:
                values[i] = _json_value(values[i])
            snapshots.append(cls(*values))
        return snapshots

    @property
    def effective_aggregation(self) -> str:
        return effective_aggregation(self.metric_name, self.aggregation)

    @property
    def is_promql(self) -> bool:
        return self.kind == RuleKind.PROMQL

    @property
    def grouped(self) -> bool:
        """Evaluated per group: a rule with group_by, or a promql rule (each series it returns)."""
        return bool(self.group_by) or self.is_promql


JSON_FIELDS = ("label_matchers", "group_by", "labels")
_EMPTY_JSON: dict[str, object] = {"[]": [], "{}": {}}


def _json_value(text: str | None):
    if text is None:
        return None
    empty = _EMPTY_JSON.get(text)
    if empty is not None:
        return type(empty)()  # a fresh one: a snapshot's list is its own
    return json.loads(text)


# What a tick does about a rule.
FIRE = "fire"
REMIND = "remind"
RESOLVE = "resolve"
UPDATE = "update"  # still breaching, nothing new to tell anyone
NONE = "none"
SUPPRESSED = "suppressed"  # the condition holds but a limit keeps a new alert back


# Which group state a grouped rule shows: its worst group's.
STATE_RANK: dict[str, int] = {
    RuleState.OK: 0, RuleState.NO_DATA: 1, RuleState.PENDING: 2, RuleState.SUPPRESSED: 3, RuleState.FIRING: 4,
    RuleState.ERROR: 5,
}


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


@dataclass(slots=True)
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
    # The state (and reason) this decision moves from: the rule's, or its group's.
    previous_state: str | None = None
    previous_reason: str | None = None
    # A grouped rule's group: its labels (None: not a group) and fingerprint.
    group_labels: dict | None = None
    fingerprint: str = ""
    # The group's row exists (its state is kept); `forget`: delete it (gone, nothing open).
    group_known: bool = False
    forget: bool = False
    # A grouped rule's decision: one per group (None for a rule that is not grouped).
    groups: list["Decision"] | None = None
    # A grouped rule's groups in the steady state (known, OK, nothing open, within the threshold):
    # just their readings, as most groups of a tick are; all_groups() makes them decisions.
    quiet: list[LabelledReading] = field(default_factory=list)
    # What a resolve notes, when not the engine's usual "back to normal".
    resolve_notes: str = ""

    def __post_init__(self):
        if self.previous_state is None:
            self.previous_state = self.rule.state
        if self.previous_reason is None:
            self.previous_reason = self.rule.state_reason or ""

    @property
    def state_changed(self) -> bool:
        return self.state != self.previous_state

    @property
    def needs_write(self) -> bool:
        if self.group_labels is not None and not self.group_known:
            return not self.forget
        return self.forget or self.state_changed or self.state_reason != (self.previous_reason or "")

    def each(self) -> list["Decision"]:
        """This decision's alert-level decisions that may act: its groups' (but the quiet), or its own."""
        return self.groups if self.groups is not None else [self]

    def all_groups(self) -> list["Decision"]:
        """Every group's decision, the quiet ones' too."""
        return [*(self.groups or []), *(self.quiet_decision(g) for g in self.quiet)]

    def quiet_decision(self, group: LabelledReading) -> "Decision":
        """What _judge decides for a group in the steady state."""
        return Decision(self.rule, RuleState.OK, NONE, value=group.reading.value, reading=group.reading,
                        group_labels=group.labels, fingerprint=group.fingerprint, previous_state=RuleState.OK,
                        previous_reason="", group_known=True, reason="within the threshold")

    @property
    def context(self) -> dict:
        """Why the value is what it is: the window, the aggregation, the per-minute values, and
        what they were compared with. Built only for the alerts that need it."""
        rule = self.rule
        base = self.reading.as_context() if self.reading else {}
        extra: dict = {"labels": self.group_labels} if self.group_labels is not None else {}
        if rule.is_promql:
            extra["query"] = rule.expr
        return finite({**base, "condition": rule.condition, "threshold": rule.threshold_value,
                       "resolve_threshold": rule.resolve_threshold, **extra})


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
        # The alerts' opened and resolved events of this tick, written in one insert at its end.
        self.events: list = []

    # --- deciding -------------------------------------------------------------------------------

    def plan(self, rules: Sequence[RuleSnapshot | AlertRule]) -> list[Decision]:
        """What each rule needs now (and each group of a grouped rule). Reads, never writes."""
        snapshots = [r if isinstance(r, RuleSnapshot) else RuleSnapshot.of(r) for r in rules]
        self.collector.prefetch(rule.metric_name for rule in snapshots if not rule.is_promql)
        promql_rules = [rule for rule in snapshots if rule.is_promql]
        queries_deadline = time.monotonic() + promql.budget_seconds()
        self.promql = promql.query_all(promql_rules, now=self.now)
        # All open alerts (few, and indexed by status), rather than an IN list of every rule id.
        open_alerts: dict[tuple[int | None, str], AlertHistory] = {
            (alert.rule_id, alert.group_fingerprint): alert
            for alert in AlertHistory.objects.filter(status=AlertStatus.ACTIVE).defer(
                "context", "message", "resolution_notes"
            )
        }
        # Each rule's group rows by fingerprint, as the driver gives them (GroupRow.columns): a tick
        # of grouped rules reads tens of thousands, and most are only looked at.
        groups: dict[int, dict[str, tuple]] = {}
        if any(rule.grouped for rule in snapshots):
            active = AlertRuleGroup.objects.filter(rule__is_active=True).order_by().values_list(*GroupRow.columns())
            for row in raw_rows(active):
                groups.setdefault(row[0], {})[row[1]] = row
            for rule in snapshots:  # a dry run's rule may be inactive, or not saved
                if rule.grouped and rule.id and rule.id not in groups:
                    rows = AlertRuleGroup.objects.filter(rule_id=rule.id).order_by().values_list(*GroupRow.columns())
                    for row in raw_rows(rows):
                        groups.setdefault(row[0], {})[row[1]] = row
        # The open alerts of groups, by rule (few rules have any): looked up per rule, not scanned.
        by_group: dict[int | None, dict[str, AlertHistory]] = {}
        for (rule_id, fingerprint), alert in open_alerts.items():
            if fingerprint:
                by_group.setdefault(rule_id, {})[fingerprint] = alert
        decisions = []
        for rule in snapshots:
            if rule.grouped:
                mine = dict(by_group.get(rule.id, {}))
                if (rule.id, "") in open_alerts:
                    mine[""] = open_alerts[(rule.id, "")]
                decisions.append(self._decide_grouped(rule, mine, groups.get(rule.id, {})))
            else:
                decisions.append(self._decide_one(rule, open_alerts.get((rule.id, "")), by_group.get(rule.id, {})))
        firing = [(decision, d) for decision in decisions for d in decision.each() if d.action == FIRE]
        self._apply_limits([d for _, d in firing])
        if promql_rules:  # the alerts about to open show the last hour of their series
            promql.add_charts([d for _, d in firing if d.action == FIRE and d.rule.is_promql], now=self.now,
                              deadline=queries_deadline)
        for decision in {id(decision): decision for decision, _ in firing}.values():
            if decision.rule.grouped and decision.groups:
                self._summarise(decision)  # again: a limit may have held a group back
        return decisions

    # --- a rule without group_by: one value over all its matching series

    def _decide_one(self, rule: RuleSnapshot, alert: AlertHistory | None, group_alerts: dict) -> Decision:
        try:
            reading = self.collector.get_reading(
                rule.metric_name, rule.time_window_minutes, rule.aggregation or None,
                matchers=parse_matchers(rule.label_matchers),
            )
        except Exception as error:  # one broken rule must not stop the others
            return self._failed(rule, alert, error)
        decision = self._judge(rule, reading, alert, since=rule.state_changed_at)
        regrouped = list(group_alerts.values())
        if regrouped:
            # Alerts of groups from before the rule lost its group_by: nothing else would close them.
            decision.groups = [decision, *(self._regrouped(rule, a) for a in regrouped)]
        return decision

    def _failed(self, rule: RuleSnapshot, alert: AlertHistory | None, error: Exception, **group) -> Decision:
        logger.warning("rule %s (%s) could not be evaluated: %s", rule.id, rule.name, error)
        text = str(error) or type(error).__name__
        return Decision(rule, RuleState.ERROR, NONE, alert=alert, error=text, reason="evaluation failed",
                        state_reason=text, **group)

    def _regrouped(self, rule: RuleSnapshot, alert: AlertHistory) -> Decision:
        """An open alert that no longer belongs to any group the rule evaluates (its group_by was
        changed): resolved, with that said."""
        decision = Decision(rule, RuleState.OK, RESOLVE, alert=alert, reason="the rule's grouping changed",
                            group_labels=alert.group_labels, fingerprint=alert.group_fingerprint,
                            previous_state=RuleState.OK, previous_reason="", group_known=True)
        decision.resolve_notes = (
            "Resolved: the rule's grouping (group_by) changed, so this group is no longer evaluated."
        )
        return decision

    # --- a rule with group_by: each group on its own

    def _decide_grouped(self, rule: RuleSnapshot, mine: dict[str, AlertHistory],
                        known: dict[str, tuple]) -> Decision:
        """`mine`: the rule's open alerts by group fingerprint; `known`: its groups' rows (see plan)."""
        summary = Decision(rule, RuleState.OK, NONE, groups=[])
        try:
            if rule.is_promql:
                found = promql.groups(self.promql, rule, now=self.now)
            else:
                found = self.collector.get_groups(
                    rule.metric_name, rule.time_window_minutes, rule.aggregation or None,
                    matchers=parse_matchers(rule.label_matchers), group_by=tuple(rule.group_by),
                )
        except Exception as error:
            failed = self._failed(rule, None, error)
            failed.groups = []
            return failed
        if len(found) > rule.max_series_per_rule:
            what = ("series returned by the query" if rule.is_promql
                    else f"groups of {rule.metric_name} by {', '.join(rule.group_by)} match")
            narrow = ("narrow the query (e.g. aggregate with sum by (...))" if rule.is_promql
                      else "narrow the label matchers")
            text = (f"{len(found)} {what}, more than max_series_per_rule ({rule.max_series_per_rule}): {narrow} or "
                    "raise the limit. No group is evaluated meanwhile.")
            return Decision(rule, RuleState.ERROR, NONE, error=text, reason="too many groups", state_reason=text,
                            groups=[])
        assert summary.groups is not None
        seen = set()
        for group in found:
            seen.add(group.fingerprint)
            raw = known.get(group.fingerprint)
            value = group.reading.value
            if (raw is not None and raw[2] == RuleState.OK and not raw[3] and value is not None
                    and not condition_holds(rule.condition, value, rule.threshold_value)
                    and group.fingerprint not in mine):
                summary.quiet.append(group)  # the steady state of most groups: nothing to decide
                continue
            row = GroupRow.of(raw)
            judged = self._judge(
                rule, group.reading, mine.get(group.fingerprint),
                since=row.state_changed_at if row else None,
                previous_state=row.state if row else RuleState.OK, previous_reason=row.state_reason if row else "",
                group_labels=group.labels, fingerprint=group.fingerprint, group_known=row is not None,
            )
            if judged.state == RuleState.NO_DATA and judged.alert is None and judged.action == NONE:
                # Seen lately, but not in this window: gone, as below.
                seen.discard(group.fingerprint)
                continue
            summary.groups.append(judged)
        for fingerprint in sorted((set(known) | set(mine)) - seen):
            alert, row = mine.get(fingerprint), GroupRow.of(known.get(fingerprint))
            if not fingerprint:
                if alert is not None and not alert.manual:
                    summary.groups.append(self._regrouped(rule, alert))
                continue
            if row is not None:  # its labels were not loaded with the rows: few groups go
                labels = AlertRuleGroup.objects.filter(rule_id=rule.id, fingerprint=fingerprint).values_list(
                    "labels", flat=True
                ).first() or {}
            else:
                labels = alert.group_labels if alert else {}
            # The group has gone (no data in the window): the rule's no-data behaviour applies.
            gone = self._judge(
                rule, None, alert, since=row.state_changed_at if row else None,
                previous_state=row.state if row else RuleState.OK, previous_reason=row.state_reason if row else "",
                group_labels=labels, fingerprint=fingerprint, group_known=row is not None,
            )
            if alert is None and gone.action == NONE:
                gone.forget = row is not None  # nothing open, nothing to watch: it starts afresh if it returns
            if gone.forget or gone.action != NONE or gone.needs_write:
                summary.groups.append(gone)
        self._summarise(summary)
        return summary

    def _summarise(self, summary: Decision) -> None:
        """A grouped rule's own state: its worst group's (none: no data), with how many are in it."""
        assert summary.groups is not None
        live = [d for d in summary.groups if not d.forget and d.reason != "the rule's grouping changed"]
        if summary.quiet:  # all OK with a (finite) value: the one with the highest stands for them
            live.append(summary.quiet_decision(max(summary.quiet, key=lambda g: g.reading.value or 0.0)))
        rule = summary.rule
        if not live and rule.is_promql:
            # No series returned: for an expression with its own comparison, nothing breaches.
            summary.state, summary.reason = RuleState.OK, "no series returned"
            return
        if not live:
            summary.state = RuleState.NO_DATA
            summary.state_reason = f"No series of {rule.metric_name} match in the last {rule.time_window_minutes} min."
            summary.reason = "no groups"
            return
        worst = max(live, key=lambda d: (STATE_RANK.get(d.state, 0), d.value if d.value is not None else -math.inf))
        summary.state, summary.value, summary.reading = worst.state, worst.value, worst.reading
        evaluated = len(live) - (1 if summary.quiet else 0) + len(summary.quiet)
        if worst.state != RuleState.OK:
            count = sum(1 for d in live if d.state == worst.state)
            names = ", ".join(describe_labels(d.group_labels or {}) or "{}" for d in live if d.state == worst.state)
            summary.state_reason = (
                f"{count} of {evaluated} group{'' if evaluated == 1 else 's'} {RuleState(worst.state).label.lower()}: "
                f"{names}"
            )[:1000]
        summary.reason = f"{evaluated} group{'' if evaluated == 1 else 's'} evaluated"

    # --- one value against the rule

    def _judge(self, rule: RuleSnapshot, reading: Reading | None, alert: AlertHistory | None, *,
               since: datetime | None, **group) -> Decision:
        """What one value (a rule's, or one group's; None: no data) means for its open alert."""
        value = reading.value if reading is not None else None
        reading_error = getattr(reading, "error", None)
        if reading is not None and (reading_error or (value is not None and not math.isfinite(value))):
            # Finite samples can add up past the largest float: an infinite value would compare as
            # breaching (or, NaN, as nothing) and cannot be stored or shown; the reader may also
            # say so itself. An error, said as one, never "no data".
            if reading_error:
                what = reading_error
            elif value is not None and math.isinf(value):
                what = "value overflowed"
            else:
                what = "value is not a number (NaN)"
            text = (f"{what}: the query's value is not a finite number" if rule.is_promql else
                    f"{what}: the {reading.aggregation} of {rule.metric_name} over "
                    f"{rule.time_window_minutes} min is not a finite number")
            logger.warning("rule %s (%s) could not be evaluated: %s", rule.id, rule.name, text)
            return Decision(rule, RuleState.ERROR, NONE, alert=alert, error=text, reason="evaluation failed",
                            state_reason=text, reading=reading, **group)
        decision = Decision(rule, RuleState.OK, NONE, value=value, alert=alert, reading=reading, **group)

        if reading is None and rule.is_promql:
            # A series the query no longer returns is back to normal (Prometheus' own semantics:
            # an expression with its comparison returns only the series that breach it).
            breaching = False
            gone = describe_labels(group.get("group_labels") or {}) or "{}"
            decision.resolve_notes = f"Resolved automatically: the query no longer returns {gone}."
        elif value is None:
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

        if breaching and value is not None and rule.for_minutes and self._still_pending(rule, decision, since):
            return decision
        if breaching:
            if value is not None:
                decision.state = RuleState.FIRING
            decision.action = FIRE
            decision.reason = "no data" if value is None else "threshold crossed"
        else:
            decision.reason = "within the threshold"
        return decision

    def _still_pending(self, rule: RuleSnapshot, decision: Decision, since: datetime | None) -> bool:
        """The pending period: the condition must have held on every tick for for_minutes before
        the rule (or group) fires. Whether it is still pending (the decision then says so); False
        when it has held long enough. A rule held back by a limit, or whose alert a person just
        resolved, has been through its pending period already."""
        if decision.previous_state in (RuleState.FIRING, RuleState.SUPPRESSED):
            return False
        pending_since = since if decision.previous_state == RuleState.PENDING and since else self.now
        period = timedelta(minutes=rule.for_minutes)
        # Ticks start a little late or early: half an interval of slack, so that the tick due at
        # the end of the period fires and the one before it never does.
        if self.now - pending_since >= period - timedelta(seconds=settings.ALERT_CHECK_INTERVAL_SECONDS / 2):
            return False
        decision.state = RuleState.PENDING
        decision.reason = "condition holds; pending"
        decision.state_reason = (
            f"The condition has held since {format_time(pending_since)}; the alert opens if it still holds at "
            f"{format_time(pending_since + period)} (pending period {rule.for_minutes} min)."
        )
        return True

    def _reminder_due(self, rule: RuleSnapshot, alert: AlertHistory) -> bool:
        if not rule.cooldown_minutes or alert.acknowledged_at is not None:
            return False  # no reminders, or someone has it
        last = alert.reminded_at or alert.triggered_at
        return self.now - last >= timedelta(minutes=rule.cooldown_minutes)

    def _apply_limits(self, firing: list[Decision]) -> None:
        """Hold back new alerts of rules (or groups) that a person resolved less than a cooldown
        ago, or of rules that have opened max_alerts_per_hour alerts in the last hour, counting the
        groups that fire in this tick: two queries for all of them (rules about to fire: few)."""
        if not firing:
            return
        rule_ids = sorted({d.rule.id for d in firing})
        last_hour: dict[int, list[tuple[datetime, int]]] = {}
        for rule_id, alert_id, at in (
            AlertHistory.objects.filter(rule__in=rule_ids, triggered_at__gt=self.now - timedelta(hours=1))
            .values_list("rule", "id", "triggered_at")
            .order_by("triggered_at", "id")
        ):
            last_hour.setdefault(rule_id, []).append((at, alert_id))
        manually_resolved: dict[tuple[int, str], tuple[datetime, int]] = {}
        for rule_id, fingerprint, alert_id, resolved_at in (
            AlertHistory.objects.filter(
                rule__in=rule_ids, status=AlertStatus.RESOLVED, resolved_by__isnull=False,
                resolved_at__gt=self.now - MAX_COOLDOWN,
            )
            .values_list("rule", "group_fingerprint", "id", "resolved_at")
            .order_by("resolved_at", "id")
        ):
            assert resolved_at is not None  # filtered on resolved_at__gt
            manually_resolved[(rule_id, fingerprint)] = (resolved_at, alert_id)  # the latest wins
        firing_now: dict[int, int] = {}
        for decision in firing:
            rule = decision.rule
            resolved = manually_resolved.get((rule.id, decision.fingerprint))
            opened = last_hour.get(rule.id, [])
            if resolved and self.now - resolved[0] < timedelta(minutes=rule.cooldown_minutes):
                until = resolved[0] + timedelta(minutes=rule.cooldown_minutes)
                decision.state_reason = (
                    f"Resolved by hand at {format_time(resolved[0])}; a new alert is held back until "
                    f"{format_time(until)} (the rule's cooldown of {rule.cooldown_minutes} min)."
                )
                decision.suppressed_by_alert_id = resolved[1]
            elif len(opened) + firing_now.get(rule.id, 0) >= rule.max_alerts_per_hour:
                if opened:
                    # The limit lifts when enough of them are over an hour old to leave room for one more.
                    oldest = max(0, len(opened) + firing_now.get(rule.id, 0) - rule.max_alerts_per_hour)
                    until = opened[min(oldest, len(opened) - 1)][0] + timedelta(hours=1)
                else:
                    until = self.now + timedelta(hours=1)
                total = len(opened) + firing_now.get(rule.id, 0)
                alerts = f"{total} alert{'' if total == 1 else 's'}"
                decision.state_reason = (
                    f"{alerts} in the last hour; further alerts held back until {format_time(until)} "
                    f"(max_alerts_per_hour is {rule.max_alerts_per_hour})."
                )
                decision.suppressed_by_alert_id = opened[-1][1] if opened else None
            else:
                firing_now[rule.id] = firing_now.get(rule.id, 0) + 1
                continue
            decision.state = RuleState.SUPPRESSED
            decision.action = SUPPRESSED
            decision.reason = decision.state_reason

    # --- acting ---------------------------------------------------------------------------------

    def apply(self, decisions: list[Decision]) -> dict:
        counts = {"fired": 0, "reminded": 0, "resolved": 0, "suppressed": 0, "no_data": 0, "errors": 0,
                  "state_changes": 0}
        for decision in decisions:
            if decision.rule.grouped:
                counts.setdefault("groups", 0)
                counts["groups"] += len(decision.groups or []) + len(decision.quiet)
                for group in decision.groups or []:
                    self._apply_one(group, counts, count_states=False)
                self._apply_one(decision, counts)
            else:
                for one in decision.each():
                    self._apply_one(one, counts, count_states=one is decision)
        lifecycle.save_events(self.events)
        self._remember(decisions)
        return counts

    def _apply_one(self, decision: Decision, counts: dict, *, count_states: bool = True) -> None:
        if count_states:
            if decision.state == RuleState.NO_DATA:
                counts["no_data"] += 1
            elif decision.state == RuleState.ERROR:
                counts["errors"] += 1
        if decision.action == SUPPRESSED:
            counts["suppressed"] += 1
        if decision.action not in (FIRE, REMIND, RESOLVE) and not decision.needs_write:
            return  # the steady state: nothing to write
        events_before = len(self.events)
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
            del self.events[events_before:]  # rolled back with the alert they are about
            logger.exception("applying the decision for rule %s (%s) failed", decision.rule.id, decision.rule.name)
            counts["errors"] += 1
            self._record_failure(decision, error)

    def _change_state(self, decision: Decision) -> bool:
        """Compare-and-set: only the tick that sees the rule (or group) in its old state (and
        reason) moves it."""
        if decision.group_labels is not None:
            return self._change_group_state(decision)
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

    def _change_group_state(self, decision: Decision) -> bool:
        rule = decision.rule
        rows = AlertRuleGroup.objects.filter(rule_id=rule.id, fingerprint=decision.fingerprint)
        if decision.forget:
            return bool(rows.filter(state=decision.previous_state).delete()[0])
        fields = dict(state=decision.state, state_reason=decision.state_reason, last_value=finite(decision.value),
                      last_evaluated_at=self.now)
        if not decision.group_known:
            _, created = AlertRuleGroup.objects.get_or_create(
                rule_id=rule.id, fingerprint=decision.fingerprint,
                defaults={**fields, "labels": decision.group_labels or {}, "state_changed_at": self.now},
            )
            return created
        if decision.state_changed:
            fields["state_changed_at"] = self.now
        changed = rows.filter(state=decision.previous_state, state_reason=decision.previous_reason).update(**fields)
        if changed and decision.state_changed:
            logger.info("rule %s (%s) group %s: %s -> %s", rule.id, rule.name,
                        describe_labels(decision.group_labels or {}), decision.previous_state, decision.state)
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
                rule=rule, now=self.now, value=decision.value,
                message=describe(rule, decision.value, decision.context, decision.group_labels),
                context=decision.context, group_labels=decision.group_labels, events=self.events,
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
        series = series_name(rule, decision.group_labels)
        notes = decision.resolve_notes or (
            f"Resolved automatically: {series} is {format_number(decision.value)} ({phrase})."
        )
        return lifecycle.resolve_by_system(alert=decision.alert, now=self.now, value=decision.value, notes=notes,
                                           events=self.events)

    def _remember(self, decisions: list[Decision]) -> None:
        """Every rule's latest value, state and evaluation time, in one cache write: a rule's row
        (and its open alert's) is written only when something happens, and the API reads the
        latest values from here."""
        evaluations = {}
        groups: dict[int, dict[str, tuple]] = {}
        at = self.now.isoformat()
        for d in decisions:
            evaluations[d.rule.id] = (finite(d.value), at, str(d.state), d.error, d.state_reason)
            if d.rule.grouped:
                mine = groups[d.rule.id] = {
                    g.fingerprint: (finite(g.value), at, str(g.state), g.error, g.state_reason)
                    for g in d.groups or [] if not g.forget
                }
                ok = str(RuleState.OK)
                for quiet in d.quiet:
                    mine[quiet.fingerprint] = (quiet.reading.value, at, ok, "", "")
        values: dict[str, dict] = {EVALUATIONS_CACHE_KEY: evaluations}
        if groups:  # no grouped rule (most deployments): one write, as before groups existed
            values[GROUP_EVALUATIONS_CACHE_KEY] = groups
        cache.set_many(values, timeout=24 * 3600)

    # --- one tick -------------------------------------------------------------------------------

    def run(self, *, dry_run: bool = False) -> TickReport:
        report = TickReport(started_at=self.now)
        with _without_cycle_collection():
            rules = RuleSnapshot.active()
            report.decisions = self.plan(rules)
            if not dry_run:
                report.counts = self.apply(report.decisions)
        return report


@contextmanager
def _without_cycle_collection():
    """A tick makes a few objects per rule and group (hundreds of thousands for 5,000 grouped
    rules), which reference counting frees when it ends; meanwhile the cyclic collector would walk
    them again and again as they pile up (a third of such a tick). It runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def series_name(rule: RuleSnapshot, group_labels: dict | None) -> str:
    """How messages name a rule's series: the metric and the group's labels, or for a promql rule
    the series' labels (`{}` for one without any)."""
    if rule.is_promql:
        return describe_labels(group_labels or {}) or "{}"
    return rule.metric_name + describe_labels(group_labels or {})


def describe(rule: RuleSnapshot, value: float | None, context: dict, group_labels: dict | None = None) -> str:
    """One sentence saying what fired: "cpu_usage (avg over 5 min) is 91.2 %, > 80 %" (a group's:
    'api_error_rate{route="/api/orders/"} (avg over 5 min) is 12 %, > 5 %')."""
    aggregation = context.get("aggregation", rule.effective_aggregation)
    window = context.get("window_minutes", rule.time_window_minutes)
    if rule.is_promql:
        series = series_name(rule, group_labels)
        if value is None:
            return f"{series} has no value"
        return (f"{series} is {format_number(value)}, {CONDITION_SYMBOLS[rule.condition]} "
                f"{format_number(rule.threshold_value)} (query: {rule.expr[:200]})")
    metric = get_metric(rule.metric_name)
    unit = f" {metric.unit}" if metric and metric.unit else ""
    series = series_name(rule, group_labels)
    if value is None:
        return f"{series} has had no data for {window} min"
    return (
        f"{series} ({aggregation} over {window} min) is {format_number(value)}{unit}, "
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


def latest_group_evaluations() -> dict[int, dict[str, Evaluation]]:
    """Rule id -> its groups' latest evaluations (fingerprint -> Evaluation) from the last tick."""
    return {
        rule_id: {fingerprint: Evaluation(*row) for fingerprint, row in groups.items()}
        for rule_id, groups in (cache.get(GROUP_EVALUATIONS_CACHE_KEY) or {}).items()
    }


def run_tick(*, now: datetime | None = None) -> TickReport:
    """One evaluation tick, unless another is still running or the database is locked (see
    tick_lock: the lock outlives a crashed tick by less than the check interval)."""
    started = now or timezone.now()
    report, skip_reason = run_locked(lambda: AlertEngine(now=now).run())
    return report if report is not None else TickReport(started_at=started, skipped=True, skip_reason=skip_reason)
