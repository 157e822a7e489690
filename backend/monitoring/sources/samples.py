"""Metrics of MetricSample rows: sampled by this system's collectors, or pushed by other systems."""

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from .. import aggregation as agg
from .. import labels as series_labels
from ..batch import minute_of
from ..catalogue import COUNTER, PUSHED, SAMPLES, Metric
from ..labels import Labels
from ..models import MetricSample, MetricSeries
from . import sample_cache
from .base import (
    HORIZON_MINUTES,
    MINUTE,
    OVERFLOWED,
    ChartSeries,
    LabelledSource,
    Reading,
    bucket_sql,
    finite_or_none,
    register,
    safe_sum,
)
from .sample_cache import MICROSECOND, micros, moment_of

# A sample is stamped when its collection starts and written a few seconds later, and an
# evaluation tick runs at the same moment: a tick may read before this interval's sample exists.
# So a window of samples ends up to half a minute after the newest sample, even if that is
# before `now` (by at most sample_grace()); the newest sample is always in it, and one older
# than the window and its grace never is.
SAMPLE_SLACK = timedelta(seconds=30)
SLACK_US = SAMPLE_SLACK // MICROSECOND
MINUTE_US = MINUTE // MICROSECOND


def sample_grace(source: str) -> timedelta:
    """How far before `now` a window of samples may end: a collection interval, less the half
    minute by which the window may reach past the newest sample (pushed metrics: per minute)."""
    if source != SAMPLES:
        return SAMPLE_SLACK
    return max(SAMPLE_SLACK, timedelta(seconds=settings.METRICS_COLLECTION_INTERVAL_SECONDS) - SAMPLE_SLACK)


class _Loaded:
    """One metric's samples over the horizon by series (sample_cache.Window): each series' times
    (microseconds since the epoch, see micros), ids and values, oldest first (ties by id)."""

    def __init__(self, window: sample_cache.Window | None = None):
        self.by_series = window.series if window else {}
        self.labels: dict[int | None, Labels] = window.labels if window else {}
        self.merged: dict[tuple | None, tuple[list[int], list[float]]] = {}

    def of(self, keys: tuple | None) -> tuple[list[int], list[float]]:
        """The times and values of these series' samples (None: all of them), oldest first."""
        if keys is None and len(self.by_series) == 1:
            keys = tuple(self.by_series)
        if keys is not None and len(keys) == 1:
            times, _, values = self.by_series[keys[0]]
            return times, values
        found = self.merged.get(keys)
        if found is None:
            series = self.by_series.values() if keys is None else [self.by_series[key] for key in keys]
            rows = sorted(row for times, ids, values in series for row in zip(times, ids, values))
            found = self.merged[keys] = ([row[0] for row in rows], [row[2] for row in rows])
        return found


class _SampleReading(Reading):
    """A Reading of samples whose points are worked out only when asked for: a tick reads
    thousands of windows, and looks at the points of the few whose rules fire. It keeps the
    samples it was read from (`times[first:last]`, `values[first:last]`), or a counter's totals
    per minute."""

    _points: list[tuple[datetime, float | None]] | None

    def __init__(self, metric: str, value: float | None, aggregation: str, window: int, start: datetime,
                 end: datetime, samples: tuple[list[int], list[float], int, int] | None,
                 per_minute: list[float] | None = None):
        # Reading's fields, set here rather than through its __init__: a tick makes thousands.
        self.metric, self.aggregation, self.window_minutes, self.start, self.end = (
            metric, aggregation, window, start, end
        )
        self.value, self.error = value, None
        if value is not None and not math.isfinite(value):
            self.value, self.error = None, OVERFLOWED
        self._points, self._samples, self._per_minute = None, samples, per_minute

    @property
    def points(self) -> list[tuple[datetime, float | None]]:
        if self._points is None:
            self._points = self._worked_out_points()
        return self._points

    @points.setter
    def points(self, points: list[tuple[datetime, float | None]]) -> None:
        self._points = points or None

    def _worked_out_points(self) -> list[tuple[datetime, float | None]]:
        if self._per_minute is not None:
            buckets = [self.start + timedelta(minutes=i) for i in range(self.window_minutes)]
            return [(t, finite_or_none(v)) for t, v in zip(buckets, self._per_minute)]
        if self._samples is None:
            return []
        all_times, all_values, first, last = self._samples
        times, values = all_times[first:last], all_values[first:last]
        # Samples are finite (ingest and collectors refuse others); their per-minute means may not
        # be (finite samples whose sum overflows).
        if len(times) <= HORIZON_MINUTES:
            return [(moment_of(t), v) for t, v in zip(times, values)]
        grouped: defaultdict[datetime, list[float]] = defaultdict(list)  # many pushes a minute: show
        for t, v in zip(times, values):  # per-minute means
            grouped[minute_of(moment_of(t))].append(v)
        return [(m, finite_or_none(agg.of_values(vs, "avg"))) for m, vs in sorted(grouped.items())]


@register(SAMPLES, PUSHED)
class Samples(LabelledSource):
    """One instance serves both names, so sampled and pushed metrics load in one query. A sample
    with labels belongs to its MetricSeries row; one without, to its metric's plain series."""

    def __init__(self, reader):
        super().__init__(reader)
        self._samples: dict[str, _Loaded] = {}
        self._now_us = micros(self.now)
        self._moments: dict[tuple[int, int], tuple[datetime, datetime]] = {}  # windows: few in a tick

    def prefetch(self, metrics: Iterable[Metric]) -> None:
        self.load(metric.name for metric in metrics)

    def load(self, names: Iterable[str]) -> None:
        """Load the samples of several metrics over the horizon, with their series' labels (see sample_cache)."""
        wanted = [n for n in set(names) if n not in self._samples]
        if not wanted:
            return
        since = self.now - timedelta(minutes=HORIZON_MINUTES) - sample_grace(SAMPLES) - sample_grace(PUSHED)
        for name, window in sample_cache.horizon(wanted, micros(since), micros(self.now)).items():
            self._samples[name] = _Loaded(window)

    def _loaded(self, metric: Metric) -> _Loaded:
        loaded = self._samples.get(metric.name)
        if loaded is None:
            self.load([metric.name])
            loaded = self._samples[metric.name]
        return loaded

    def series_labels(self, metric: Metric) -> Mapping[Any, Labels]:
        return self._loaded(metric).labels

    def _window(self, metric: Metric, window: int, times: list[int]):
        """Where the samples in (end - window, end] are, and (start, end): the end is `now`, or up
        to sample_grace() earlier while the newest sample is older than SAMPLE_SLACK (see there)."""
        now = self._now_us
        end = now
        if times:
            end = max(now - sample_grace(metric.source) // MICROSECOND, min(now, times[-1] + SLACK_US))
        first = bisect.bisect_right(times, end - window * MINUTE_US)
        last = bisect.bisect_right(times, end)
        moments = self._moments.get((end, window))
        if moments is None:
            moments = self._moments[(end, window)] = (moment_of(end - window * MINUTE_US), moment_of(end))
        return first, last, moments

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        return self._read(metric, window, aggregation, *self._loaded(metric).of(None))

    def read_series(self, metric: Metric, window: int, aggregation: str, keys: tuple) -> Reading:
        return self._read(metric, window, aggregation, *self._loaded(metric).of(keys))

    def _read(self, metric: Metric, window: int, aggregation: str, all_times: list[int],
              all_values: list[float]) -> Reading:
        first, last, (start, end) = self._window(metric, window, all_times)
        if metric.kind == COUNTER:
            # Each sample adds to a count (a failed task, new subscriptions): totals per minute of
            # the window, each minute named by its start.
            per_minute = [0.0] * window
            start_us = micros(start)
            for t, v in zip(all_times[first:last], all_values[first:last]):
                per_minute[min(window, -((start_us - t) // MINUTE_US)) - 1] += v
            if last > first or metric.empty_means_zero:
                value = agg.of_counter(per_minute, last - first, aggregation)
            else:
                value = None
            return _SampleReading(metric.name, value, aggregation, window, start, end, None, per_minute)
        value = agg.of_values(all_values[first:last], aggregation)
        return _SampleReading(metric.name, value, aggregation, window, start, end,
                              (all_times, all_values, first, last))

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
