"""Metrics of MetricSample rows: sampled by this system's collectors, or pushed by other systems."""

import bisect
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from .. import aggregation as agg
from .. import labels as series_labels
from ..batch import minute_of
from ..catalogue import COUNTER, PUSHED, SAMPLES, Metric
from ..labels import Labels
from ..models import MetricSample, MetricSeries
from .base import (
    HORIZON_MINUTES,
    MINUTE,
    ChartSeries,
    LabelledSource,
    Reading,
    bucket_sql,
    finite_or_none,
    register,
    safe_sum,
)

# A sample is stamped when its collection starts and written a few seconds later, and an
# evaluation tick runs at the same moment: a tick may read before this interval's sample exists.
# So a window of samples ends up to half a minute after the newest sample, even if that is
# before `now` (by at most sample_grace()); the newest sample is always in it, and one older
# than the window and its grace never is.
SAMPLE_SLACK = timedelta(seconds=30)


def sample_grace(source: str) -> timedelta:
    """How far before `now` a window of samples may end: a collection interval, less the half
    minute by which the window may reach past the newest sample (pushed metrics: per minute)."""
    if source != SAMPLES:
        return SAMPLE_SLACK
    return max(SAMPLE_SLACK, timedelta(seconds=settings.METRICS_COLLECTION_INTERVAL_SECONDS) - SAMPLE_SLACK)


class _Loaded:
    """One metric's samples over the horizon: all of them oldest first (ties by id), and which of
    them each series has."""

    def __init__(self):
        self.times: list[datetime] = []
        self.values: list[float] = []
        self.by_series: dict[int | None, list[int]] = {}  # series id (None: no labels) -> indexes
        self.labels: dict[int | None, Labels] = {}
        self.merged: dict[tuple, tuple[list[datetime], list[float]]] = {}

    def of(self, keys: tuple) -> tuple[list[datetime], list[float]]:
        """The samples of these series, in the same order."""
        if len(keys) == len(self.by_series):
            return self.times, self.values
        found = self.merged.get(keys)
        if found is None:
            indexes = sorted(i for key in keys for i in self.by_series[key])
            found = self.merged[keys] = ([self.times[i] for i in indexes], [self.values[i] for i in indexes])
        return found


@register(SAMPLES, PUSHED)
class Samples(LabelledSource):
    """One instance serves both names, so sampled and pushed metrics load in one query. A sample
    with labels belongs to its MetricSeries row; one without, to its metric's plain series."""

    def __init__(self, reader):
        super().__init__(reader)
        self._samples: dict[str, _Loaded] = {}

    def prefetch(self, metrics: Iterable[Metric]) -> None:
        self.load(metric.name for metric in metrics)

    def load(self, names: Iterable[str]) -> None:
        """Load the samples of several metrics, with their series' labels, in one query."""
        wanted = [n for n in set(names) if n not in self._samples]
        if not wanted:
            return
        for name in wanted:
            self._samples[name] = _Loaded()
        since = self.now - timedelta(minutes=HORIZON_MINUTES) - sample_grace(SAMPLES) - sample_grace(PUSHED)
        rows = (
            MetricSample.objects.filter(name__in=wanted, timestamp__gt=since, timestamp__lte=self.now)
            .order_by("timestamp", "id")
            .values_list("name", "timestamp", "value", "series_id", Cast("series__labels", TextField()))
        )
        for name, timestamp, value, series_id, labels in _raw_rows(rows):
            if timestamp.tzinfo is None:  # SQLite keeps UTC without a zone
                timestamp = timestamp.replace(tzinfo=UTC)
            loaded = self._samples[name]
            indexes = loaded.by_series.get(series_id)
            if indexes is None:
                indexes = loaded.by_series[series_id] = []
                loaded.labels[series_id] = json.loads(labels) if series_id is not None else {}
            indexes.append(len(loaded.times))
            loaded.times.append(timestamp)
            loaded.values.append(value)

    def _loaded(self, metric: Metric) -> _Loaded:
        self.load([metric.name])
        return self._samples[metric.name]

    def series_labels(self, metric: Metric) -> Mapping[Any, Labels]:
        return self._loaded(metric).labels

    def _window(self, metric: Metric, window: int, times: list[datetime]):
        """Where the samples in (end - window, end] are, and that end: `now`, or up to
        sample_grace() earlier while the newest sample is older than SAMPLE_SLACK (see there)."""
        end = self.now
        if times:
            end = max(self.now - sample_grace(metric.source), min(self.now, times[-1] + SAMPLE_SLACK))
        first = bisect.bisect_right(times, end - timedelta(minutes=window))
        last = bisect.bisect_right(times, end)
        return first, last, end

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        loaded = self._loaded(metric)
        return self._read(metric, window, aggregation, loaded.times, loaded.values)

    def read_series(self, metric: Metric, window: int, aggregation: str, keys: tuple) -> Reading:
        return self._read(metric, window, aggregation, *self._loaded(metric).of(keys))

    def _read(self, metric: Metric, window: int, aggregation: str, all_times: list[datetime],
              all_values: list[float]) -> Reading:
        first, last, end = self._window(metric, window, all_times)
        times, values = all_times[first:last], all_values[first:last]
        start = end - timedelta(minutes=window)
        points: list[tuple[datetime, float | None]]
        finite_points = False
        if metric.kind == COUNTER:
            # Each sample adds to a count (a failed task, new subscriptions): totals per minute of
            # the window, each minute named by its start.
            buckets = [start + timedelta(minutes=i) for i in range(window)]
            per_minute = [0.0] * window
            for t, v in zip(times, values):
                per_minute[min(window, math.ceil((t - start) / MINUTE)) - 1] += v
            if values or metric.empty_means_zero:
                value = agg.of_counter(per_minute, len(values), aggregation)
            else:
                value = None
            points = list(zip(buckets, per_minute))
        else:
            value = agg.of_values(values, aggregation)
            points = list(zip(times, values))
            # Samples are finite (ingest and collectors refuse others), so a finite sum says the
            # points need no second look; finite samples whose sum overflows leave it to Reading.
            try:
                finite_points = math.isfinite(math.fsum(values))
            except OverflowError:
                finite_points = False
            if len(points) > HORIZON_MINUTES:  # many pushes a minute: show per-minute means
                grouped: defaultdict[datetime, list[float]] = defaultdict(list)
                for t, v in zip(times, values):  # the points, as floats
                    grouped[minute_of(t)].append(v)
                points = [(m, agg.of_values(vs, "avg")) for m, vs in sorted(grouped.items())]
        return Reading(metric.name, value, aggregation, window, start, end, points,
                       points_finite=finite_points)

    # --- charts

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        samples = MetricSample.objects.filter(name=metric.name, timestamp__gte=since, timestamp__lte=self.now)
        return self._chart(metric, samples, self._bucket_rows(samples, seconds), seconds)

    def _selected(self, metric: Metric, since: datetime, matchers) -> QuerySet:
        """The metric's samples since `since` of the series `matchers` select."""
        samples = MetricSample.objects.filter(name=metric.name, timestamp__gte=since, timestamp__lte=self.now)
        ids = [
            series_id for series_id, labels in MetricSeries.objects.filter(name=metric.name).values_list("id", "labels")
            if series_labels.matches_all(labels, matchers)
        ]
        selected = Q(series_id__in=ids)
        if series_labels.matches_all({}, matchers):
            selected |= Q(series__isnull=True)
        return samples.filter(selected)

    def series_matching(self, metric, since, seconds, matchers):
        if not matchers:
            return self.series(metric, since, seconds)
        samples = self._selected(metric, since, matchers)
        return self._chart(metric, samples, self._bucket_rows(samples, seconds), seconds)

    def series_split(self, metric, since, seconds, matchers, split_by):
        samples = self._selected(metric, since, matchers)
        labels_of = dict(MetricSeries.objects.filter(name=metric.name).values_list("id", "labels"))
        groups: dict[str, tuple[Labels, list[int | None], list[dict]]] = {}
        for row in self._bucket_rows(samples, seconds, "series_id"):
            group = series_labels.group_labels(labels_of.get(row["series_id"], {}), (split_by,))
            entry = groups.setdefault(series_labels.fingerprint(group), (group, [], []))
            entry[2].append(row)
            if row["series_id"] not in entry[1]:
                entry[1].append(row["series_id"])
        split = []
        for group, series_ids, rows in groups.values():
            merged = _merge_bucket_rows(rows)
            of_group = samples.filter(
                Q(series_id__in=[i for i in series_ids if i is not None])
                | (Q(series__isnull=True) if None in series_ids else Q(pk__in=[]))
            )
            split.append(ChartSeries(group, self._chart(metric, of_group, merged, seconds), _rank(metric, merged)))
        return split

    @staticmethod
    def _bucket_rows(samples: QuerySet, seconds: int, *by: str) -> list[dict]:
        return list(
            samples.annotate(bucket=bucket_sql("timestamp", seconds))
            .values("bucket", *by)
            .annotate(total=safe_sum("value"), n=Count("id"), low=Min("value"), high=Max("value"))
            .order_by()
        )

    @staticmethod
    def _chart(metric: Metric, samples: QuerySet, rows: list[dict], seconds: int) -> dict[int, float | None]:
        if metric.kind == COUNTER:
            return {row["bucket"]: finite_or_none(row["total"]) for row in rows}
        means = {}
        for row in rows:
            mean = row["total"] / row["n"]
            if not math.isfinite(mean):
                # Finite samples whose sum overflowed (rare): their mean, from the bucket's samples.
                start = datetime.fromtimestamp(row["bucket"], UTC)
                values = samples.filter(timestamp__gte=start, timestamp__lt=start + timedelta(seconds=seconds))
                mean = finite_or_none(agg.mean(list(values.values_list("value", flat=True))))
            means[row["bucket"]] = mean
        return means

    def label_values(self, metric: Metric, since: datetime) -> dict[str, set[str]]:
        recent = MetricSample.objects.filter(series=OuterRef("pk"), timestamp__gte=since, timestamp__lte=self.now)
        values: dict[str, set[str]] = {}
        for labels in MetricSeries.objects.filter(name=metric.name).filter(Exists(recent)).values_list(
            "labels", flat=True
        ):
            for name, value in labels.items():
                values.setdefault(name, set()).add(value)
        return values


def _raw_rows(rows: QuerySet) -> list[tuple]:
    """A values_list query's rows as the database driver gives them, without Django's per-value
    converters: an evaluation tick loads hundreds of thousands of samples, and those converters
    cost twice the query itself. The driver's own types are the same here, but for the time zone
    of datetimes (which the caller sets)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _merge_bucket_rows(rows: list[dict]) -> list[dict]:
    """Bucket rows of several series as one series' (sums, counts, extremes per bucket)."""
    merged: dict[int, dict] = {}
    for row in rows:
        into = merged.get(row["bucket"])
        if into is None:
            merged[row["bucket"]] = dict(row)
            continue
        into["total"] += row["total"]
        into["n"] += row["n"]
        into["low"] = min(into["low"], row["low"])
        into["high"] = max(into["high"], row["high"])
    return list(merged.values())


def _rank(metric: Metric, rows: list[dict]) -> float | None:
    """The metric's default aggregation over the chart's period, from its bucket rows."""
    if not rows:
        return None
    total = agg.share([row["total"] for row in rows], 1)
    match COUNTER if metric.kind == COUNTER else metric.default_aggregation:
        case "counter" | "sum":
            value = total
        case "max":
            value = max(row["high"] for row in rows)
        case "min":
            value = min(row["low"] for row in rows)
        case "count":
            value = float(sum(row["n"] for row in rows))
        case _:  # avg; last and p95 rank by the mean too
            value = agg.share([row["total"] for row in rows], sum(row["n"] for row in rows))
    return finite_or_none(value)
