"""What every metric source shares: the Reading it returns, the registry it is found in, and the
helpers for per-minute data.

A source is how the metrics of one kind of data are computed. `MetricReader` (selectors) makes
one instance of each source class it needs, so each source loads its data once per reader (one
evaluation tick): the whole horizon, in a query whose cost depends on the horizon's minutes, not
on how many rules read it; every window and aggregation after that is computed in memory.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, BigIntegerField, DecimalField, F, FloatField, Func, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from .. import aggregation as agg
from ..batch import minute_of
from ..catalogue import COUNTER, RATIO, Metric

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

    def __post_init__(self):
        if self.value is not None and not math.isfinite(self.value):
            self.value, self.error = None, OVERFLOWED
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
        """`metric` over the `window` minutes ending now, aggregated."""
        raise NotImplementedError

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        """`metric` from `since` to now in `seconds`-long buckets (each keyed by its start as a
        Unix time), each its default aggregation over the bucket. Buckets without data are left
        out."""
        raise NotImplementedError

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
