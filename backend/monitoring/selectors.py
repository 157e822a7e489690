"""Read-side queries over the telemetry.

`MetricReader` computes any catalogue metric over any window of the last hour. It reads each
source once, the whole hour, in a query whose cost depends on the hour's minutes (and routes),
not on how many requests or rules there are; every window and aggregation after that is computed
in memory.
"""

import bisect
import math
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, BigIntegerField, Count, DecimalField, F, FloatField, Func, Max, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, TruncMinute
from django.utils import timezone

from . import aggregation as agg
from .catalogue import AI, CATALOGUE, COUNTER, ERRORS, PUSHED, REQUESTS, SAMPLES, USERS, Metric
from .models import LATENCY_FIELDS, ActiveUserMinute, AIUsage, ErrorCount, MetricSample, RequestRollup
from .telemetry import minute_of

HORIZON_MINUTES = 60
MINUTE = timedelta(minutes=1)

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


class _Total(Aggregate):
    """SQLite's TOTAL(): a float sum that never raises, 0.0 over no rows."""

    function = "TOTAL"
    name = "Total"
    output_field = FloatField()


def safe_sum(*columns: str):
    """SUM(column + ...) as a float that never raises: PostgreSQL's SUM of float8 or bigint raises
    on overflow ("value out of range", "integer overflow") and so does SQLite's SUM of integers.
    It is summed as numeric (PostgreSQL) or with TOTAL (SQLite), each column cast first so that
    their addition cannot overflow either; a result past the largest float is inf, which callers
    report as an overflow."""
    if connection.vendor == "postgresql":
        terms = [Func(F(c), template="CAST(%(expressions)s AS numeric)", output_field=DecimalField()) for c in columns]
        return Sum(reduce(operator.add, terms), output_field=FloatField())
    terms = [Cast(F(c), FloatField()) for c in columns]
    return _Total(reduce(operator.add, terms))


def settled_minute(now: datetime) -> datetime:
    """The newest minute whose request rollups are complete: every process flushes a minute within
    ROLLUP_SETTLE_SECONDS of its end (Redis: at the next collection), so a window of request
    metrics ends there and is never a partial minute."""
    return minute_of(now - timedelta(seconds=settings.ROLLUP_SETTLE_SECONDS)) - MINUTE


OVERFLOWED = "value overflowed"


def finite_or_none(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


@dataclass
class Reading:
    """A metric's value over a window, with what it was computed from.

    `value` is a finite number, or None. None with `error` None is "no data"; None with `error`
    set means the value could not be computed: "value overflowed" when finite samples aggregate
    to more than a float holds (two samples of 1e308 summed), which a rule must report as an
    error, never as no data. Points are finite or None too: nothing here is ever inf or NaN.
    `start` and `end` are the window that was really read (see SAMPLE_SLACK).
    """

    metric: str
    value: float | None
    aggregation: str
    window_minutes: int
    start: datetime
    end: datetime
    # Per-minute values (or the samples themselves) the value was computed from, oldest first.
    points: list[tuple[datetime, float | None]] = field(default_factory=list)
    error: str | None = None

    def __post_init__(self):
        if self.value is not None and not math.isfinite(self.value):
            self.value, self.error = None, OVERFLOWED
        self.points = [(t, finite_or_none(v)) for t, v in self.points]

    def as_context(self) -> dict:
        context = {
            "metric": self.metric,
            "value": self.value,
            "aggregation": self.aggregation,
            "window_minutes": self.window_minutes,
            "window_start": self.start.isoformat(),
            "window_end": self.end.isoformat(),
            "points": [[t.isoformat(), v] for t, v in self.points],
        }
        if self.error:
            context["error"] = self.error
        return context


class MetricReader:
    """Computes metrics over windows ending at `now` (fixed for the reader's life, so that every
    value of one evaluation tick refers to the same moment)."""

    def __init__(self, *, now: datetime | None = None):
        self.now = (now or timezone.now()).astimezone(UTC)
        self.live_minute = minute_of(self.now)
        self.settled_minute = settled_minute(self.now)
        self._samples: dict[str, tuple[list[datetime], list[float]]] = {}
        self._requests = None
        self._errors = None
        self._ai = None
        self._ai_today = None
        self._ai_ever = None
        self._active_users = None
        self._signups = None

    # --- loading: one query per source, for the whole horizon ------------------------------------

    def prefetch_samples(self, names) -> None:
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

    def _sample_window(self, metric: Metric, window: int):
        """The samples in (end - window, end], and that end: `now`, or up to sample_grace()
        earlier while the newest sample is older than SAMPLE_SLACK (see there)."""
        self.prefetch_samples([metric.name])
        times, values = self._samples[metric.name]
        end = self.now
        if times:
            end = max(self.now - sample_grace(metric.source), min(self.now, times[-1] + SAMPLE_SLACK))
        first = bisect.bisect_right(times, end - timedelta(minutes=window))
        last = bisect.bisect_right(times, end)
        return times[first:last], values[first:last], end

    def _event_end_minute(self, has_events_in) -> datetime:
        """Where a window of events counted per minute ends: the live minute once it has any, else
        the minute before, which a tick early in a minute has not seen whole (an error logged at
        :59 is otherwise in no 1-minute window any tick reads)."""
        return self.live_minute if has_events_in(self.live_minute) else self.live_minute - MINUTE

    def _event_window_end(self, last_minute: datetime) -> datetime:
        return self.now if last_minute == self.live_minute else last_minute + MINUTE

    def _load_requests(self) -> dict:
        if self._requests is None:
            first = self.settled_minute - timedelta(minutes=HORIZON_MINUTES - 1)
            sums = (
                "count", "status_5xx", "duration_total_ms", "db_queries", "db_time_ms", "slow_queries",
                *LATENCY_FIELDS,
            )
            rows = RequestRollup.objects.filter(
                route=RequestRollup.ALL, method=RequestRollup.ALL, minute__gte=first, minute__lte=self.settled_minute
            ).values("minute", *sums, "duration_max_ms")
            self._requests = {row.pop("minute"): row for row in rows}
        return self._requests

    def _load_errors(self) -> dict:
        if self._errors is None:
            # A window may end at the minute before the live one.
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            counts: dict = defaultdict(lambda: {"ERROR": 0, "CRITICAL": 0})
            rows = ErrorCount.objects.filter(minute__gte=first).values_list("minute", "level", "count")
            for minute, level, count in rows:
                counts[minute][level] += count
            self._errors = counts
        return self._errors

    def _load_ai(self) -> dict:
        if self._ai is None:
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            rows = (
                AIUsage.objects.filter(timestamp__gte=first, timestamp__lte=self.now)
                .annotate(minute=TruncMinute("timestamp", tzinfo=UTC))
                .values("minute")
                .annotate(
                    calls=Count("id"),
                    failures=Count("id", filter=Q(success=False)),
                    cost=Sum("cost_usd"),
                    tokens=safe_sum("input_tokens", "output_tokens"),
                )
                .order_by()
            )
            self._ai = {row.pop("minute"): row for row in rows}
        return self._ai

    def _load_active_users(self) -> dict:
        if self._active_users is None:
            first = self.settled_minute - timedelta(minutes=HORIZON_MINUTES - 1)
            users: dict = defaultdict(set)
            for minute, user_id in ActiveUserMinute.objects.filter(
                minute__gte=first, minute__lte=self.settled_minute
            ).values_list("minute", "user_id"):
                users[minute].add(user_id)
            self._active_users = users
        return self._active_users

    def _load_signups(self) -> dict:
        if self._signups is None:
            first = self.live_minute - timedelta(minutes=HORIZON_MINUTES)
            rows = (
                get_user_model().objects.filter(date_joined__gte=first, date_joined__lte=self.now)
                .annotate(minute=TruncMinute("date_joined", tzinfo=UTC))
                .values("minute")
                .annotate(n=Count("id"))
                .order_by()
            )
            self._signups = {row["minute"]: row["n"] for row in rows}
        return self._signups

    def ai_ever_recorded(self) -> bool:
        if self._ai_ever is None:
            self._ai_ever = AIUsage.objects.exists()
        return self._ai_ever

    def ai_cost_today(self) -> float:
        if self._ai_today is None:
            midnight = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
            total = AIUsage.objects.filter(timestamp__gte=midnight, timestamp__lte=self.now).aggregate(
                total=Sum("cost_usd")
            )["total"]
            self._ai_today = float(total or Decimal(0))
        return self._ai_today

    # --- computing ------------------------------------------------------------------------------

    @staticmethod
    def _buckets(last_minute: datetime, window: int) -> list[datetime]:
        return [last_minute - timedelta(minutes=window - 1 - i) for i in range(window)]

    def read(self, metric: Metric, window: int, aggregation: str) -> Reading:
        compute = {
            SAMPLES: self._read_samples,
            PUSHED: self._read_samples,
            REQUESTS: self._read_requests,
            ERRORS: self._read_errors,
            AI: self._read_ai,
            USERS: self._read_users,
        }[metric.source]
        return compute(metric, window, aggregation)

    def _reading(self, metric, window, aggregation, value, points, start, end) -> Reading:
        return Reading(metric.name, value, aggregation, window, start, end, points)

    def _read_samples(self, metric: Metric, window: int, aggregation: str) -> Reading:
        times, values, end = self._sample_window(metric, window)
        start = end - timedelta(minutes=window)
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
                grouped = defaultdict(list)
                for t, v in points:
                    grouped[minute_of(t)].append(v)
                points = [(m, agg.of_values(vs, "avg")) for m, vs in sorted(grouped.items())]
        return self._reading(metric, window, aggregation, value, points, start, end)

    def _read_requests(self, metric: Metric, window: int, aggregation: str) -> Reading:
        rows = self._load_requests()
        buckets = self._buckets(self.settled_minute, window)
        cells = [rows.get(m) for m in buckets]

        def column(name):
            return [(c[name] or 0) if c else 0 for c in cells]

        counts = column("count")
        if metric.name == "api_request_count":
            value = agg.of_counter(counts, int(sum(counts)), aggregation)
            per_minute = counts
        elif metric.name == "api_error_rate":
            errors = column("status_5xx")
            value = agg.of_ratio(errors, counts, aggregation)
            per_minute = [e / c * 100 if c else None for e, c in zip(errors, counts)]
        elif metric.name == "api_response_time":
            totals = column("duration_total_ms")
            histogram = [sum(column(f)) for f in LATENCY_FIELDS]
            value = agg.of_means(totals, counts, aggregation, maxima=column("duration_max_ms"), histogram=histogram)
            per_minute = [t / c if c else None for t, c in zip(totals, counts)]
        elif metric.name == "db_query_time":
            queries, time_ms = column("db_queries"), column("db_time_ms")
            value = agg.of_means(time_ms, queries, aggregation)
            per_minute = [t / q if q else None for t, q in zip(time_ms, queries)]
        elif metric.name == "slow_queries":
            per_minute = column("slow_queries")
            value = agg.of_counter(per_minute, int(sum(per_minute)), aggregation)
        else:
            raise ValueError(f"{metric.name} is not computed from requests")
        return self._reading(
            metric, window, aggregation, value, list(zip(buckets, per_minute)), buckets[0], buckets[-1] + MINUTE
        )

    def _read_errors(self, metric: Metric, window: int, aggregation: str) -> Reading:
        counts = self._load_errors()
        last_minute = self._event_end_minute(counts.__contains__)
        buckets = self._buckets(last_minute, window)
        if metric.name == "critical_errors":
            per_minute = [counts[m]["CRITICAL"] if m in counts else 0 for m in buckets]
        else:
            per_minute = [counts[m]["ERROR"] + counts[m]["CRITICAL"] if m in counts else 0 for m in buckets]
        value = agg.of_counter(per_minute, int(sum(per_minute)), aggregation)
        return self._reading(
            metric, window, aggregation, value, list(zip(buckets, per_minute)), buckets[0],
            self._event_window_end(last_minute),
        )

    def _read_ai(self, metric: Metric, window: int, aggregation: str) -> Reading:
        if not self.ai_ever_recorded():
            # Nothing has ever reported AI usage: unknown, not free.
            buckets = self._buckets(self.live_minute, window)
            return self._reading(metric, window, aggregation, None, [], buckets[0], self.now)
        if metric.name == "ai_cost_daily":
            value = self.ai_cost_today()
            midnight = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
            return self._reading(metric, window, aggregation, value, [], midnight, self.now)
        rows = self._load_ai()
        last_minute = self._event_end_minute(rows.__contains__)
        buckets = self._buckets(last_minute, window)
        cells = [rows.get(m) for m in buckets]
        calls = [c["calls"] if c else 0 for c in cells]
        if metric.name == "ai_failure_rate":
            failures = [c["failures"] if c else 0 for c in cells]
            value = agg.of_ratio(failures, calls, aggregation)
            per_minute = [f / n * 100 if n else None for f, n in zip(failures, calls)]
        else:
            key = "cost" if metric.name == "ai_cost" else "tokens"
            per_minute = [float(c[key] or 0) if c else 0.0 for c in cells]
            value = agg.of_counter(per_minute, int(sum(calls)), aggregation)
        return self._reading(
            metric, window, aggregation, value, list(zip(buckets, per_minute)), buckets[0],
            self._event_window_end(last_minute),
        )

    def _read_users(self, metric: Metric, window: int, aggregation: str) -> Reading:
        if metric.name == "signups":
            joined = self._load_signups()
            last_minute = self._event_end_minute(joined.__contains__)
            buckets = self._buckets(last_minute, window)
            per_minute = [joined.get(m, 0) for m in buckets]
            value = agg.of_counter(per_minute, int(sum(per_minute)), aggregation)
            points = list(zip(buckets, per_minute))
            return self._reading(
                metric, window, aggregation, value, points, buckets[0], self._event_window_end(last_minute)
            )
        seen = self._load_active_users()
        buckets = self._buckets(self.settled_minute, window)
        per_minute = [len(seen.get(m, ())) for m in buckets]
        if aggregation == "count":
            value = float(len(set().union(*(seen.get(m, set()) for m in buckets))))
        else:
            value = agg.of_counter(per_minute, int(sum(per_minute)), aggregation)
        return self._reading(
            metric, window, aggregation, value, list(zip(buckets, per_minute)), buckets[0], buckets[-1] + MINUTE
        )


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


def _bucket(column: str, seconds: int) -> RawSQL:
    """The start of the `seconds`-long bucket holding `column`, as a Unix time, in SQL."""
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        sql = f"(FLOOR(EXTRACT(EPOCH FROM {quoted}) / {seconds}) * {seconds})::bigint"
    else:
        sql = f"(CAST(strftime('%%s', {quoted}) AS INTEGER) / {seconds} * {seconds})"
    return RawSQL(sql, [], output_field=BigIntegerField())


def metric_series(metric: Metric, minutes: int, *, now: datetime | None = None) -> dict:
    """The metric over the last `minutes` (up to a week) in buckets, each the metric's default
    aggregation over its bucket. Buckets without data are null, except for metrics whose empty
    bucket is a true 0 (and then only once the bucket's minutes are known)."""
    now = (now or timezone.now()).astimezone(UTC)
    seconds = series_bucket_seconds(minutes)
    end = int(now.timestamp()) // seconds * seconds
    start = end - (math.ceil(minutes * 60 / seconds) - 1) * seconds
    since = datetime.fromtimestamp(start, UTC)
    values: dict[int, float | None] = _SERIES_SOURCES[metric.source](metric, since, now, seconds)
    empty = 0.0 if metric.empty_means_zero else None
    # Request metrics and active users are written once their minute has settled: an empty bucket
    # reaching past the newest settled minute is not known yet, not a zero.
    known_until = None
    if metric.source == REQUESTS or metric.name == "active_users":
        known_until = int((settled_minute(now) + MINUTE).timestamp())
    points = []
    for epoch in range(start, end + 1, seconds):
        if epoch in values:
            value = values[epoch]
        elif known_until is not None and epoch + seconds > known_until:
            value = None
        else:
            value = empty
        points.append({"t": datetime.fromtimestamp(epoch, UTC).isoformat(), "v": value})
    return {
        "metric": metric.name,
        "label": metric.label,
        "unit": metric.unit,
        "minutes": minutes,
        "bucket_seconds": seconds,
        "aggregation": metric.default_aggregation,
        "points": points,
    }


def _series_samples(metric, since, now, seconds):
    samples = MetricSample.objects.filter(name=metric.name, timestamp__gte=since, timestamp__lte=now)
    rows = (
        samples.annotate(bucket=_bucket("timestamp", seconds))
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


def _series_requests(metric, since, now, seconds):
    rows = (
        RequestRollup.objects.filter(
            route=RequestRollup.ALL, method=RequestRollup.ALL, minute__gte=since, minute__lte=now
        )
        .annotate(bucket=_bucket("minute", seconds))
        .values("bucket")
        .annotate(
            count=Sum("count"), errors=Sum("status_5xx"), duration=safe_sum("duration_total_ms"),
            queries=Sum("db_queries"), query_ms=safe_sum("db_time_ms"), slow=Sum("slow_queries"),
        )
        .order_by()
    )

    def value(row):
        match metric.name:
            case "api_request_count":
                return float(row["count"])
            case "api_error_rate":
                return row["errors"] / row["count"] * 100 if row["count"] else None
            case "api_response_time":
                return row["duration"] / row["count"] if row["count"] else None
            case "db_query_time":
                return row["query_ms"] / row["queries"] if row["queries"] else None
            case "slow_queries":
                return float(row["slow"])

    return {row["bucket"]: finite_or_none(value(row)) for row in rows}


def _series_errors(metric, since, now, seconds):
    rows = ErrorCount.objects.filter(minute__gte=since, minute__lte=now)
    if metric.name == "critical_errors":
        rows = rows.filter(level="CRITICAL")
    rows = rows.annotate(bucket=_bucket("minute", seconds)).values("bucket").annotate(n=Sum("count")).order_by()
    return {row["bucket"]: float(row["n"]) for row in rows}


def _series_ai(metric, since, now, seconds):
    if metric.name == "ai_cost_daily":
        # Cost since local midnight at the end of each bucket: a running total that restarts
        # every day, so it is summed from the midnight before the first bucket.
        midnight = timezone.localtime(since).replace(hour=0, minute=0, second=0, microsecond=0)
        per_bucket = _ai_buckets(midnight, now, seconds)
        running, day, values = 0.0, None, {}
        for epoch in sorted(per_bucket):
            local_day = timezone.localtime(datetime.fromtimestamp(epoch, UTC)).date()
            if local_day != day:
                running, day = 0.0, local_day
            running += float(per_bucket[epoch]["cost"] or 0)
            values[epoch] = running
        return values
    rows = _ai_buckets(since, now, seconds)
    if metric.name == "ai_failure_rate":
        return {b: r["failures"] / r["calls"] * 100 for b, r in rows.items() if r["calls"]}
    key = "cost" if metric.name == "ai_cost" else "tokens"
    return {b: finite_or_none(float(r[key] or 0)) for b, r in rows.items()}


def _ai_buckets(since, now, seconds):
    rows = (
        AIUsage.objects.filter(timestamp__gte=since, timestamp__lte=now)
        .annotate(bucket=_bucket("timestamp", seconds))
        .values("bucket")
        .annotate(
            calls=Count("id"), failures=Count("id", filter=Q(success=False)), cost=Sum("cost_usd"),
            tokens=safe_sum("input_tokens", "output_tokens"),
        )
        .order_by()
    )
    return {row.pop("bucket"): row for row in rows}


def _series_users(metric, since, now, seconds):
    if metric.name == "signups":
        rows = get_user_model().objects.filter(date_joined__gte=since, date_joined__lte=now)
        rows = rows.annotate(bucket=_bucket("date_joined", seconds)).values("bucket").annotate(n=Count("id")).order_by()
    else:
        rows = ActiveUserMinute.objects.filter(minute__gte=since, minute__lte=now)
        rows = rows.annotate(bucket=_bucket("minute", seconds)).values("bucket").annotate(
            n=Count("user_id", distinct=True)
        ).order_by()
    return {row["bucket"]: float(row["n"]) for row in rows}


_SERIES_SOURCES = {
    SAMPLES: _series_samples,
    PUSHED: _series_samples,
    REQUESTS: _series_requests,
    ERRORS: _series_errors,
    AI: _series_ai,
    USERS: _series_users,
}


# --- routes ---------------------------------------------------------------------------------------


def endpoint_stats(*, minutes: int, now: datetime | None = None) -> list[dict]:
    """Per route and method over the last `minutes`: requests, 4xx, 5xx, error rate, mean, p95
    and max response time, database queries per request."""
    now = (now or timezone.now()).astimezone(UTC)
    since = minute_of(now) - timedelta(minutes=minutes - 1)
    rows = (
        RequestRollup.objects.filter(minute__gte=since, minute__lte=now)
        .exclude(route=RequestRollup.ALL)
        .values("route", "method")
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
        stats.append({
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
    reader.prefetch_samples(m.name for m in CATALOGUE.values() if m.source in (SAMPLES, PUSHED))
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
