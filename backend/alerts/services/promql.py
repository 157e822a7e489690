"""Rules of kind promql in a tick: one instant query per rule at the tick's time, sent to the
rules' data sources a few at a time, within a budget that keeps the tick inside its lock; each
series returned becomes a group (monitoring's LabelledReading), judged by the engine as any
group of a grouped rule is.

A query that fails (a timeout, an HTTP error, a bad expression) leaves its rule in `error` with
the data source's message; it never opens or resolves an alert by itself.
"""

import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from django.conf import settings

from monitoring import labels as series_labels
from monitoring.models import DataSource
from monitoring.prometheus import Client, PrometheusError, Series
from monitoring.selectors import LabelledReading, Reading

# Queries of one tick run at most this many at a time.
QUERY_WORKERS = 8
# The share of the tick's lock (ALERT_TICK_LOCK_SECONDS) the queries may take together: what is
# not answered by then is an error of its rule, and the tick goes on without it.
BUDGET_SHARE = 0.5
# A chart's range query: the last hour, one point a minute.
CHART_MINUTES = 60
CHART_STEP_SECONDS = 60


def budget_seconds() -> float:
    return max(1.0, settings.ALERT_TICK_LOCK_SECONDS * BUDGET_SHARE)


def _sources(rules) -> dict[int, DataSource]:
    ids = {rule.data_source_id for rule in rules if rule.data_source_id is not None}
    return DataSource.objects.in_bulk(ids) if ids else {}


def query_all(rules, *, now: datetime) -> dict[int, list[Series] | Exception]:
    """Each rule's series at `now` (or what went wrong), by id() of the rule object."""
    if not rules:
        return {}
    sources = _sources(rules)
    results: dict[int, list[Series] | Exception] = {}
    work = []
    for rule in rules:
        source = sources.get(rule.data_source_id) if rule.data_source_id is not None else None
        if source is None:
            results[id(rule)] = PrometheusError("The rule's data source does not exist.")
        else:
            work.append((rule, source))
    if not work:
        return results
    budget = budget_seconds()
    deadline = time.monotonic() + budget
    # A request may outlast the budget by a second (the budget, not its own timeout, then says what
    # happened); none keeps a thread busy much past the tick.
    executor = ThreadPoolExecutor(max_workers=min(QUERY_WORKERS, len(work)), thread_name_prefix="promql")
    try:
        futures = {
            executor.submit(Client(source, timeout=budget + 1).query, rule.expr, now): rule for rule, source in work
        }
        wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        for future, rule in futures.items():
            if future.done():
                error = future.exception()
                results[id(rule)] = error if isinstance(error, Exception) else future.result()
            else:
                future.cancel()
                results[id(rule)] = PrometheusError(
                    f"Data source {sources[rule.data_source_id].name!r}: no answer within the tick's budget for "
                    f"queries ({budget:g} s, half of ALERT_TICK_LOCK_SECONDS)."
                )
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    return results


def _label_problem(labels: dict[str, str]) -> str | None:
    if len(labels) > series_labels.MAX_LABELS:
        return f"a series has {len(labels)} labels, more than {series_labels.MAX_LABELS}"
    for name, value in labels.items():
        if len(value) > series_labels.MAX_LABEL_VALUE:
            return f"the label {name[:64]} of a series is longer than {series_labels.MAX_LABEL_VALUE} characters"
    return None


def reading_of(series: Series, *, now: datetime) -> Reading:
    """One series' value at `now` as the engine reads a group's (its points: the one sample)."""
    error = f"the query gave {series.raw}" if series.value is None else None
    return Reading("promql", series.value, "promql", 0, now, now, [(now, series.value)], error=error,
                   points_finite=True)


def groups(results: dict[int, list[Series] | Exception], rule, *, now: datetime) -> list[LabelledReading]:
    """The groups of one rule's answer, sorted by fingerprint; the query's error raised as it was."""
    result = results.get(id(rule))
    if result is None:
        raise PrometheusError("The rule's query was not run.")
    if isinstance(result, Exception):
        raise result
    found = []
    for series in result:
        problem = _label_problem(series.labels)
        if problem:
            raise PrometheusError(f"{problem}: aggregate the query (e.g. sum by (queue) (...)) to fewer labels.")
        labels = series_labels.normalise(series.labels)
        found.append(LabelledReading(labels, series_labels.fingerprint(labels), reading_of(series, now=now)))
    return sorted(found, key=lambda group: group.fingerprint)


def charts(rule, *, now: datetime, timeout: float | None = None) -> dict[str, list[tuple[datetime, float | None]]]:
    """The last hour of the rule's expression (one point a minute), by the fingerprint of each
    series' labels: what an alert's chart and a dry run show. Nothing when the query fails."""
    source = _sources([rule]).get(rule.data_source_id) if rule.data_source_id is not None else None
    if source is None:
        return {}
    try:
        found = Client(source, timeout=timeout).query_range(
            rule.expr, now - timedelta(minutes=CHART_MINUTES), now, CHART_STEP_SECONDS
        )
    except PrometheusError:
        return {}
    return {series_labels.fingerprint(series_labels.normalise(s.labels)): s.points for s in found}


def add_charts(decisions, *, now: datetime, deadline: float) -> None:
    """Give the readings of these groups (of promql rules) the last hour of their series, one
    range query per rule, while the tick's budget for queries lasts."""
    by_rule: dict[int, tuple[object, list]] = {}
    for decision in decisions:
        if decision.reading is not None:
            by_rule.setdefault(id(decision.rule), (decision.rule, []))[1].append(decision)
    for rule, mine in by_rule.values():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        points = charts(rule, now=now, timeout=left)
        for decision in mine:
            if points.get(decision.fingerprint):
                decision.reading.points = points[decision.fingerprint]
