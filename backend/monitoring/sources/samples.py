"""Metrics of MetricSample rows: sampled by this system's collectors, or pushed by other systems."""

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count

from .. import aggregation as agg
from ..batch import minute_of
from ..catalogue import COUNTER, PUSHED, SAMPLES, Metric
from ..models import MetricSample
from .base import HORIZON_MINUTES, MINUTE, Reading, Source, bucket_sql, finite_or_none, register, safe_sum

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


@register(SAMPLES, PUSHED)
class Samples(Source):
    """One instance serves both names, so sampled and pushed metrics load in one query."""

    def __init__(self, reader):
        super().__init__(reader)
        self._samples: dict[str, tuple[list[datetime], list[float]]] = {}

    def prefetch(self, metrics: Iterable[Metric]) -> None:
        self.load(metric.name for metric in metrics)

    def load(self, names: Iterable[str]) -> None:
        """Load the samples of several metrics in one query."""
        wanted = [n for n in set(names) if n not in self._samples]
        if not wanted:
            return
        for name in wanted:
            self._samples[name] = ([], [])
        since = self.now - timedelta(minutes=HORIZON_MINUTES) - sample_grace(SAMPLES) - sample_grace(PUSHED)
        rows = (
            MetricSample.objects.filter(name__in=wanted, timestamp__gt=since, timestamp__lte=self.now)
            .order_by("timestamp", "id")
            .values_list("name", "timestamp", "value")
        )
        for name, timestamp, value in rows:
            times, values = self._samples[name]
            times.append(timestamp)
            values.append(value)

    def _window(self, metric: Metric, window: int):
        """The samples in (end - window, end], and that end: `now`, or up to sample_grace()
        earlier while the newest sample is older than SAMPLE_SLACK (see there)."""
        self.load([metric.name])
        times, values = self._samples[metric.name]
        end = self.now
        if times:
            end = max(self.now - sample_grace(metric.source), min(self.now, times[-1] + SAMPLE_SLACK))
        first = bisect.bisect_right(times, end - timedelta(minutes=window))
        last = bisect.bisect_right(times, end)
        return times[first:last], values[first:last], end

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        times, values, end = self._window(metric, window)
        start = end - timedelta(minutes=window)
        points: list[tuple[datetime, float | None]]
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
            if len(points) > HORIZON_MINUTES:  # many pushes a minute: show per-minute means
                grouped: defaultdict[datetime, list[float]] = defaultdict(list)
                for t, v in zip(times, values):  # the points, as floats
                    grouped[minute_of(t)].append(v)
                points = [(m, agg.of_values(vs, "avg")) for m, vs in sorted(grouped.items())]
        return Reading(metric.name, value, aggregation, window, start, end, points)

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        samples = MetricSample.objects.filter(name=metric.name, timestamp__gte=since, timestamp__lte=self.now)
        rows = (
            samples.annotate(bucket=bucket_sql("timestamp", seconds))
            .values("bucket")
            .annotate(total=safe_sum("value"), n=Count("id"))
            .order_by()
        )
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
