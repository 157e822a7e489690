"""The `watchdog` metric: 1, always, in every minute. A rule `watchdog > 0` fires for as long as
evaluation runs and re-notifies every cooldown, for routing to a dead-man service the way
Alertmanager's Watchdog alert is (docs/operations.md, "Watching the watcher")."""

from datetime import datetime

from .. import aggregation as agg
from ..catalogue import CONSTANT, Metric
from .base import MINUTE, Reading, Source, register


@register(CONSTANT)
class Constant(Source):
    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        buckets = self.buckets(self.live_minute, window)
        per_minute = [1.0] * len(buckets)
        # 1 by every aggregation but sum and count (the window's minutes).
        value = agg.of_counter(per_minute, len(per_minute), aggregation)
        return Reading(metric.name, value, aggregation, window, buckets[0], buckets[-1] + MINUTE,
                       list(zip(buckets, per_minute)), points_finite=True)

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        start = int(since.timestamp()) // seconds * seconds
        end = int(self.now.timestamp())
        return {bucket: 1.0 for bucket in range(start, end + 1, seconds)} if seconds > 0 else {}

