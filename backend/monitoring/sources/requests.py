"""Metrics of API requests: the middleware's per-minute RequestRollup rows (all routes together)."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Sum

from ..batch import FLOAT_FIELDS, REQUEST_FIELDS
from ..catalogue import REQUESTS, Metric
from ..models import LATENCY_FIELDS, RequestRollup
from .base import (
    HORIZON_MINUTES,
    MINUTE,
    Reading,
    Source,
    bucket_sql,
    finite_or_none,
    of_bucket_totals,
    of_columns,
    register,
    safe_sum,
)

# Totals whose events' largest value and latency histogram are known, for max and p95.
DISTRIBUTIONS = {"duration_total_ms": ("duration_max_ms", LATENCY_FIELDS)}


@register(REQUESTS)
class Requests(Source):
    """Any of RequestRollup's columns (REQUEST_FIELDS) as a counter, ratio or mean."""

    settled = True

    def __init__(self, reader):
        super().__init__(reader)
        self._rows: dict | None = None

    def _load(self) -> dict:
        if self._rows is None:
            first = self.settled_minute - timedelta(minutes=HORIZON_MINUTES - 1)
            rows = RequestRollup.objects.filter(
                route=RequestRollup.ALL, method=RequestRollup.ALL, minute__gte=first, minute__lte=self.settled_minute
            ).values("minute", *REQUEST_FIELDS)  # every column: a new metric of them needs no change here
            self._rows = {row.pop("minute"): row for row in rows}
        return self._rows

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        rows = self._load()
        buckets = self.buckets(self.settled_minute, window)
        cells = [rows.get(m) for m in buckets]

        def column(name):
            return [(c[name] or 0) if c else 0 for c in cells]

        distribution = None
        if metric.of and metric.of[0] in DISTRIBUTIONS:
            maxima, histogram_fields = DISTRIBUTIONS[metric.of[0]]
            distribution = {"maxima": column(maxima), "histogram": [sum(column(f)) for f in histogram_fields]}
        value, per_minute = of_columns(metric, column, aggregation, distribution=distribution)
        return Reading(
            metric.name, value, aggregation, window, buckets[0], buckets[-1] + MINUTE, list(zip(buckets, per_minute))
        )

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        rows: Iterable[Mapping[str, Any]] = (
            RequestRollup.objects.filter(
                route=RequestRollup.ALL, method=RequestRollup.ALL, minute__gte=since, minute__lte=self.now
            )
            .annotate(bucket=bucket_sql("minute", seconds))
            .values("bucket")
            .annotate(**{name: safe_sum(name) if name in FLOAT_FIELDS else Sum(name) for name in metric.of})
            .order_by()
        )
        return {row["bucket"]: finite_or_none(of_bucket_totals(metric, row.__getitem__)) for row in rows}
