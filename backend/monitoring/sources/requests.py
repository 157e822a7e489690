"""Metrics of API requests: the per-minute RequestRollup rows of this server's middleware and of the
services exporting HTTP metrics over OTLP, of all routes together and of each service, route and
method (the series)."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum

from .. import labels as series_labels
from ..batch import FLOAT_FIELDS, MAX_FIELD, REQUEST_FIELDS
from ..catalogue import REQUESTS, Metric
from ..labels import Labels
from ..models import LATENCY_FIELDS, RequestRollup
from .base import (
    HORIZON_MINUTES,
    MINUTE,
    ChartSeries,
    LabelledSource,
    Reading,
    bucket_sql,
    finite_or_none,
    of_bucket_totals,
    of_columns,
    register,
    safe_sum,
)

# Totals whose events' largest value and latency histogram are known, for max and p95.
DISTRIBUTIONS = {"duration_total_ms": ("duration_max_ms", LATENCY_FIELDS)}


def _merged(cells: Iterable[dict]) -> dict:
    """Rollup cells of one minute as one (the numbers summed, the slowest request the largest)."""
    into: dict = {}
    for cell in cells:
        if not into:
            into.update(cell)
            continue
        for name in REQUEST_FIELDS:
            if name == MAX_FIELD:
                into[name] = max(into[name] or 0, cell[name] or 0)
            else:
                into[name] = (into[name] or 0) + (cell[name] or 0)
    return into


@register(REQUESTS)
class Requests(LabelledSource):
    """Any of RequestRollup's columns (REQUEST_FIELDS) as a counter, ratio or mean. Over all routes
    it reads the all-routes rows (route and method `*`) of every service; a series is one service,
    route and method, labelled `service` (SERVICE_NAME for this server's own), `route` (the route
    template) and `method`, read from the per-route rows, loaded (in one query) by the first read
    that needs them. A metric's series are those that served requests or counted what it is
    computed from: the row of a service's database time alone is not a series of the request
    metrics."""

    settled = True

    def __init__(self, reader):
        super().__init__(reader)
        self._rows: dict | None = None
        self._routes: dict[tuple[str, str, str], dict] | None = None
        self._labels: dict[tuple[str, str, str], Labels] = {}
        self._merged: dict[tuple, dict] = {}
        self._labels_of: dict[str, Mapping[Any, Labels]] = {}

    def _first_minute(self) -> datetime:
        return self.settled_minute - timedelta(minutes=HORIZON_MINUTES - 1)

    def _load(self) -> dict:
        if self._rows is None:
            rows = RequestRollup.objects.filter(
                route=RequestRollup.ALL, method=RequestRollup.ALL, minute__gte=self._first_minute(),
                minute__lte=self.settled_minute,
            ).values("minute", *REQUEST_FIELDS)  # every column: a new metric of them needs no change here
            minutes: dict = {}
            for row in rows:  # one row per minute and service
                minutes.setdefault(row.pop("minute"), []).append(row)
            self._rows = {minute: _merged(cells) for minute, cells in minutes.items()}
        return self._rows

    def _load_routes(self) -> dict[tuple[str, str, str], dict]:
        if self._routes is None:
            rows = (
                RequestRollup.objects.filter(minute__gte=self._first_minute(), minute__lte=self.settled_minute)
                .exclude(route=RequestRollup.ALL)
                .values("service", "route", "method", "minute", *REQUEST_FIELDS)
            )
            routes: dict[tuple[str, str, str], dict] = {}
            for row in rows:
                key = (row.pop("service"), row.pop("route"), row.pop("method"))
                routes.setdefault(key, {})[row.pop("minute")] = row
            self._routes = routes
            self._labels = {key: route_labels(*key) for key in routes}
        return self._routes

    def series_labels(self, metric: Metric) -> Mapping[Any, Labels]:
        found = self._labels_of.get(metric.name)
        if found is None:
            routes = self._load_routes()
            counted = ("count", *metric.of)
            found = self._labels_of[metric.name] = {
                key: labels for key, labels in self._labels.items()
                if any(cell[name] for cell in routes[key].values() for name in counted)
            }
        return found

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        return self._read(metric, window, aggregation, self._load())

    def read_series(self, metric: Metric, window: int, aggregation: str, keys: tuple) -> Reading:
        rows = self._merged.get(keys)
        if rows is None:
            routes = self._load_routes()
            minutes: dict = {}
            for key in keys:
                for minute, cell in routes[key].items():
                    minutes.setdefault(minute, []).append(cell)
            rows = self._merged[keys] = {minute: _merged(cells) for minute, cells in minutes.items()}
        return self._read(metric, window, aggregation, rows)

    def _read(self, metric: Metric, window: int, aggregation: str, rows: dict) -> Reading:
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

    # --- charts

    def _bucket_rows(self, metric: Metric, since: datetime, seconds: int, *, routes: bool) -> Iterable[Mapping]:
        rollups = RequestRollup.objects.filter(minute__gte=since, minute__lte=self.now)
        if routes:
            rollups = rollups.exclude(route=RequestRollup.ALL)
        else:
            rollups = rollups.filter(route=RequestRollup.ALL, method=RequestRollup.ALL)
        return (
            rollups.annotate(bucket=bucket_sql("minute", seconds))
            .values("bucket", *(("service", "route", "method") if routes else ()))
            .annotate(**{
                name: safe_sum(name) if name in FLOAT_FIELDS else Sum(name)
                for name in {*metric.of, *(("count",) if routes else ())}
            })
            .order_by()
        )

    def series(self, metric: Metric, since: datetime, seconds: int) -> dict[int, float | None]:
        rows = self._bucket_rows(metric, since, seconds, routes=False)
        return {row["bucket"]: finite_or_none(of_bucket_totals(metric, row.__getitem__)) for row in rows}

    def _groups(self, metric, since, seconds, matchers, split_by: str | None) -> dict[str, tuple[Labels, dict]]:
        """The selected routes' bucket totals, summed per group of the `split_by` label."""
        groups: dict[str, tuple[Labels, dict]] = {}
        for row in self._bucket_rows(metric, since, seconds, routes=True):
            if not (row["count"] or any(row[name] for name in metric.of)):
                continue  # not a series of this metric (see series_labels)
            labels = route_labels(row["service"], row["route"], row["method"])
            if not series_labels.matches_all(labels, matchers):
                continue
            group = series_labels.group_labels(labels, (split_by,) if split_by else ())
            buckets = groups.setdefault(series_labels.fingerprint(group), (group, {}))[1]
            totals = buckets.setdefault(row["bucket"], dict.fromkeys(metric.of, 0))
            for name in metric.of:
                totals[name] += row[name] or 0
        return groups

    def series_matching(self, metric, since, seconds, matchers):
        if not matchers:
            return self.series(metric, since, seconds)
        ((_, buckets),) = self._groups(metric, since, seconds, matchers, None).values() or [({}, {})]
        return {epoch: finite_or_none(of_bucket_totals(metric, t.__getitem__)) for epoch, t in buckets.items()}

    def series_split(self, metric, since, seconds, matchers, split_by):
        split = []
        for group, buckets in self._groups(metric, since, seconds, matchers, split_by).values():
            values = {epoch: finite_or_none(of_bucket_totals(metric, t.__getitem__)) for epoch, t in buckets.items()}
            period = {name: sum(t[name] for t in buckets.values()) for name in metric.of}
            split.append(ChartSeries(group, values, finite_or_none(of_bucket_totals(metric, period.__getitem__))))
        return split

    def label_values(self, metric: Metric, since: datetime) -> dict[str, set[str]]:
        pairs = (
            RequestRollup.objects.filter(minute__gte=since, minute__lte=self.now)
            .exclude(route=RequestRollup.ALL)
            .values_list("service", "route", "method")
            .distinct()
            .order_by()
        )
        values: dict[str, set[str]] = {}
        for service, route, method in pairs:
            for name, value in route_labels(service, route, method).items():
                values.setdefault(name, set()).add(value)
        return values


def route_labels(service: str, route: str, method: str) -> Labels:
    """A series' labels; an empty value is no label (a service's database time apart from its
    requests has neither route nor method)."""
    pairs = (("method", method), ("route", route), ("service", service or settings.SERVICE_NAME))
    return {name: value for name, value in pairs if value}
