"""What every metric source shares: the Reading it returns, the registry it is found in, and the
helpers for per-minute data.

A source is how the metrics of one kind of data are computed. `MetricReader` (selectors) makes
one instance of each source class it needs, so each source loads its data once per reader (one
evaluation tick): the whole horizon, in a query whose cost depends on the horizon's minutes, not
on how many rules read it (samples, whose rows grow with their series, are kept between ticks and
only what was written since is read: sample_cache); every window and aggregation after that is
computed in memory.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, BigIntegerField, DecimalField, F, FloatField, Func, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from .. import aggregation as agg
from .. import labels as series_labels
from ..batch import minute_of
from ..catalogue import COUNTER, RATIO, Metric
from ..labels import Labels, Matcher

HORIZON_MINUTES = 60
MINUTE = timedelta(minutes=1)
OVERFLOWED = "value overflowed"


def finite_or_none(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def settled_minute(now: datetime) -> datetime:
    """The newest minute whose request rollups are complete: every process flushes a minute within
    ROLLUP_SETTLE_SECONDS of its end (Redis: at the next collection), so a window of request
    metrics ends there and is never a partial minute."""
    return minute_of(now - timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS)) - MINUTE


@dataclass
class Reading:
    """A metric's value over a window, with what it was computed from.

    `value` is a finite number, or None. None with `error` None is "no data"; None with `error`
    set means the value could not be computed: "value overflowed" when finite samples aggregate
    to more than a float holds (two samples of 1e308 summed), which a rule must report as an
    error, never as no data. Points are finite or None too: nothing here is ever inf or NaN.
    `start` and `end` are the window that was really read (see samples.SAMPLE_SLACK).
    """

    metric: str
    value: float | None
    aggregation: str
    window_minutes: int
    start: datetime
    end: datetime
    # Per-minute values (or the samples themselves) the value was computed from, oldest first.
    points: list[tuple[datetime, float | None]] = field(default_factory=list)
    error: str | None = None
    # The source knows its points' values to be finite (or None): they need no second look.
    points_finite: InitVar[bool] = False

    def __post_init__(self, points_finite: bool):
        if self.value is not None and not math.isfinite(self.value):
            self.value, self.error = None, OVERFLOWED
        if not points_finite:
            self.points = [(t, finite_or_none(v)) for t, v in self.points]

    def as_context(self) -> dict:
        context = {
            "metric": self.metric,
            "value": self.value,
            "aggregation": self.aggregation,
            "window_minutes": self.window_minutes,
            "window_start": self.start.isoformat(),
            "window_end": self.end.isoformat(),
            "points": [[t.isoformat(), v] for t, v in self.points],
        }
        if self.error:
            context["error"] = self.error
        return context


@dataclass(slots=True)
class LabelledReading:
    """One group of a grouped read: the group's labels (those of `group_by` its series have),
    their fingerprint (labels.fingerprint(labels)), and the reading over the group's series."""

    labels: Labels
    fingerprint: str
    reading: Reading


@dataclass
class ChartSeries:
    """One series (or group of series) of a split chart: its labels, its value per bucket (as
    Source.series), and the metric's default aggregation over the whole period (None: no data),
    by which the chart keeps its top series."""

    labels: Labels
    values: dict[int, float | None]
    rank: float | None


# --- SQL helpers ----------------------------------------------------------------------------------


class _Total(Aggregate):
    """SQLite's TOTAL(): a float sum that never raises, 0.0 over no rows."""

    function = "TOTAL"
    name = "Total"
    output_field = FloatField()


def safe_sum(*columns: str):
    """SUM(column + ...) as a float that never raises: PostgreSQL's SUM of float8 or bigint raises
    on overflow ("value out of range", "integer overflow") and so does SQLite's SUM of integers.
    It is summed as numeric (PostgreSQL) or with TOTAL (SQLite), each column cast first so that
    their addition cannot overflow either; a result past the largest float is inf, which callers
    report as an overflow."""
    if connection.vendor == "postgresql":
        terms: list[Func] = [
            Func(F(c), template="CAST(%(expressions)s AS numeric)", output_field=DecimalField()) for c in columns
        ]
        return Sum(reduce(operator.add, terms), output_field=FloatField())
    terms = [Cast(F(c), FloatField()) for c in columns]
    return _Total(reduce(operator.add, terms))


def bucket_sql(column: str, seconds: int) -> RawSQL:
    """The start of the `seconds`-long bucket holding `column`, as a Unix time, in SQL."""
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        sql = f"(FLOOR(EXTRACT(EPOCH FROM {quoted}) / {seconds}) * {seconds})::bigint"
    else:
        sql = f"(CAST(strftime('%%s', {quoted}) AS INTEGER) / {seconds} * {seconds})"
    return RawSQL(sql, [], output_field=BigIntegerField())


# --- metrics of per-minute columns ----------------------------------------------------------------


def of_columns(metric: Metric, column: Callable[[str], Sequence[float]], aggregation: str, *,
               events: int | None = None, distribution: dict | None = None) -> tuple[float | None, list]:
    """A metric computed from per-minute columns over a window (`column(name)`: that column's value
    in each minute of the window), as its catalogue entry's `of` says: a counter sums its columns
    per minute (`events`: what count counts, by default that total); a ratio is part / whole in
    percent; a gauge is total / events, a mean per event (`distribution`: the events' maxima and
    latency histogram, when known). Returns the value and the per-minute values."""
    if metric.kind == COUNTER:
        columns = [column(name) for name in metric.of]
        per_minute = [sum(values) for values in zip(*columns)] if len(columns) > 1 else list(columns[0])
        counted = int(sum(per_minute)) if events is None else events
        return agg.of_counter(per_minute, counted, aggregation), per_minute
    part, whole = column(metric.of[0]), column(metric.of[1])
    if metric.kind == RATIO:
        return agg.of_ratio(part, whole, aggregation), [p / w * 100 if w else None for p, w in zip(part, whole)]
    value = agg.of_means(part, whole, aggregation, **(distribution or {}))
    return value, [p / w if w else None for p, w in zip(part, whole)]


def of_bucket_totals(metric: Metric, total: Callable[[str], float]) -> float | None:
    """The same over one chart bucket (`total(name)`: the column's total in the bucket)."""
    if metric.kind == COUNTER:
        return float(sum(total(name) for name in metric.of))
    part, whole = total(metric.of[0]), total(metric.of[1])
    if not whole:
        return None
    return part / whole * 100 if metric.kind == RATIO else part / whole


# --- sources and their registry -------------------------------------------------------------------


class Reader(Protocol):
    """What a source needs of the reader it belongs to (selectors.MetricReader)."""

    now: datetime  # the end of every window this reader reads
    live_minute: datetime  # the minute holding `now`
    settled_minute: datetime  # see settled_minute()

    def source(self, name: str) -> Source: ...


class Source:
    """How the metrics of one kind of data are read over a window (`read`) and charted in buckets
    (`series`). One instance per MetricReader: whatever it loads, it keeps for the reader's life."""

    # Whether a minute's data is written only once the minute has settled (ROLLUP_SETTLE_SECONDS):
    # an empty chart bucket past the newest settled minute is then not known yet, not a zero.
    settled = False

    def __init__(self, reader: Reader):
        self.reader = reader

    @property
    def now(self) -> datetime:
        return self.reader.now

    @property
    def live_minute(self) -> datetime:
        return self.reader.live_minute

    @property
    def settled_minute(self) -> datetime:
        return self.reader.settled_minute

    def prefetch(self, metrics: Iterable[Metric]) -> None:
        """Load what these metrics need in as few queries as possible (sources that load
        everything at their first read need nothing here)."""

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        """`metric` over the `window` minutes ending now, aggregated, over all its series."""
        raise NotImplementedError

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        """`metric` from `since` to now in `seconds`-long buckets (each keyed by its start as a
        Unix time), each its default aggregation over the bucket, over all its series. Buckets
        without data are left out."""
        raise NotImplementedError

    # --- labels. These defaults are those of data without labels: one series, labelled {}, so
    # matchers select all of it or nothing, and any group_by makes one group, {}. A source whose
    # data has labels overrides them (LabelledSource).

    def read_matching(self, metric: Metric, window: int, aggregation: str, matchers: tuple[Matcher, ...]) -> Reading:
        """`read` over the series `matchers` select (none selected: the reading of no data, which
        for a metric whose empty window is a true 0 is 0)."""
        reading = self.read(metric, window, aggregation)
        return reading if series_labels.matches_all({}, matchers) else empty_reading(metric, reading)

    def read_groups(self, metric: Metric, window: int, aggregation: str, matchers: tuple[Matcher, ...],
                    group_by: tuple[str, ...]) -> list[LabelledReading]:
        """One reading per group of the series `matchers` select, grouped by the `group_by`
        labels (as Prometheus' `by`), sorted by the groups' fingerprints."""
        if not series_labels.matches_all({}, matchers):
            return []
        return [LabelledReading({}, series_labels.fingerprint({}), self.read(metric, window, aggregation))]

    def series_matching(self, metric: Metric, since: datetime, seconds: int,
                        matchers: tuple[Matcher, ...]) -> dict[int, float | None]:
        """`series` over the series `matchers` select."""
        return self.series(metric, since, seconds) if series_labels.matches_all({}, matchers) else {}

    def series_split(self, metric: Metric, since: datetime, seconds: int, matchers: tuple[Matcher, ...],
                     split_by: str) -> list[ChartSeries]:
        """`series` of each group of the selected series by the `split_by` label."""
        if not series_labels.matches_all({}, matchers):
            return []
        values = self.series(metric, since, seconds)
        return [ChartSeries({}, values, rank_of_buckets(metric, values))]

    def label_values(self, metric: Metric, since: datetime) -> dict[str, set[str]]:
        """The labels the metric's series have had since `since`, with their values."""
        return {}

    # --- helpers for data counted per minute

    @staticmethod
    def buckets(last_minute: datetime, window: int) -> list[datetime]:
        return [last_minute - timedelta(minutes=window - 1 - i) for i in range(window)]

    def event_end_minute(self, has_events_in: Callable[[datetime], bool]) -> datetime:
        """Where a window of events counted per minute ends: the live minute once it has any, else
        the minute before, which a tick early in a minute has not seen whole (an error logged at
        :59 is otherwise in no 1-minute window any tick reads)."""
        return self.live_minute if has_events_in(self.live_minute) else self.live_minute - MINUTE

    def event_window_end(self, last_minute: datetime) -> datetime:
        return self.now if last_minute == self.live_minute else last_minute + MINUTE


def empty_reading(metric: Metric, like: Reading) -> Reading:
    """The reading of no series over the window `like` was read over: no data, or 0 for a metric
    whose empty window is a true 0 (a route that had no requests made 0 of them)."""
    zero = 0.0 if metric.empty_means_zero else None
    points: list[tuple[datetime, float | None]] = (
        [(t, zero) for t, _ in like.points] if zero is not None and metric.kind == COUNTER else []
    )
    return Reading(metric.name, zero, like.aggregation, like.window_minutes, like.start, like.end, points)


def rank_of_buckets(metric: Metric, values: dict[int, float | None]) -> float | None:
    """A chart series' rank when only its bucket values are known: their sum (counters), else
    their mean."""
    known = [v for v in values.values() if v is not None]
    if not known:
        return None
    return finite_or_none(agg.of_values(known, "sum" if metric.kind == COUNTER else "avg"))


class LabelledSource(Source):
    """A source whose data comes in series with labels. A subclass gives `series_labels(metric)`
    (the series its loaded data has, by a key of its own, and their labels) and
    `read_series(metric, window, aggregation, keys)` (`read` over those series only), and may
    override the chart methods; matching and grouping are done here, once per (metric, matchers,
    group_by) per reader, in memory: a grouped read costs no query beyond the source's load."""

    def __init__(self, reader: Reader):
        super().__init__(reader)
        self._selections: dict[tuple, list[tuple[Labels, str, tuple]]] = {}

    def series_labels(self, metric: Metric) -> Mapping[Any, Labels]:
        raise NotImplementedError

    def read_series(self, metric: Metric, window: int, aggregation: str, keys: tuple) -> Reading:
        raise NotImplementedError

    def select(self, metric: Metric, matchers: tuple[Matcher, ...],
               group_by: tuple[str, ...] | None) -> list[tuple[Labels, str, tuple]]:
        """The series `matchers` select as (group labels, group fingerprint, series keys), sorted
        by fingerprint; `group_by` None: one group of them all, even if empty."""
        cache_key = (metric.name, matchers, group_by)
        found = self._selections.get(cache_key)
        if found is None:
            groups: dict[str, tuple[Labels, list]] = {}
            for key, labels in self.series_labels(metric).items():
                if not series_labels.matches_all(labels, matchers):
                    continue
                group = series_labels.group_labels(labels, group_by or ())
                groups.setdefault(series_labels.fingerprint(group), (group, []))[1].append(key)
            if group_by is None:
                keys = [key for _, group_keys in groups.values() for key in group_keys]
                groups = {series_labels.fingerprint({}): ({}, keys)}
            found = self._selections[cache_key] = [
                (group, fp, tuple(sorted(keys, key=repr))) for fp, (group, keys) in sorted(groups.items())
            ]
        return found

    def read_matching(self, metric, window, aggregation, matchers):
        if not matchers:
            return self.read(metric, window, aggregation)
        ((_, _, keys),) = self.select(metric, matchers, None)
        return self.read_series(metric, window, aggregation, keys)

    def read_groups(self, metric, window, aggregation, matchers, group_by):
        return [
            LabelledReading(group, fp, self.read_series(metric, window, aggregation, keys))
            for group, fp, keys in self.select(metric, matchers, tuple(group_by))
        ]


SOURCES: dict[str, type[Source]] = {}


def register(*names: str):
    """Class decorator: the source that computes the catalogue's metrics of these source names."""

    def decorate(cls: type[Source]) -> type[Source]:
        for name in names:
            if name in SOURCES:
                raise ValueError(f"a source is registered as {name!r} already: {SOURCES[name].__name__}")
            SOURCES[name] = cls
        return cls

    return decorate


def source_class(name: str) -> type[Source]:
    try:
        return SOURCES[name]
    except KeyError:
        raise LookupError(f"no metric source is registered as {name!r}") from None
