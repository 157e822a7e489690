"""Metrics of users: who was seen in which minute (ActiveUserMinute) and when users joined."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import TruncMinute

from .. import aggregation as agg
from ..catalogue import ACTIVE_USERS, SIGNUPS, Metric
from ..models import ActiveUserMinute
from .base import HORIZON_MINUTES, MINUTE, Reading, Source, bucket_sql, register


@register(ACTIVE_USERS)
class ActiveUsers(Source):
    """Distinct users seen in the window (`count`); the other aggregations are over the number
    seen in each minute."""

    settled = True

    def __init__(self, reader):
        super().__init__(reader)
        self._seen: dict | None = None

    def _load(self) -> dict:
        if self._seen is None:
            first = self.settled_minute - timedelta(minutes=HORIZON_MINUTES - 1)
            users: dict = defaultdict(set)
            for minute, user_id in ActiveUserMinute.objects.filter(
                minute__gte=first, minute__lte=self.settled_minute
            ).values_list("minute", "user_id"):
                users[minute].add(user_id)
            self._seen = users
        return self._seen

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        seen = self._load()
        buckets = self.buckets(self.settled_minute, window)
        per_minute = [len(seen.get(m, ())) for m in buckets]
        value: float | None
        if aggregation == "count":
            value = float(len(set().union(*(seen.get(m, set()) for m in buckets))))
        else:
            value = agg.of_counter(per_minute, int(sum(per_minute)), aggregation)
        return Reading(
            metric.name, value, aggregation, window, buckets[0], buckets[-1] + MINUTE, list(zip(buckets, per_minute))
        )

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        active = ActiveUserMinute.objects.filter(minute__gte=since, minute__lte=self.now)
        rows = active.annotate(bucket=bucket_sql("minute", seconds)).values("bucket").annotate(
            n=Count("user_id", distinct=True)
        ).order_by()
        return {row["bucket"]: float(row["n"]) for row in rows}


@register(SIGNUPS)
class Signups(Source):
    """Users who joined, counted per minute."""

    def __init__(self, reader):
        super().__init__(reader)
        self._joined: dict | None = None

    def _load(self) -> dict:
        if self._joined is None:
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            rows = (
                get_user_model().objects.filter(date_joined__gte=first, date_joined__lte=self.now)
                .annotate(minute=TruncMinute("date_joined", tzinfo=UTC))
                .values("minute")
                .annotate(n=Count("id"))
                .order_by()
            )
            self._joined = {row["minute"]: row["n"] for row in rows}
        return self._joined

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        joined = self._load()
        last_minute = self.event_end_minute(joined.__contains__)
        buckets = self.buckets(last_minute, window)
        per_minute = [joined.get(m, 0) for m in buckets]
        value = agg.of_counter(per_minute, int(sum(per_minute)), aggregation)
        return Reading(
            metric.name, value, aggregation, window, buckets[0], self.event_window_end(last_minute),
            list(zip(buckets, per_minute)),
        )

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        joined = get_user_model().objects.filter(date_joined__gte=since, date_joined__lte=self.now)
        rows = joined.annotate(bucket=bucket_sql("date_joined", seconds)).values("bucket").annotate(n=Count("id"))
        rows = rows.order_by()
        return {row["bucket"]: float(row["n"]) for row in rows}
