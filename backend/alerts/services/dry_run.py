"""Dry runs: what the engine would make of a rule now, saved or being edited, without writing
anything or telling anyone (the API's "evaluate now" and the rule form's preview)."""

import math

from ..metrics import get_metric
from ..models import AlertRule, RuleKind
from . import promql
from .alert_engine import STATE_RANK, AlertEngine, condition_holds
from .lifecycle import annotations, finite


def draft(*, saved: AlertRule | None, fields: dict) -> AlertRule:
    """An unsaved rule: the saved rule's fields (if any) changed by `fields`."""
    rule = AlertRule()
    if saved is not None:
        rule = AlertRule(**{f.attname: getattr(saved, f.attname) for f in AlertRule._meta.concrete_fields})
    for name, value in fields.items():
        setattr(rule, name, value)
    return rule


def evaluate(rule: AlertRule) -> dict:
    """The dry run of a saved rule."""
    return report(rule, current_state=rule.state)


def evaluate_draft(*, saved: AlertRule | None, fields: dict) -> dict:
    """The dry run of a rule being created (`saved` None) or edited (`fields` change `saved`)."""
    return report(draft(saved=saved, fields=fields), current_state=saved.state if saved is not None else None)


def report(rule: AlertRule, *, current_state: str | None) -> dict:
    """What the engine would make of `rule` now (saved or not): plan() reads, never writes."""
    engine = AlertEngine()
    (decision,) = engine.plan([rule])
    reading = decision.reading
    metric = get_metric(rule.metric_name)
    value = finite(decision.value)
    points = reading.points if reading else []
    if rule.kind == RuleKind.PROMQL and reading is not None and not decision.error:
        # The worst series' last hour, as its alert's chart would show it.
        worst = next((g for g in decision.all_groups() if g.reading is reading), None)
        points = promql.charts(rule, now=engine.now).get(worst.fingerprint if worst else "", points)
    return {
        "rule_id": rule.pk,
        "evaluated_at": engine.now,
        "kind": rule.kind,
        "query": rule.expr if rule.kind == RuleKind.PROMQL else "",
        "data_source": rule.data_source_id if rule.kind == RuleKind.PROMQL else None,
        "metric_name": rule.metric_name,
        "source": "promql" if rule.kind == RuleKind.PROMQL else metric.data if metric else "",
        "aggregation": reading.aggregation if reading else rule.effective_aggregation,
        "window_minutes": rule.time_window_minutes,
        "window_start": reading.start if reading else None,
        "window_end": reading.end if reading else None,
        "value": value,
        "no_data": value is None,
        "condition": rule.condition,
        "threshold_value": rule.threshold_value,
        "resolve_threshold": rule.resolve_threshold,
        "condition_met": None if value is None else condition_holds(rule.condition, value, rule.threshold_value),
        "current_state": current_state,
        "state": decision.state,
        "action": decision.action,
        "reason": decision.reason,
        "error": decision.error,
        "open_alert_id": decision.alert.pk if decision.alert else None,
        "summary": _summary(rule, decision, value),
        "points": [{"t": t, "v": finite(v)} for t, v in points],
        "groups": [_group(rule, d) for d in sorted(
            decision.all_groups() if rule.is_grouped else [],
            key=lambda d: (-STATE_RANK.get(d.state, 0), -(d.value if d.value is not None else -math.inf)),
        ) if not d.forget],
    }


def _group(rule: AlertRule, decision) -> dict:
    """One group of a grouped rule's dry run, worst first in the list."""
    value = finite(decision.value)
    return {
        "labels": decision.group_labels or {},
        "fingerprint": decision.fingerprint,
        "value": value,
        "condition_met": None if value is None else condition_holds(rule.condition, value, rule.threshold_value),
        "current_state": decision.previous_state if decision.group_known else None,
        "state": decision.state,
        "action": decision.action,
        "reason": decision.reason,
        "error": decision.error,
        "open_alert_id": decision.alert.pk if decision.alert else None,
        "summary": _summary(rule, decision, value),
    }


def _summary(rule: AlertRule, decision, value: float | None) -> str:
    """The rule's summary as an alert opened now (for this group) would get it: "" when the rule has
    none, the note an alert gets when the template fails on these values."""
    if not rule.summary:
        return ""
    alert_labels = {**(rule.labels or {}), **(decision.group_labels or {})}
    return annotations(rule, value=value, context=decision.context, labels=alert_labels)["summary"]
