"""Metrics of AI calls: AIUsage rows, per minute (ai) and since local midnight (ai_today)."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, TruncMinute
from django.utils import timezone

from .. import labels as series_labels
from ..catalogue import AI, AI_TODAY, COUNTER, Metric
from ..labels import Labels
from ..models import AIUsage
from .base import (
    HORIZON_MINUTES,
    ChartSeries,
    LabelledSource,
    Reading,
    Source,
    bucket_sql,
    finite_or_none,
    of_bucket_totals,
    of_columns,
    register,
    safe_sum,
)

# What is counted per minute (or per chart bucket); a metric's `of` names some of these.
_COUNTS = ("calls", "failures")


def _per_bucket(rows):
    return rows.annotate(
        calls=Coalesce(Sum("call_count"), 0),
        failures=Coalesce(Sum("call_count", filter=Q(success=False)), 0),
        cost=Sum("cost_usd"),
        tokens=safe_sum("input_tokens", "output_tokens"),
    ).order_by()


def _buckets(since: datetime, now: datetime, seconds: int) -> dict:
    rows = (
        AIUsage.objects.filter(timestamp__gte=since, timestamp__lte=now)
        .annotate(bucket=bucket_sql("timestamp", seconds))
        .values("bucket")
    )
    return {row.pop("bucket"): row for row in _per_bucket(rows)}


def _local_midnight(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def ai_labels(provider: str, model: str) -> Labels:
    return {name: value for name, value in (("model", model), ("provider", provider)) if value}


def _added(cells: list[dict]) -> dict:
    """Per-minute totals of several series' cells."""
    total: dict[str, Any] = {"calls": 0, "failures": 0, "cost": 0, "tokens": 0}
    for cell in cells:
        for name in total:
            total[name] += cell[name] or 0
    return total


@register(AI)
class AIMinutes(LabelledSource):
    """Counters of cost or tokens (`count` counts the calls) and ratios of failures to calls. A
    series is one provider and model, labelled `provider` and `model`; the minutes' totals are
    their sums, all from one load."""

    def __init__(self, reader):
        super().__init__(reader)
        self._rows: dict | None = None
        self._series: dict[tuple[str, str], dict] = {}
        self._labels: dict[tuple[str, str], Labels] = {}
        self._merged: dict[tuple, dict] = {}
        self._ever: bool | None = None

    def ever_recorded(self) -> bool:
        if self._ever is None:
            self._ever = AIUsage.objects.exists()
        return self._ever

    def no_data(self, metric: Metric, window: int, aggregation: str) -> Reading:
        """Nothing has ever reported AI usage: unknown, not free."""
        buckets = self.buckets(self.live_minute, window)
        return Reading(metric.name, None, aggregation, window, buckets[0], self.now, [])

    def _load(self) -> dict:
        if self._rows is None:
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            rows = (
                AIUsage.objects.filter(timestamp__gte=first, timestamp__lte=self.now)
                .annotate(minute=TruncMinute("timestamp", tzinfo=UTC))
                .values("minute", "provider", "model")
            )
            series: dict[tuple[str, str], dict] = {}
            by_minute: dict = {}
            for row in _per_bucket(rows):
                minute, key = row.pop("minute"), (row.pop("provider"), row.pop("model"))
                series.setdefault(key, {})[minute] = row
                by_minute.setdefault(minute, []).append(row)
            self._rows = {minute: _added(cells) for minute, cells in by_minute.items()}
            self._series = series
            self._labels = {key: ai_labels(*key) for key in series}
        return self._rows

    def series_labels(self, metric: Metric) -> Mapping[Any, Labels]:
        self._load()
        return self._labels

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        if not self.ever_recorded():
            return self.no_data(metric, window, aggregation)
        return self._read(metric, window, aggregation, self._load())

    def read_series(self, metric: Metric, window: int, aggregation: str, keys: tuple) -> Reading:
        if not self.ever_recorded():
            return self.no_data(metric, window, aggregation)
        rows = self._merged.get(keys)
        if rows is None:
            self._load()
            minutes: dict = {}
            for key in keys:
                for minute, cell in self._series[key].items():
                    minutes.setdefault(minute, []).append(cell)
            rows = self._merged[keys] = {minute: _added(cells) for minute, cells in minutes.items()}
        return self._read(metric, window, aggregation, rows)

    def _read(self, metric: Metric, window: int, aggregation: str, rows: dict) -> Reading:
        # Every series' window ends where the all-series window does: one tick, one window.
        last_minute = self.event_end_minute(self._load().__contains__)
        buckets = self.buckets(last_minute, window)
        cells = [rows.get(m) for m in buckets]

        def column(name):
            if name in _COUNTS:
                return [c[name] if c else 0 for c in cells]
            return [float(c[name] or 0) if c else 0.0 for c in cells]

        events = int(sum(column("calls"))) if metric.kind == COUNTER else None
        value, per_minute = of_columns(metric, column, aggregation, events=events)
        return Reading(
            metric.name, value, aggregation, window, buckets[0], self.event_window_end(last_minute),
            list(zip(buckets, per_minute)),
        )

    # --- charts

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        return _chart_values(metric, _buckets(since, self.now, seconds))

    def _groups(self, metric, since, seconds, matchers, split_by: str | None) -> dict[str, tuple[Labels, dict]]:
        """The selected series' bucket totals, added up per group of the `split_by` label."""
        rows = (
            AIUsage.objects.filter(timestamp__gte=since, timestamp__lte=self.now)
            .annotate(bucket=bucket_sql("timestamp", seconds))
            .values("bucket", "provider", "model")
        )
        cells: dict[str, tuple[Labels, dict[int, list]]] = {}
        for row in _per_bucket(rows):
            labels = ai_labels(row.pop("provider"), row.pop("model"))
            if not series_labels.matches_all(labels, matchers):
                continue
            group = series_labels.group_labels(labels, (split_by,) if split_by else ())
            buckets = cells.setdefault(series_labels.fingerprint(group), (group, {}))[1]
            buckets.setdefault(row.pop("bucket"), []).append(row)
        return {fp: (group, {b: _added(c) for b, c in buckets.items()}) for fp, (group, buckets) in cells.items()}

    def series_matching(self, metric, since, seconds, matchers):
        if not matchers:
            return self.series(metric, since, seconds)
        groups = self._groups(metric, since, seconds, matchers, None)
        return _chart_values(metric, next(iter(groups.values()))[1]) if groups else {}

    def series_split(self, metric, since, seconds, matchers, split_by):
        split = []
        for group, buckets in self._groups(metric, since, seconds, matchers, split_by).values():
            values = _chart_values(metric, buckets)
            period = _added(list(buckets.values()))
            split.append(ChartSeries(group, values, finite_or_none(of_bucket_totals(metric, _total_of(period)))))
        return split

    def label_values(self, metric: Metric, since: datetime) -> dict[str, set[str]]:
        values: dict[str, set[str]] = {}
        pairs = (
            AIUsage.objects.filter(timestamp__gte=since, timestamp__lte=self.now)
            .values_list("provider", "model").distinct().order_by()
        )
        for provider, model in pairs:
            for name, value in ai_labels(provider, model).items():
                values.setdefault(name, set()).add(value)
        return values


def _total_of(row: dict):
    def total(name: str) -> float:
        return row[name] or 0

    return total


def _chart_values(metric: Metric, buckets: dict) -> dict[int, float | None]:
    values = {}
    for bucket, row in buckets.items():
        value = of_bucket_totals(metric, _total_of(row))
        if value is not None:  # a ratio of no calls is left out
            values[bucket] = finite_or_none(value)
    return values


@register(AI_TODAY)
class AIToday(Source):
    """The cost of AI calls since local midnight, whatever the window."""

    def __init__(self, reader):
        super().__init__(reader)
        self._today: float | None = None

    def cost_today(self) -> float:
        if self._today is None:
            total = AIUsage.objects.filter(timestamp__gte=_local_midnight(self.now), timestamp__lte=self.now).aggregate(
                total=Sum("cost_usd")
            )["total"]
            self._today = float(total or Decimal(0))
        return self._today

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        minutes = cast(AIMinutes, self.reader.source(AI))  # whether anything was ever recorded: read once
        if not minutes.ever_recorded():
            return minutes.no_data(metric, window, aggregation)
        return Reading(metric.name, self.cost_today(), aggregation, window, _local_midnight(self.now), self.now, [])

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        # Cost since local midnight at the end of each bucket: a running total that restarts
        # every day, so it is summed from the midnight before the first bucket.
        per_bucket = _buckets(_local_midnight(since), self.now, seconds)
        values: dict[int, float | None] = {}
        running, day = 0.0, None
        for epoch in sorted(per_bucket):
            local_day = timezone.localtime(datetime.fromtimestamp(epoch, UTC)).date()
            if local_day != day:
                running, day = 0.0, local_day
            running += float(per_bucket[epoch]["cost"] or 0)
            values[epoch] = running
        return values
