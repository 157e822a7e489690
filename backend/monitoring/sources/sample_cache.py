"""The samples of the horizon, kept in this process between evaluation ticks.

A tick reads every rule's metric over the horizon: at scale hundreds of thousands of sample rows,
which cost the database (and the driver) more to hand over than the tick takes to evaluate them.
So each process keeps the rows it has read, and a tick asks the database only for

- the rows written since (those with an id above the highest one it has seen), and
- per metric, how many rows the horizon has and the sum of their ids, in one aggregate that the
  (name, timestamp) index answers alone.

A metric whose count or sum differs from what is held (rows deleted, a transaction that committed
after one with a higher id, a horizon that moved back) is read again whole, so what a tick sees is
always what the database holds. Inside a transaction nothing is kept or used: rows that a rollback
removes may come back under the same ids.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import BigIntegerField, Count, F, Func, Max, Sum, TextField
from django.db.models.functions import Cast

from ..labels import Labels
from ..models import MetricSample, MetricSeries

# How far in the future a sample may be stamped (the ingest API's limit): a metric is held up to
# that far past `now`, so that such a sample is held when the horizon reaches it.
FUTURE = timedelta(minutes=5)
# A process whose last tick is older than this starts afresh rather than catching up.
STALE = timedelta(minutes=10)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """A moment as whole microseconds since the Unix epoch: exact, and cheap to compare."""
    return (moment - EPOCH) // MICROSECOND


def moment_of(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


class Micros(Func):
    """A timestamp column as whole microseconds since the epoch, computed by the database, so that
    the driver hands over integers rather than values to parse one by one. SQLite keeps UTC as
    'YYYY-MM-DD HH:MM:SS[.ffffff]' (no fraction when it is 0). NULL stays NULL."""

    output_field = BigIntegerField()
    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"

    def as_sqlite(self, compiler, connection, **extra):
        template = ("(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) * 1000000"
                    " + CAST(substr(substr(%(expressions)s, 21) || '000000', 1, 6) AS INTEGER))")
        return self.as_sql(compiler, connection, template=template, **extra)


def micros_sql(column: str) -> Micros:
    return Micros(F(column))


class TimeAsText(Func):
    """A timestamp column as ISO text in UTC, for `moment_from_text`: the drivers' own conversions
    of timestamps (Django's converter on SQLite, the time-zone loader on PostgreSQL) cost a tick
    reading tens of thousands of them more than the rest of their rows."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)", **extra)


def moment_from_text(value: str | None) -> datetime | None:
    """A TimeAsText value as an aware datetime (None stays None)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Window:
    """One metric's samples in (since, now]: per series (its id; None: no labels), their times
    (microseconds since the epoch), ids and values, oldest first (ties by id); and those series'
    labels."""

    series: dict[int | None, tuple[list[int], list[int], list[float]]] = field(default_factory=dict)
    labels: dict[int | None, Labels] = field(default_factory=dict)


class _Series:
    """One series' rows held, sorted by (time, id)."""

    __slots__ = ("times", "ids", "values", "in_order")

    def __init__(self):
        self.times: list[int] = []
        self.ids: list[int] = []
        self.values: list[float] = []
        self.in_order = True

    def add(self, at: int, row_id: int, value: float) -> None:
        if self.times and (at, row_id) < (self.times[-1], self.ids[-1]):
            self.in_order = False
        self.times.append(at)
        self.ids.append(row_id)
        self.values.append(value)

    def sort(self) -> None:
        rows = sorted(zip(self.times, self.ids, self.values))
        self.times, self.ids, self.values = (list(column) for column in zip(*rows)) if rows else ([], [], [])
        self.in_order = True


class _Held:
    """A metric's rows with a time after `low`, by series; `top`: the highest id held or known to
    be taken into account."""

    __slots__ = ("series", "low", "top", "wanted_at")

    def __init__(self, low: int, wanted_at: int):
        self.series: dict[int | None, _Series] = {}
        self.low, self.top, self.wanted_at = low, 0, wanted_at

    def add(self, at: int, row_id: int, value: float, series_id: int | None) -> None:
        held = self.series.get(series_id)
        if held is None:
            held = self.series[series_id] = _Series()
        held.add(at, row_id, value)
        if row_id > self.top:
            self.top = row_id

    def settle(self) -> None:
        for held in self.series.values():
            if not held.in_order:
                held.sort()

    def window(self, since: int, now: int) -> dict[int | None, tuple[list[int], list[int], list[float]]]:
        """Each series' rows in (since, now] (series without any left out)."""
        found = {}
        for series_id, held in self.series.items():
            first, last = bisect.bisect_right(held.times, since), bisect.bisect_right(held.times, now)
            if last > first:
                found[series_id] = (held.times[first:last], held.ids[first:last], held.values[first:last])
        return found

    def tally(self, since: int, now: int, up_to: int) -> tuple[int, int]:
        """How many rows in (since, now] with an id up to `up_to`, and the sum of their ids."""
        count = total = 0
        for held in self.series.values():
            first, last = bisect.bisect_right(held.times, since), bisect.bisect_right(held.times, now)
            ids = held.ids[first:last]
            if self.top > up_to:  # rows read whole after the last look at what was written since
                ids = [i for i in ids if i <= up_to]
            count += len(ids)
            total += sum(ids)
        return count, total

    def forget_before(self, since: int) -> None:
        for series_id in list(self.series):
            held = self.series[series_id]
            first = bisect.bisect_right(held.times, since)
            if first == len(held.times):
                del self.series[series_id]
            elif first:
                del held.times[:first], held.ids[:first], held.values[:first]
        self.low = max(self.low, since)

    def rows(self) -> int:
        return sum(len(held.times) for held in self.series.values())


class _Store:
    def __init__(self):
        self.metrics: dict[str, _Held] = {}
        self.labels: dict[int, Labels] = {}
        self.scanned = 0  # every row with a higher id is new to this store
        self.last_now: int | None = None


_stores: dict[tuple, _Store] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop everything held (the next read of each metric is a whole one)."""
    with _lock:
        _stores.clear()


def held_rows() -> int:
    """How many rows this process holds, over every database."""
    with _lock:
        return sum(held.rows() for store in _stores.values() for held in store.metrics.values())


def horizon(names: Iterable[str], since: int, now: int) -> dict[str, Window]:
    """The samples of each metric in `names` with a time in (since, now] (microseconds since the
    epoch), as the database holds them now."""
    wanted = sorted(set(names))
    if connection.in_atomic_block:
        return _read_whole(wanted, since, now)
    key = (connection.vendor, *(connection.settings_dict.get(k) for k in ("NAME", "HOST", "PORT")))
    with _lock:
        store = _stores.get(key)
        stale_us = STALE // MICROSECOND
        if store is None or store.last_now is None or abs(now - store.last_now) > stale_us:
            store = _stores[key] = _Store()
        _catch_up(store, wanted, since, now)
        store.last_now = now
        return {name: _window_of(store, store.metrics[name], since, now) for name in wanted}


def _catch_up(store: _Store, wanted: list[str], since: int, now: int) -> None:
    if store.metrics:
        _add_new_rows(store)
    missing = [n for n in wanted if n not in store.metrics or store.metrics[n].low > since]
    held = [n for n in wanted if n not in missing]
    if held:
        missing += _differing(store, held, since, now)
    if missing:
        if not store.metrics:
            store.scanned = MetricSample.objects.aggregate(top=Max("id"))["top"] or 0
        _load(store, missing, since, now)
    for name in wanted:
        store.metrics[name].forget_before(since)
        store.metrics[name].wanted_at = now
    for name in [n for n, h in store.metrics.items() if now - h.wanted_at > STALE // MICROSECOND]:
        del store.metrics[name]
    live = {s for h in store.metrics.values() for s in h.series}
    if len(store.labels) > len(live):
        # Series no longer held (a label value that came and went): their labels go too.
        store.labels = {s: labels for s, labels in store.labels.items() if s in live}


def _add_new_rows(store: _Store) -> None:
    """Every row written since the last look, for each metric held (a row of a metric not held is
    read with it when it is wanted)."""
    rows = raw_rows(
        MetricSample.objects.filter(id__gt=store.scanned).order_by("id")
        .values_list("id", "name", micros_sql("timestamp"), "value", "series_id")
    )
    touched: set[str] = set()
    for row_id, name, at, value, series_id in rows:
        if row_id > store.scanned:
            store.scanned = row_id
        held = store.metrics.get(name)
        if held is None or row_id <= held.top or at <= held.low:
            continue  # a row held already (read whole since), or older than anything held
        held.add(at, row_id, value, series_id)
        touched.add(name)
    for name in touched:
        store.metrics[name].settle()
    _learn_labels(store, {s for name in touched for s in store.metrics[name].series})


def _differing(store: _Store, names: list[str], since: int, now: int) -> list[str]:
    """The metrics whose rows in (since, now] are not those the database has, by their count and
    the sum of their ids (rows above the last one seen are left to the next look)."""
    start, end = moment_of(since), moment_of(now)
    counted = {
        name: (n, int(total or 0))
        for name, n, total in raw_rows(
            MetricSample.objects.filter(name__in=names, timestamp__gt=start, timestamp__lte=end,
                                        id__lte=store.scanned)
            .values("name").annotate(n=Count("id"), total=Sum("id")).order_by().values_list("name", "n", "total")
        )
    }
    return [name for name in names if counted.get(name, (0, 0)) != store.metrics[name].tally(since, now, store.scanned)]


def _load(store: _Store, names: list[str], since: int, now: int) -> None:
    """Read these metrics whole, from `since` to FUTURE past `now`."""
    for name in names:
        store.metrics[name] = _Held(since, now)
    for name, at, value, series_id, row_id in _query(names, since, now + FUTURE // MICROSECOND):
        store.metrics[name].add(at, row_id, value, series_id)  # in order: _query sorts
    _learn_labels(store, {s for name in names for s in store.metrics[name].series})


def _learn_labels(store: _Store, series_ids: set[int | None]) -> None:
    unknown = [s for s in series_ids if s is not None and s not in store.labels]
    for start in range(0, len(unknown), 500):
        store.labels.update(MetricSeries.objects.filter(id__in=unknown[start:start + 500]).values_list("id", "labels"))


def _window_of(store: _Store, held: _Held, since: int, now: int) -> Window:
    series = held.window(since, now)
    for series_id in [s for s in series if s is not None and s not in store.labels]:
        del series[series_id]  # its row was deleted as its samples were read (they go with it)
    return Window(series, {s: store.labels[s] if s is not None else {} for s in series})


def _read_whole(names: list[str], since: int, now: int) -> dict[str, Window]:
    """The windows read from the database alone, in one query (with each sample its series'
    labels, decoded once per series)."""
    windows = {name: Window() for name in names}
    start, end = moment_of(since), moment_of(now)
    rows = raw_rows(
        MetricSample.objects.filter(name__in=names, timestamp__gt=start, timestamp__lte=end)
        .order_by("timestamp", "id")
        .values_list("name", micros_sql("timestamp"), "value", "series_id", Cast("series__labels", TextField()), "id")
    )
    for name, at, value, series_id, labels, row_id in rows:
        window = windows[name]
        series = window.series.get(series_id)
        if series is None:
            series = window.series[series_id] = ([], [], [])
            window.labels[series_id] = json.loads(labels) if series_id is not None else {}
        series[0].append(at)
        series[1].append(row_id)
        series[2].append(value)
    return windows


def _query(names: list[str], since: int, until: int) -> list[tuple]:
    start, end = moment_of(since), moment_of(until)
    return raw_rows(
        MetricSample.objects.filter(name__in=names, timestamp__gt=start, timestamp__lte=end)
        .order_by("timestamp", "id")
        .values_list("name", micros_sql("timestamp"), "value", "series_id", "id")
    )


def raw_rows(rows) -> list[tuple]:
    """A values_list query's rows as the database driver gives them, without Django's per-value
    converters: a tick may load hundreds of thousands of samples, and those converters cost twice
    the query itself. For columns whose driver type is what Django gives (integers, floats, text;
    timestamps through micros_sql)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
