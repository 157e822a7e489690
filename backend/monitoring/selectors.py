"""Read-side queries over the telemetry.

`MetricReader` computes any catalogue metric over any window of the last hour through the
metric's source (`monitoring.sources`), each source loaded once per reader; `metric_series`
charts a metric through the same source. The name lookups that need the database (which custom
metrics exist) live here too, so the catalogue stays data.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone

from . import aggregation as agg
from .batch import minute_of
from .catalogue import CATALOGUE, METRIC_NAME, Metric, custom_metric
from .labels import Matcher, fingerprint
from .models import LATENCY_FIELDS, MetricSample, RequestRollup
from .sources import Source, source_class
from .sources.base import (  # noqa: F401  (public here: what the alerts and the tests import)
    HORIZON_MINUTES,
    MINUTE,
    OVERFLOWED,
    LabelledReading,
    Reading,
    finite_or_none,
    safe_sum,
    settled_minute,
)
from .sources.samples import SAMPLE_SLACK, Samples, sample_grace  # noqa: F401

SAMPLE_NAMES_CACHE_KEY = "monitoring:sample-names"
SAMPLE_NAMES_CACHE_SECONDS = 60


def sample_names(*, fresh: bool = False) -> list[str]:
    """Every metric name that has samples. A DISTINCT over every sample costs more the more there
    are, so the list is cached for a minute (a new name is found at once by has_samples)."""
    names = None if fresh else cache.get(SAMPLE_NAMES_CACHE_KEY)
    if names is None:
        names = sorted(MetricSample.objects.order_by().values_list("name", flat=True).distinct())
        cache.set(SAMPLE_NAMES_CACHE_KEY, names, SAMPLE_NAMES_CACHE_SECONDS)
    return names


def forget_sample_names_if_new(names: set[str]) -> None:
    """A name pushed for the first time appears in sample_names() at once."""
    cached = cache.get(SAMPLE_NAMES_CACHE_KEY)
    if cached is not None and not names <= set(cached):
        cache.delete(SAMPLE_NAMES_CACHE_KEY)


def has_samples(name: str) -> bool:
    """Whether `name` has any sample: one index lookup."""
    return MetricSample.objects.filter(name=name).exists()


def get_metric(name: str) -> Metric | None:
    """The catalogue entry for `name`: a built-in metric, a custom metric that has received
    samples, or None."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    if not isinstance(name, str) or not METRIC_NAME.match(name):
        return None  # not a name any sample can have: no need to ask the database
    if has_samples(name):
        return custom_metric(name)
    return None


def available_metric_names(*, fresh: bool = False) -> list[str]:
    """Every name a rule may use: the catalogue, then custom metrics with samples (`fresh`: not
    from the minute-long cache, for error messages that must be exact)."""
    return [*CATALOGUE, *sorted(set(sample_names(fresh=fresh)) - set(CATALOGUE))]


class MetricReader:
    """Computes metrics over windows ending at `now` (fixed for the reader's life, so that every
    value of one evaluation tick refers to the same moment). Each metric is read by its source,
    one instance of each source class per reader: whatever a source loads, it loads once."""

    def __init__(self, *, now: datetime | None = None):
        self.now = (now or timezone.now()).astimezone(UTC)
        self.live_minute = minute_of(self.now)
        self.settled_minute = settled_minute(self.now)
        self._sources: dict[type[Source], Source] = {}

    def source(self, name: str) -> Source:
        """This reader's instance of the source registered as `name`."""
        cls = source_class(name)
        instance = self._sources.get(cls)
        if instance is None:
            instance = self._sources[cls] = cls(self)
        return instance

    def prefetch(self, metrics: Iterable[Metric]) -> None:
        """Let each source load what these metrics need in as few queries as it can (samples:
        one query for all of them)."""
        by_source: dict[Source, list[Metric]] = {}
        for metric in metrics:
            by_source.setdefault(self.source(metric.source), []).append(metric)
        for source, wanted in by_source.items():
            source.prefetch(wanted)

    def read(self, metric: Metric, window: int, aggregation: str, matchers: tuple[Matcher, ...] = ()) -> Reading:
        """`metric` over the `window` minutes ending now: one value over all its series, or over
        those `matchers` select (without matchers, exactly what it read before labels)."""
        source = self.source(metric.source)
        if not matchers:
            return source.read(metric, window, aggregation)
        return source.read_matching(metric, window, aggregation, tuple(matchers))

    def read_groups(self, metric: Metric, window: int, aggregation: str, matchers: tuple[Matcher, ...] = (),
                    group_by: tuple[str, ...] = ()) -> list[LabelledReading]:
        """One reading per group of the series `matchers` select, grouped by the `group_by` labels
        (labels.group_labels), sorted by the groups' fingerprints (labels.fingerprint of the group
        labels). No series selected: []. Costs no query beyond the source's one load per reader."""
        return self.source(metric.source).read_groups(metric, window, aggregation, tuple(matchers), tuple(group_by))


# --- series for charts ----------------------------------------------------------------------------

SERIES_MAX_MINUTES = 7 * 24 * 60
SERIES_BUCKETS_SECONDS = (60, 300, 900, 1800, 3600, 7200, 21600)
SERIES_MAX_POINTS = 300


def series_bucket_seconds(minutes: int) -> int:
    """The finest bucket that keeps a chart of `minutes` within SERIES_MAX_POINTS points."""
    for seconds in SERIES_BUCKETS_SECONDS:
        if minutes * 60 / seconds <= SERIES_MAX_POINTS:
            return seconds
    return SERIES_BUCKETS_SECONDS[-1]


SERIES_SPLIT_TOP_DEFAULT = 5
SERIES_SPLIT_TOP_MAX = 20
LABEL_VALUES_LIMIT = 100
LABEL_VALUES_HOURS = 24


def metric_series(metric: Metric, minutes: int, *, now: datetime | None = None, matchers: tuple[Matcher, ...] = (),
                  split_by: str | None = None, top: int = SERIES_SPLIT_TOP_DEFAULT) -> dict:
    """The metric over the last `minutes` (up to a week) in buckets, each the metric's default
    aggregation over its bucket, over the series `matchers` select (all without). Buckets without
    data are null, except for metrics whose empty bucket is a true 0 (and then only once the
    bucket's minutes are known). With `split_by` (a label name), `series` also holds the `top`
    groups of those series by that label, ranked by the metric's default aggregation over the
    whole period (largest first)."""
    reader = MetricReader(now=now)
    now = reader.now
    seconds = series_bucket_seconds(minutes)
    end = int(now.timestamp()) // seconds * seconds
    start = end - (math.ceil(minutes * 60 / seconds) - 1) * seconds
    since = datetime.fromtimestamp(start, UTC)
    source = reader.source(metric.source)
    empty = 0.0 if metric.empty_means_zero else None
    # Data written once its minute has settled (requests, active users): an empty bucket reaching
    # past the newest settled minute is not known yet, not a zero.
    known_until = int((reader.settled_minute + MINUTE).timestamp()) if source.settled else None

    def points(values: dict[int, float | None]) -> list[dict]:
        listed = []
        for epoch in range(start, end + 1, seconds):
            if epoch in values:
                value = values[epoch]
            elif known_until is not None and epoch + seconds > known_until:
                value = None
            else:
                value = empty
            listed.append({"t": datetime.fromtimestamp(epoch, UTC).isoformat(), "v": value})
        return listed

    matchers = tuple(matchers)
    split = []
    if split_by:
        groups = source.series_split(metric, since, seconds, matchers, split_by)
        groups.sort(key=lambda g: (g.rank is None, -(g.rank or 0), fingerprint(g.labels)))
        split = [{"labels": g.labels, "points": points(g.values)} for g in groups[:top]]
    return {
        "metric": metric.name,
        "label": metric.label,
        "unit": metric.unit,
        "minutes": minutes,
        "bucket_seconds": seconds,
        "aggregation": metric.default_aggregation,
        "points": points(source.series_matching(metric, since, seconds, matchers)),
        "split_by": split_by or None,
        "series": split,
    }


def metric_label_values(metric: Metric, *, now: datetime | None = None) -> dict:
    """The label names the metric's series have had in the last LABEL_VALUES_HOURS, each with its
    values, sorted, at most LABEL_VALUES_LIMIT of them (`truncated` lists the names cut short)."""
    reader = MetricReader(now=now)
    since = reader.now - timedelta(hours=LABEL_VALUES_HOURS)
    found = reader.source(metric.source).label_values(metric, since)
    return {
        "metric": metric.name,
        "labels": {name: sorted(values)[:LABEL_VALUES_LIMIT] for name, values in sorted(found.items())},
        "truncated": sorted(name for name, values in found.items() if len(values) > LABEL_VALUES_LIMIT),
    }


# --- routes ---------------------------------------------------------------------------------------


def endpoint_stats(*, minutes: int, now: datetime | None = None) -> list[dict]:
    """Per service, route and method over the last `minutes`: requests, 4xx, 5xx, error rate, mean, p95
    and max response time, database queries per request."""
    now = (now or timezone.now()).astimezone(UTC)
    since = minute_of(now) - timedelta(minutes=minutes - 1)
    rows: Iterable[Mapping[str, Any]] = (
        RequestRollup.objects.filter(minute__gte=since, minute__lte=now)
        .exclude(route=RequestRollup.ALL)
        .values("service", "route", "method")
        .annotate(
            count=Sum("count"), status_4xx=Sum("status_4xx"), status_5xx=Sum("status_5xx"),
            duration=safe_sum("duration_total_ms"), max_ms=Max("duration_max_ms"), queries=Sum("db_queries"),
            **{name: Sum(name) for name in LATENCY_FIELDS},
        )
        .order_by()
    )
    stats = []
    for row in rows:
        count = row["count"]
        if not count:
            continue  # a service's database time apart from its requests
        stats.append({
            "service": row["service"] or settings.SERVICE_NAME,
            "route": row["route"],
            "method": row["method"],
            "count": count,
            "status_4xx": row["status_4xx"],
            "status_5xx": row["status_5xx"],
            "error_rate": round(row["status_5xx"] / count * 100, 3) if count else None,
            "avg_ms": _round(row["duration"] / count) if count else None,
            "p95_ms": _round(
                agg.histogram_quantile([row[n] for n in LATENCY_FIELDS], 0.95, observed_max=row["max_ms"])
            ),
            "max_ms": _round(row["max_ms"]),
            "queries_per_request": round(row["queries"] / count, 2) if count else None,
        })
    return stats


def _round(value):
    return None if value is None or not math.isfinite(value) else round(value, 3)


# --- overview -------------------------------------------------------------------------------------

OVERVIEW_CACHE_SECONDS = 30


def overview(*, minutes: int = 5, now: datetime | None = None) -> dict:
    """Every catalogue metric over the last `minutes` with its default aggregation: the numbers
    behind the dashboard's status cards."""
    reader = MetricReader(now=now)
    reader.prefetch(CATALOGUE.values())
    metrics = []
    for metric in CATALOGUE.values():
        value = reader.read(metric, minutes, metric.default_aggregation).value
        metrics.append({
            **metric.as_dict(),
            "value": None if value is None else round(value, 4),
            "no_data": value is None,
        })
    return {"generated_at": reader.now.isoformat(), "window_minutes": minutes, "metrics": metrics}


def overview_cache_key(minutes: int) -> str:
    return f"monitoring:overview:{minutes}"


def cached_overview(*, minutes: int = 5) -> dict:
    """The overview, recomputed at most every OVERVIEW_CACHE_SECONDS however many dashboards poll."""
    key = overview_cache_key(minutes)
    result = cache.get(key)
    if result is None:
        result = overview(minutes=minutes)
        cache.set(key, result, OVERVIEW_CACHE_SECONDS)
    return result


def catalogue_with_values(*, minutes: int) -> dict:
    """Every metric a rule may watch with its value over the last `minutes`: the catalogue's from
    the cached overview, custom metrics read now (a name listed a moment ago whose samples have
    just expired is no data). `generated_at` and `window_minutes` are the overview's."""
    result = cached_overview(minutes=minutes)
    metrics = list(result["metrics"])
    custom = [custom_metric(name) for name in available_metric_names() if name not in CATALOGUE]
    if custom:
        reader = MetricReader()
        reader.prefetch(custom)
        for metric in custom:
            value = reader.read(metric, minutes, metric.default_aggregation).value
            metrics.append({**metric.as_dict(), "value": value, "no_data": value is None})
    return {"generated_at": result["generated_at"], "window_minutes": result["window_minutes"], "metrics": metrics}
