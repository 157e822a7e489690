"""Metrics of logged errors: the per-minute ErrorCount rows of the logging handler (this server's
errors) and of the services exporting logs over OTLP, one per level, service, logger and
exception type. A series is one service, logger and exception type, labelled `service`
(SERVICE_NAME for this server's own), `logger` and `exception` (the exception's qualified type
name; an error logged without one has no such label)."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum

from .. import labels as series_labels
from ..catalogue import ERRORS, Metric
from ..labels import Labels
from ..models import ErrorCount, ErrorLog
from .base import (
    HORIZON_MINUTES,
    ChartSeries,
    LabelledSource,
    Reading,
    bucket_sql,
    of_columns,
    rank_of_buckets,
    register,
)

_LEVELS = tuple(level for level, _ in ErrorLog.LEVELS)


def error_labels(service: str, logger: str, exception: str) -> Labels:
    """A series' labels; an empty value is no label, as in Prometheus."""
    pairs = (("exception", exception), ("logger", logger), ("service", service or settings.SERVICE_NAME))
    return {name: value for name, value in pairs if value}


def _no_counts() -> dict[str, int]:
    return dict.fromkeys(_LEVELS, 0)


@register(ERRORS)
class Errors(LabelledSource):
    """A metric's `of` names the levels it counts. Over all series it reads the minutes' totals;
    grouped or matched reads sum the selected series' counts, all from the one load."""

    def __init__(self, reader):
        super().__init__(reader)
        self._counts: dict | None = None
        self._series: dict[tuple[str, str, str], dict[datetime, dict[str, int]]] = {}
        self._labels: dict[tuple[str, str, str], Labels] = {}
        self._merged: dict[tuple, dict] = {}
        self._labels_of: dict[tuple[str, ...], dict[tuple[str, str, str], Labels]] = {}

    def _load(self) -> dict:
        if self._counts is None:
            # A window may end at the minute before the live one.
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            counts: dict = defaultdict(_no_counts)
            series: dict[tuple[str, str, str], dict] = {}
            rows = ErrorCount.objects.filter(minute__gte=first).values_list(
                "minute", "level", "service", "logger", "exception", "count"
            )
            for minute, level, service, logger, exception, count in rows:
                counts[minute][level] += count
                minutes = series.setdefault((service, logger, exception), {})
                minutes.setdefault(minute, _no_counts())[level] += count
            self._counts, self._series = counts, series
            self._labels = {key: error_labels(*key) for key in series}
        return self._counts

    def series_labels(self, metric: Metric) -> Mapping[Any, Labels]:
        # Only the series that counted what this metric counts: a logger that only ever logged
        # ERROR is not a series of critical_errors. Worked out once per set of levels.
        found = self._labels_of.get(metric.of)
        if found is None:
            self._load()
            found = self._labels_of[metric.of] = {
                key: labels for key, labels in self._labels.items()
                if any(cell[level] for cell in self._series[key].values() for level in metric.of)
            }
        return found

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        return self._read(metric, window, aggregation, self._load())

    def read_series(self, metric: Metric, window: int, aggregation: str, keys: tuple) -> Reading:
        counts = self._merged.get(keys)
        if counts is None:
            self._load()
            counts = defaultdict(_no_counts)
            for key in keys:
                for minute, cell in self._series[key].items():
                    into = counts[minute]
                    for level, count in cell.items():
                        into[level] += count
            self._merged[keys] = counts
        return self._read(metric, window, aggregation, counts)

    def _read(self, metric: Metric, window: int, aggregation: str, counts: Mapping) -> Reading:
        # Every series' window ends where the all-series window does: one tick, one window.
        last_minute = self.event_end_minute(self._load().__contains__)
        buckets = self.buckets(last_minute, window)

        def column(level):
            return [counts[m][level] if m in counts else 0 for m in buckets]

        value, per_minute = of_columns(metric, column, aggregation)
        return Reading(
            metric.name, value, aggregation, window, buckets[0], self.event_window_end(last_minute),
            list(zip(buckets, per_minute)),
        )

    # --- charts

    def _counts_in(self, metric: Metric, since: datetime):
        return ErrorCount.objects.filter(minute__gte=since, minute__lte=self.now, level__in=metric.of)

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        rows = (
            self._counts_in(metric, since).annotate(bucket=bucket_sql("minute", seconds))
            .values("bucket").annotate(n=Sum("count")).order_by()
        )
        return {row["bucket"]: float(row["n"]) for row in rows}

    def _groups(self, metric, since, seconds, matchers, split_by: str | None) -> dict[str, tuple[Labels, dict]]:
        """The selected series' counts per bucket, summed per group of the `split_by` label."""
        rows = (
            self._counts_in(metric, since).annotate(bucket=bucket_sql("minute", seconds))
            .values("bucket", "service", "logger", "exception").annotate(n=Sum("count")).order_by()
        )
        groups: dict[str, tuple[Labels, dict]] = {}
        for row in rows:
            labels = error_labels(row["service"], row["logger"], row["exception"])
            if not series_labels.matches_all(labels, matchers):
                continue
            group = series_labels.group_labels(labels, (split_by,) if split_by else ())
            buckets = groups.setdefault(series_labels.fingerprint(group), (group, {}))[1]
            buckets[row["bucket"]] = buckets.get(row["bucket"], 0.0) + float(row["n"])
        return groups

    def series_matching(self, metric, since, seconds, matchers):
        if not matchers:
            return self.series(metric, since, seconds)
        groups = self._groups(metric, since, seconds, matchers, None)
        return next(iter(groups.values()))[1] if groups else {}

    def series_split(self, metric, since, seconds, matchers, split_by):
        return [
            ChartSeries(group, values, rank_of_buckets(metric, values))
            for group, values in self._groups(metric, since, seconds, matchers, split_by).values()
        ]

    def label_values(self, metric: Metric, since: datetime) -> dict[str, set[str]]:
        values: dict[str, set[str]] = {}
        keys = self._counts_in(metric, since).values_list("service", "logger", "exception").distinct().order_by()
        for service, logger, exception in keys:
            for name, value in error_labels(service, logger, exception).items():
                values.setdefault(name, set()).add(value)
        return values
