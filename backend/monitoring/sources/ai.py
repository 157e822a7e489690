"""Metrics of AI calls: AIUsage rows, per minute (ai) and since local midnight (ai_today)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import cast

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMinute
from django.utils import timezone

from ..catalogue import AI, AI_TODAY, COUNTER, Metric
from ..models import AIUsage
from .base import (
    HORIZON_MINUTES,
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
        calls=Count("id"),
        failures=Count("id", filter=Q(success=False)),
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


@register(AI)
class AIMinutes(Source):
    """Counters of cost or tokens (`count` counts the calls) and ratios of failures to calls."""

    def __init__(self, reader):
        super().__init__(reader)
        self._rows: dict | None = None
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
                .values("minute")
            )
            self._rows = {row.pop("minute"): row for row in _per_bucket(rows)}
        return self._rows

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        if not self.ever_recorded():
            return self.no_data(metric, window, aggregation)
        rows = self._load()
        last_minute = self.event_end_minute(rows.__contains__)
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

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        values = {}
        for bucket, row in _buckets(since, self.now, seconds).items():

            def total(name: str, row: dict = row) -> float:
                return row[name] or 0

            value = of_bucket_totals(metric, total)
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
