"""MetricCollector: the value of any metric over a window ending now.

    >>> from alerts.services.metric_collector import MetricCollector
    >>> collector = MetricCollector()
    >>> collector.get_metric_value('cpu_usage', 5)
    12.4

One collector serves one evaluation tick: `now` is fixed when it is created, each telemetry
source is read once, and each (metric, window, aggregation) is computed at most once however many
rules ask for it.
"""

from datetime import datetime

from monitoring.catalogue import AGGREGATIONS, CATALOGUE, METRIC_NAME, Metric, custom_metric
from monitoring.labels import Matcher
from monitoring.selectors import MetricReader, Reading, available_metric_names

from ..validators import MAX_WINDOW_MINUTES, MIN_WINDOW_MINUTES


class UnknownMetricError(ValueError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"Unknown metric {name!r}. Valid metrics: {', '.join(available_metric_names(fresh=True))}."
        )


class MetricCollector:
    def __init__(self, *, now: datetime | None = None):
        self.reader = MetricReader(now=now)
        self.now = self.reader.now
        self._memo: dict[tuple, Reading] = {}
        self._groups: dict[tuple, list] = {}
        self._custom: dict[str, Metric | None] = {}  # a name's custom metric (None: not a valid name)

    def _metric(self, name: str):
        if name in CATALOGUE:
            return CATALOGUE[name]
        # Any name a custom metric may have: one whose first sample has not arrived reads as no
        # data (a rule may be defined ahead of its data), not as an error.
        if name not in self._custom:
            valid = isinstance(name, str) and bool(METRIC_NAME.fullmatch(name))
            self._custom[name] = custom_metric(name) if valid else None
        metric = self._custom[name]
        if metric is None:
            raise UnknownMetricError(name)
        return metric

    def prefetch(self, names) -> None:
        """Let each source load what the metrics in `names` need in as few queries as it can (an
        evaluation tick calls this with all its rules' metrics)."""
        metrics = []
        for name in set(names):
            try:
                metrics.append(self._metric(name))
            except UnknownMetricError:
                continue
        self.reader.prefetch(metrics)

    def _check(self, name: str, window_minutes: int, aggregation: str | None):
        metric = self._metric(name)
        if isinstance(window_minutes, bool) or not isinstance(window_minutes, int):
            raise ValueError(f"window_minutes must be a whole number of minutes, not {window_minutes!r}")
        if not MIN_WINDOW_MINUTES <= window_minutes <= MAX_WINDOW_MINUTES:
            raise ValueError(
                f"window_minutes must be between {MIN_WINDOW_MINUTES} and {MAX_WINDOW_MINUTES}, not {window_minutes}"
            )
        aggregation = aggregation or metric.default_aggregation
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"Unknown aggregation {aggregation!r}. Valid: {', '.join(AGGREGATIONS)}.")
        return metric, aggregation

    def get_reading(self, name: str, window_minutes: int, aggregation: str | None = None, *,
                    matchers: tuple[Matcher, ...] = ()) -> Reading:
        """The value with the window and the per-minute values it was computed from: over all
        the metric's series, or those `matchers` select."""
        metric, aggregation = self._check(name, window_minutes, aggregation)
        key = (name, window_minutes, aggregation, matchers)
        reading = self._memo.get(key)
        if reading is None:
            if matchers:
                reading = self.reader.read(metric, window_minutes, aggregation, matchers=matchers)
            else:
                reading = self.reader.read(metric, window_minutes, aggregation)
            self._memo[key] = reading
        return reading

    def get_groups(self, name: str, window_minutes: int, aggregation: str | None = None, *,
                   matchers: tuple[Matcher, ...] = (), group_by: tuple[str, ...] = ()) -> list:
        """One reading (monitoring's LabelledReading: labels, fingerprint, reading) per group of the
        series `matchers` select, grouped by the `group_by` labels."""
        metric, aggregation = self._check(name, window_minutes, aggregation)
        key = (name, window_minutes, aggregation, matchers, group_by)
        groups = self._groups.get(key)
        if groups is None:
            groups = self._groups[key] = self.reader.read_groups(
                metric, window_minutes, aggregation, matchers=matchers, group_by=group_by
            )
        return groups

    def get_metric_value(self, name: str, window_minutes: int, aggregation: str | None = None) -> float | None:
        """The metric over the last `window_minutes`, or None when there is no data."""
        return self.get_reading(name, window_minutes, aggregation).value
