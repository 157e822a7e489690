"""Metrics of logged errors: the logging handler's per-minute ErrorCount rows, one per level."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Sum

from ..catalogue import ERRORS, Metric
from ..models import ErrorCount, ErrorLog
from .base import HORIZON_MINUTES, Reading, Source, bucket_sql, of_columns, register


@register(ERRORS)
class Errors(Source):
    """A metric's `of` names the levels it counts."""

    def __init__(self, reader):
        super().__init__(reader)
        self._counts: dict | None = None

    def _load(self) -> dict:
        if self._counts is None:
            # A window may end at the minute before the live one.
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            counts: dict = defaultdict(lambda: {level: 0 for level, _ in ErrorLog.LEVELS})
            rows = ErrorCount.objects.filter(minute__gte=first).values_list("minute", "level", "count")
            for minute, level, count in rows:
                counts[minute][level] += count
            self._counts = counts
        return self._counts

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        counts = self._load()
        last_minute = self.event_end_minute(counts.__contains__)
        buckets = self.buckets(last_minute, window)

        def column(level):
            return [counts[m][level] if m in counts else 0 for m in buckets]

        value, per_minute = of_columns(metric, column, aggregation)
        return Reading(
            metric.name, value, aggregation, window, buckets[0], self.event_window_end(last_minute),
            list(zip(buckets, per_minute)),
        )

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        counts = ErrorCount.objects.filter(minute__gte=since, minute__lte=self.now, level__in=metric.of)
        rows = (
            counts.annotate(bucket=bucket_sql("minute", seconds)).values("bucket").annotate(n=Sum("count")).order_by()
        )
        return {row["bucket"]: float(row["n"]) for row in rows}
