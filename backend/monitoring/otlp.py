"""OpenTelemetry metrics and logs received over OTLP/HTTP, stored as this system's telemetry.

Metrics map by OpenTelemetry's semantic conventions onto the catalogue, labelled by the resource's
`service.name` and `host.name` and the points' attributes:

- `http.server.request.duration` (seconds) and the older `http.server.duration` (milliseconds):
  the service's RequestRollup rows per route and method (api_request_count, api_error_rate,
  api_response_time with its p95 from the buckets);
- `db.client.operation.duration`: the service's database time (db_query_time, slow_queries);
- `system.cpu.utilization`, `system.memory.utilization`, `system.filesystem.utilization`:
  cpu_usage, memory_usage and disk_usage samples by host;
- `gen_ai.client.token.usage` and `gen_ai.client.operation.duration`: AIUsage rows per minute
  (ai_token_usage, ai_failure_rate);
- anything else: a custom metric of that name (sanitised to the metric-name rules), its
  attributes as labels; a histogram becomes `<name>_count`, `<name>_sum` and `<name>_avg`.

Cumulative sums and histograms become deltas per series: the last cumulative point of each is kept
(OtlpCumulativePoint), the next one's delta is counted in the minute of its time; a new start time
is a restart (the new value is what was counted since), never a negative spike. Delta points are
taken as they are, gauges (and sums that are not monotonic) are samples.

A point that cannot be stored is counted as rejected with its reason and the rest are stored
(OTLP's partial success); exemplars and unsupported point types are counted and ignored.
"""

import hashlib
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2

from . import labels as series_labels
from .batch import LATENCY_BUCKETS_MS, REQUEST_FIELDS, ErrorGroup, merge_request_values, minute_of
from .catalogue import CATALOGUE, METRIC_NAME, PUSHED
from .models import AIUsage, MetricSample, MetricSeries, OtlpCumulativePoint
from .selectors import forget_sample_names_if_new
from .sinks import write_error_counts, write_error_group, write_request_rows

PROTOBUF = "application/x-protobuf"
JSON = "application/json"

# A series' first cumulative point is counted in full when the series started this recently (it
# counted nothing we could have missed); else it only sets the baseline. A point more than
# STALE after its series' last one starts a new baseline too: what it counted meanwhile cannot
# be put in a minute.
RECENT_START = timedelta(minutes=10)
STALE = timedelta(minutes=15)
# The most one histogram point may add in a minute (requests, queries, calls), and the largest
# magnitude of its sum: beyond them a point is no measurement (and would not fit the rollups).
MAX_POINT_COUNT = 10**8
MAX_POINT_SUM = 1e15
# Problems listed in a partial-success message; the rest are counted.
MAX_LISTED_PROBLEMS = 5
UNMATCHED_ROUTE = "<unmatched>"

_DELTA = metrics_pb2.AGGREGATION_TEMPORALITY_DELTA
_CUMULATIVE = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE
_NO_RECORDED_VALUE = metrics_pb2.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK

_SCALE_TO_MS = {"s": 1000.0, "ms": 1.0, "us": 0.001, "μs": 0.001, "ns": 1e-6, "min": 60000.0}
_HTTP_DURATIONS = {"http.server.request.duration": "s", "http.server.duration": "ms"}
_DB_DURATIONS = {"db.client.operation.duration": "s", "db.client.duration": "ms"}
_SYSTEM = {
    "system.cpu.utilization": "cpu_usage",
    "system.memory.utilization": "memory_usage",
    "system.filesystem.utilization": "disk_usage",
}
_GEN_AI_TOKENS = "gen_ai.client.token.usage"
_GEN_AI_DURATION = "gen_ai.client.operation.duration"
_NOT_NAME = re.compile(r"[^a-z0-9_]+")
_NOT_LABEL = re.compile(r"[^a-z0-9_]+")


class OtlpError(ValueError):
    """A request that cannot be taken at all: OTLP's 400 (or `status`), with this message."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


@dataclass
class Outcome:
    """What an export stored and what it could not: OTLP's (partial) success."""

    accepted: int = 0
    rejected: int = 0
    problems: Counter = field(default_factory=Counter)
    ignored: Counter = field(default_factory=Counter)

    def reject(self, problem: str, count: int = 1) -> None:
        self.rejected += count
        self.problems[problem] += count

    def message(self) -> str:
        listed = self.problems.most_common(MAX_LISTED_PROBLEMS)
        parts = [f"{problem} ({n})" if n > 1 else problem for problem, n in listed]
        if len(self.problems) > MAX_LISTED_PROBLEMS:
            parts.append(f"{len(self.problems) - MAX_LISTED_PROBLEMS} more kinds of problem")
        parts += [f"ignored {n} {what}" for what, n in sorted(self.ignored.items())]
        return "; ".join(parts)


# --- decoding -------------------------------------------------------------------------------------


def read_body(raw: bytes, encoding: str) -> bytes:
    """The request body, gzip or deflate decompressed (no more than OTLP_MAX_REQUEST_BYTES)."""
    limit = settings.OTLP_MAX_REQUEST_BYTES
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return raw
    if encoding not in ("gzip", "deflate"):
        raise OtlpError(f"Content-Encoding {encoding!r} is not supported: send gzip or none.", status=415)
    decompressor = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
    try:
        body = decompressor.decompress(raw, limit + 1)
    except zlib.error as error:
        raise OtlpError(f"The body is not valid {encoding}: {error}.") from None
    if len(body) > limit:
        raise OtlpError(f"The decompressed body is over {limit} bytes.", status=413)
    return body


def decode(message: Message, body: bytes, content_type: str) -> Message:
    """`body` parsed into `message` (an Export*ServiceRequest) from protobuf or OTLP's JSON."""
    kind = (content_type or "").split(";")[0].strip().lower()
    try:
        if kind == PROTOBUF:
            message.ParseFromString(body)
        elif kind == JSON:
            # Receivers must ignore fields they do not know (OTLP's JSON encoding).
            json_format.Parse(body or b"{}", message, ignore_unknown_fields=True)
        else:
            raise OtlpError(f"Content-Type must be {PROTOBUF} or {JSON}.", status=415)
    except (DecodeError, json_format.ParseError, UnicodeDecodeError, RecursionError) as error:
        raise OtlpError(f"The body is not a valid {message.DESCRIPTOR.name}: {str(error)[:300]}") from None
    return message


def encode(message: Message, content_type: str) -> bytes:
    if (content_type or "").split(";")[0].strip().lower() == JSON:
        return json_format.MessageToJson(message, indent=None).encode()
    return message.SerializeToString()


# --- values and labels ----------------------------------------------------------------------------


def _text(value: AnyValue) -> str | None:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    if kind == "int_value":
        return str(value.int_value)
    if kind == "double_value":
        return repr(value.double_value)
    if kind == "array_value":
        items = [_text(v) for v in value.array_value.values]
        return ",".join(i for i in items if i is not None)
    return None  # bytes, key-value lists and empty values are not labels


def attributes(pairs: Iterable[KeyValue]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        text = _text(pair.value)
        if text is not None:
            found[pair.key] = text
    return found


def label_name(key: str) -> str:
    """An attribute's key as a label name: `http.route` -> `http_route`."""
    name = _NOT_LABEL.sub("_", key.lower()).strip("_") or "_"
    return ("_" + name if name[0].isdigit() else name)[: series_labels.LABEL_NAME_MAX_LENGTH]


def metric_name(name: str) -> str | None:
    """An OTel metric's name as a custom metric's: `queue.depth` -> `queue_depth`. A name the
    system measures itself gets an `otel_` prefix, so that a push never corrupts it."""
    base = _NOT_NAME.sub("_", name.lower()).strip("_")
    base = re.sub(r"^[^a-z]+", "", base)
    if not base:
        return None
    known = CATALOGUE.get(base[:64])
    if known is not None and known.source != PUSHED:
        base = "otel_" + base
    base = base[:64].rstrip("_")
    return base if METRIC_NAME.match(base) else None


@dataclass(frozen=True)
class Resource:
    """What a resource contributes: its labels and its identity (for cumulative state)."""

    service: str
    host: str
    identity: str


def _resource(pairs: Iterable[KeyValue]) -> Resource:
    found = attributes(pairs)
    identity = "\x1f".join(f"{k}={v}" for k, v in sorted(found.items()))
    return Resource(found.get("service.name", "")[:128], found.get("host.name", "")[:128], identity)


# The latest time a point may carry: past it (year 10000) no date can be made of it.
_LATEST_NANOS = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp() * 1e9)


def _time(nanos: int) -> datetime:
    return datetime.fromtimestamp(min(nanos, _LATEST_NANOS) / 1e9, tz=UTC)


# --- cumulative -> delta --------------------------------------------------------------------------


@dataclass
class _Point:
    """One number or histogram of a data point; for a cumulative one, what it adds since the last."""

    key: str | None  # set for a cumulative point
    start: int
    time: int
    value: float = 0.0  # a number's value, or a histogram's count
    total: float = 0.0  # a histogram's sum
    buckets: list[float] = field(default_factory=list)
    bounds: list[float] = field(default_factory=list)
    maximum: float | None = None
    on_delta: Callable[["_Point"], None] | None = None


def _key(resource: Resource, scope: str, metric: str, attrs: dict[str, str]) -> str:
    text = "\x1e".join([resource.identity, scope, metric, *(f"{k}={v}" for k, v in sorted(attrs.items()))])
    return hashlib.sha256(text.encode()).hexdigest()


def _locked_state(keys: list[str]) -> dict[str, OtlpCumulativePoint]:
    rows = OtlpCumulativePoint.objects.filter(key__in=keys)
    if connection.vendor == "postgresql":
        rows = rows.select_for_update()
    return {row.key: row for row in rows}


def _deltas(points: list[_Point], now: datetime) -> None:
    """Turn each cumulative point into what it adds since its series' last one (or nothing), and
    remember the last point of each series."""
    if not points:
        return
    points.sort(key=lambda p: (p.key, p.time))
    state = _locked_state(sorted({p.key for p in points if p.key}))
    changed: dict[str, OtlpCumulativePoint] = {}
    stale_nanos = STALE.total_seconds() * 1e9
    for point in points:
        assert point.key is not None
        last = changed.get(point.key) or state.get(point.key)
        if last is not None and point.start == last.start_unix_nano and point.time <= last.time_unix_nano:
            continue  # a point seen before (a retried export), or older than the one kept
        delta = _delta_of(point, last, stale_nanos)
        changed[point.key] = OtlpCumulativePoint(
            key=point.key, start_unix_nano=point.start, time_unix_nano=point.time, value=point.value,
            total=point.total, buckets=point.buckets, bounds=point.bounds, updated_at=now,
        )
        if delta is not None and point.on_delta is not None:
            point.on_delta(delta)
    if changed:
        OtlpCumulativePoint.objects.bulk_create(
            list(changed.values()), update_conflicts=True, unique_fields=["key"],
            update_fields=["start_unix_nano", "time_unix_nano", "value", "total", "buckets", "bounds", "updated_at"],
        )


def _delta_of(point: _Point, last: OtlpCumulativePoint | None, stale_nanos: float) -> _Point | None:
    """What `point` counted since `last` (its series' previous point), or None when that is unknown."""
    if last is None:
        # All it counted is since its start: new to us if that start is recent, else unknown.
        recent = point.start and 0 <= point.time - point.start <= RECENT_START.total_seconds() * 1e9
        return point if recent else None
    if point.start != last.start_unix_nano:
        # A restart counts from zero at its new start, which comes after the last point seen; an
        # earlier start is another producer with the same identity (give each its
        # service.instance.id): what it counted cannot be told apart, and is not invented.
        return point if point.start and point.start >= last.time_unix_nano - 1e9 else None
    if point.bounds != list(last.bounds) or point.time - last.time_unix_nano > stale_nanos:
        return None
    value = point.value - last.value
    buckets = [a - b for a, b in zip(point.buckets, last.buckets, strict=False)]
    if value < 0 or any(b < 0 for b in buckets):
        return point  # counted again from zero without a new start time: a restart
    return _Point(None, last.time_unix_nano, point.time, value, point.total - last.total, buckets, point.bounds,
                  point.maximum)


# --- metrics --------------------------------------------------------------------------------------


def _ms_scale(unit: str, default: str) -> float:
    return _SCALE_TO_MS.get(unit or default, _SCALE_TO_MS[default])


def latency_cells(buckets: list[float], bounds: list[float], scale: float) -> list[int]:
    """A histogram's bucket counts on LATENCY_BUCKETS_MS: each of its buckets goes to the first of
    ours whose bound is at or above its upper bound (exactly where the bounds are OTel's defaults;
    never below where a value was measured otherwise)."""
    cells = [0] * (len(LATENCY_BUCKETS_MS) + 1)
    for i, count in enumerate(buckets):
        if not count:
            continue
        upper = bounds[i] * scale if i < len(bounds) else math.inf
        cells[_cell_of(upper)] += int(round(count))
    return cells


def _cell_of(upper_ms: float) -> int:
    for index, bound in enumerate(LATENCY_BUCKETS_MS):
        if upper_ms <= bound * (1 + 1e-9):
            return index
    return len(LATENCY_BUCKETS_MS)


def _largest(point: _Point, scale: float) -> float:
    """The slowest a histogram's values can have been: its upper bound of the highest bucket that
    counted, no more than its recorded maximum."""
    top = max((i for i, c in enumerate(point.buckets) if c), default=None)
    bound = point.bounds[top] * scale if top is not None and top < len(point.bounds) else math.inf
    if point.maximum is not None:
        bound = min(bound, point.maximum * scale)
    if math.isinf(bound):
        bound = point.bounds[-1] * scale if point.bounds else (point.total * scale / point.value if point.value else 0)
    return bound


class MetricsExport:
    """One ExportMetricsServiceRequest being stored."""

    def __init__(self, now: datetime):
        self.now = now
        self.outcome = Outcome()
        self.cumulative: list[_Point] = []
        self.requests: dict[str, dict] = defaultdict(dict)  # service -> (minute, route, method) -> values
        self.samples: list[tuple[str, float, datetime, dict[str, str]]] = []
        self.system: dict[tuple, dict] = defaultdict(dict)  # cpu/memory parts per host and time
        self.ai: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        self.points = 0
        self.max_points = settings.OTLP_MAX_DATA_POINTS
        self.oldest = now - timedelta(days=settings.TELEMETRY_RETENTION_DAYS)
        self.newest = now + timedelta(minutes=5)
        self.slow_query_ms = settings.SLOW_QUERY_MS

    # Walk the request.

    def add(self, request: ExportMetricsServiceRequest) -> None:
        for resource_metrics in request.resource_metrics:
            resource = _resource(resource_metrics.resource.attributes)
            for scope_metrics in resource_metrics.scope_metrics:
                scope = scope_metrics.scope.name
                for metric in scope_metrics.metrics:
                    self._metric(resource, scope, metric)

    def _metric(self, resource: Resource, scope: str, metric: metrics_pb2.Metric) -> None:
        kind = metric.WhichOneof("data")
        if kind is None:
            return
        data = getattr(metric, kind)
        if kind not in ("gauge", "sum", "histogram"):
            self.outcome.reject(f"{kind.replace('_', ' ')} points are not supported ({metric.name})",
                                len(data.data_points))
            return
        handler = self._handler(metric.name, kind)
        for point in data.data_points:
            if self.points >= self.max_points:
                self.outcome.reject(f"over {self.max_points} data points in one request")
                continue
            self.points += 1
            if point.exemplars:
                self.outcome.ignored["exemplars"] += len(point.exemplars)
            if point.flags & _NO_RECORDED_VALUE:
                continue
            when = _time(point.time_unix_nano)
            if not self.oldest <= when <= self.newest:
                self.outcome.reject("points must be within the retention period and no more than 5 minutes ahead")
                continue
            attrs = attributes(point.attributes)
            try:
                handler(resource, scope, metric, kind, data, point, attrs, when)
            except _Rejected as rejected:
                self.outcome.reject(str(rejected))
                continue
            self.outcome.accepted += 1

    def _handler(self, name: str, kind: str):
        if name in _HTTP_DURATIONS and kind == "histogram":
            return self._http
        if name in _DB_DURATIONS and kind == "histogram":
            return self._db
        if name in _SYSTEM and kind in ("gauge", "sum"):
            return self._system_point
        if name in (_GEN_AI_TOKENS, _GEN_AI_DURATION) and kind == "histogram":
            return self._gen_ai
        return self._custom

    def _point(self, resource, scope, metric, kind, data, point, attrs, on_delta) -> None:
        """Hand the point's numbers to `on_delta`: now (delta temporality), or once its delta since
        the series' last point is known (cumulative)."""
        if kind == "histogram":
            numbers = _Point(None, point.start_time_unix_nano, point.time_unix_nano, float(point.count),
                             point.sum if point.HasField("sum") else 0.0, [float(c) for c in point.bucket_counts],
                             list(point.explicit_bounds), point.max if point.HasField("max") else None, on_delta)
            if len(numbers.buckets) not in (0, len(numbers.bounds) + 1):
                raise _Rejected(f"{metric.name}: a histogram needs one bucket count more than its bounds")
        else:
            numbers = _Point(None, point.start_time_unix_nano, point.time_unix_nano, _number(point), on_delta=on_delta)
        if kind == "histogram" and not math.isfinite(numbers.total):
            raise _Rejected("values must be finite numbers")
        if data.aggregation_temporality == _CUMULATIVE:
            numbers.key = _key(resource, scope, metric.name, attrs)
            numbers.on_delta = self._guarded(on_delta, kind)
            self.cumulative.append(numbers)
        elif data.aggregation_temporality == _DELTA:
            problem = _too_large(numbers, kind)
            if problem:
                raise _Rejected(problem)
            on_delta(numbers)
        else:
            raise _Rejected(f"{metric.name}: the aggregation temporality is unspecified")

    def _guarded(self, on_delta, kind: str):
        """`on_delta` for a cumulative point's delta, which is rejected instead when too large."""

        def guarded(delta: _Point) -> None:
            problem = _too_large(delta, kind)
            if problem:
                self.outcome.accepted -= 1
                self.outcome.reject(problem)
                return
            on_delta(delta)

        return guarded

    # HTTP servers and database clients: the service's request rollups.

    def _http(self, resource, scope, metric, kind, data, point, attrs, when):
        scale = _ms_scale(metric.unit, _HTTP_DURATIONS[metric.name])
        route = _route(attrs.get("http.route", ""))
        method = (attrs.get("http.request.method") or attrs.get("http.method") or "OTHER")[:10]
        status = attrs.get("http.response.status_code") or attrs.get("http.status_code") or ""
        service = resource.service or "unknown_service"

        def on_delta(delta: _Point) -> None:
            if not delta.value:
                return
            count = int(round(delta.value))
            values = dict.fromkeys(REQUEST_FIELDS, 0.0)
            values["count"] = count
            if status.startswith("5"):
                values["status_5xx"] = count
            elif status.startswith("4"):
                values["status_4xx"] = count
            values["duration_total_ms"] = max(delta.total * scale, 0.0)
            values["duration_max_ms"] = _largest(delta, scale)
            for name, cell in zip(REQUEST_FIELDS[-len(LATENCY_BUCKETS_MS) - 1:],
                                  latency_cells(delta.buckets, delta.bounds, scale), strict=True):
                values[name] = cell
            self._add_request(service, minute_of(_time(delta.time)), route, method, values)

        self._point(resource, scope, metric, kind, data, point, attrs, on_delta)

    def _db(self, resource, scope, metric, kind, data, point, attrs, when):
        scale = _ms_scale(metric.unit, _DB_DURATIONS[metric.name])
        service = resource.service or "unknown_service"

        def on_delta(delta: _Point) -> None:
            if not delta.value:
                return
            values = dict.fromkeys(REQUEST_FIELDS, 0.0)
            values["db_queries"] = int(round(delta.value))
            values["db_time_ms"] = max(delta.total * scale, 0.0)
            # Queries in buckets whose lower bound is at least SLOW_QUERY_MS.
            values["slow_queries"] = int(sum(
                count for i, count in enumerate(delta.buckets)
                if i > 0 and i - 1 < len(delta.bounds) and delta.bounds[i - 1] * scale >= self.slow_query_ms
            ))
            self._add_request(service, minute_of(_time(delta.time)), "", "", values)

        self._point(resource, scope, metric, kind, data, point, attrs, on_delta)

    def _add_request(self, service: str, minute: datetime, route: str, method: str, values: dict) -> None:
        row = [values[name] for name in REQUEST_FIELDS]
        cells = self.requests[service]
        key = (minute, route, method)
        if key in cells:
            merge_request_values(cells[key], row)
        else:
            cells[key] = row

    # Host metrics.

    def _system_point(self, resource, scope, metric, kind, data, point, attrs, when):
        target = _SYSTEM[metric.name]
        value = _number(point)
        labels = _resource_labels(resource)
        if target == "disk_usage":
            mountpoint = attrs.get("system.filesystem.mountpoint") or attrs.get("mountpoint")
            if mountpoint:
                labels["mountpoint"] = mountpoint[:128]
            self.samples.append((target, value * 100, when, labels))
            return
        state = attrs.get("state") or attrs.get("system.cpu.state") or attrs.get("system.memory.state")
        cpu = attrs.get("cpu") or attrs.get("system.cpu.logical_number") or ""
        parts = self.system[(target, tuple(sorted(labels.items())), point.time_unix_nano)]
        parts.setdefault(cpu, {})[state or ""] = value

    def _system_samples(self) -> None:
        for (target, labels, nanos), parts in self.system.items():
            if target == "cpu_usage":
                busy = [1 - states["idle"] if "idle" in states else sum(states.values()) for states in parts.values()]
                value = sum(busy) / len(busy)
            else:
                states = {state: v for cpu_states in parts.values() for state, v in cpu_states.items()}
                value = states["used"] if "used" in states else states.get("", sum(states.values()))
            self.samples.append((target, value * 100, _time(nanos), dict(labels)))

    # AI calls.

    def _gen_ai(self, resource, scope, metric, kind, data, point, attrs, when):
        provider = (attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or "")[:64]
        model = (attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model") or "")[:128]
        operation = (attrs.get("gen_ai.operation.name") or "")[:128]
        if metric.name == _GEN_AI_TOKENS:
            token_type = attrs.get("gen_ai.token.type", "")
            column = 1 if token_type == "input" else 2

            def on_delta(delta: _Point) -> None:
                key = (minute_of(_time(delta.time)), provider, model, operation, True)
                self.ai[key][column] += max(delta.total, 0.0)
        else:
            success = "error.type" not in attrs
            scale = _ms_scale(metric.unit, "s")

            def on_delta(delta: _Point) -> None:
                key = (minute_of(_time(delta.time)), provider, model, operation, success)
                self.ai[key][0] += delta.value
                self.ai[key][3] += max(delta.total * scale, 0.0)

        self._point(resource, scope, metric, kind, data, point, attrs, on_delta)

    # Anything else.

    def _custom(self, resource, scope, metric, kind, data, point, attrs, when):
        name = metric_name(metric.name)
        if name is None:
            raise _Rejected(f"{metric.name!r} has no letter to make a metric name of")
        labels = _resource_labels(resource)
        for key, value in attrs.items():
            labels.setdefault(label_name(key), value)
        problems = series_labels.labels_errors(labels)
        if problems:
            raise _Rejected(f"{metric.name}: {' '.join(problems)}")
        if kind == "gauge" or (kind == "sum" and not data.is_monotonic):
            # A level (an up-down counter's current value is one too).
            self.samples.append((name, _number(point), when, labels))
            return
        if kind == "sum":
            def on_delta(delta: _Point) -> None:
                self.samples.append((name, delta.value, _time(delta.time), labels))
        else:
            names = {suffix: f"{name[:64 - len(suffix)]}{suffix}" for suffix in ("_count", "_sum", "_avg")}

            def on_delta(delta: _Point) -> None:
                at = _time(delta.time)
                self.samples.append((names["_count"], delta.value, at, labels))
                self.samples.append((names["_sum"], delta.total, at, labels))
                if delta.value:
                    self.samples.append((names["_avg"], delta.total / delta.value, at, labels))

        self._point(resource, scope, metric, kind, data, point, attrs, on_delta)

    # Store.

    @transaction.atomic
    def save(self) -> Outcome:
        _deltas(self.cumulative, self.now)
        self._system_samples()
        for service, cells in self.requests.items():
            write_request_rows(cells, service=service)
        if self.samples:
            rows = [MetricSample(name=n, value=v, timestamp=t) for n, v, t, _ in self.samples]
            MetricSeries.assign(rows, [labels for *_, labels in self.samples])
            MetricSample.objects.bulk_create(rows, batch_size=1000)
            forget_sample_names_if_new({row.name for row in rows})
        if self.ai:
            AIUsage.objects.bulk_create([
                AIUsage(timestamp=minute, provider=provider, model=model, operation=operation, success=success,
                        call_count=int(round(calls)), input_tokens=int(round(tokens_in)),
                        output_tokens=int(round(tokens_out)),
                        latency_ms=latency / calls if calls else None)
                for (minute, provider, model, operation, success), (calls, tokens_in, tokens_out, latency)
                in self.ai.items()
            ])
        return self.outcome


def _too_large(point: _Point, kind: str) -> str | None:
    if kind == "histogram" and (point.value > MAX_POINT_COUNT or abs(point.total) > MAX_POINT_SUM):
        return f"a histogram point is too large (over {MAX_POINT_COUNT} values or a sum over {MAX_POINT_SUM:g})"
    return None


class _Rejected(ValueError):
    """One data point that cannot be stored, and why."""


def _number(point) -> float:
    value = float(point.as_int) if point.WhichOneof("value") == "as_int" else point.as_double
    if not math.isfinite(value):
        raise _Rejected("values must be finite numbers")
    return value


def _route(template: str) -> str:
    """An `http.route` as this server's own routes are written: from the root (Django's
    instrumentation sends its URL pattern, `orders/<int:id>/`)."""
    if not template:
        return UNMATCHED_ROUTE
    return ("/" + template.lstrip("/"))[:200]


def _resource_labels(resource: Resource) -> dict[str, str]:
    return {name: value for name, value in (("service", resource.service), ("host", resource.host)) if value}


def export_metrics(request: ExportMetricsServiceRequest, *, now: datetime | None = None) -> Outcome:
    export = MetricsExport(now or timezone.now())
    export.add(request)
    return export.save()


def metrics_response(outcome: Outcome) -> ExportMetricsServiceResponse:
    response = ExportMetricsServiceResponse()
    message = outcome.message()
    if outcome.rejected or message:
        response.partial_success.rejected_data_points = outcome.rejected
        response.partial_success.error_message = message
    return response


# --- logs -----------------------------------------------------------------------------------------

# OTel severity numbers: 17-20 ERROR, 21-24 FATAL.
_ERROR_SEVERITY = 17
_FATAL_SEVERITY = 21


def export_logs(request: ExportLogsServiceRequest, *, now: datetime | None = None) -> Outcome:
    """Records at ERROR and above become error-log groups of their service (exception type,
    message and stack trace from the `exception.*` attributes) and count in error_count and
    critical_errors by service; the others are accepted and not kept."""
    now = now or timezone.now()
    outcome = Outcome()
    groups: dict[str, ErrorGroup] = {}
    counts: dict[str, Counter] = defaultdict(Counter)
    oldest = now - timedelta(days=settings.TELEMETRY_RETENTION_DAYS)
    for resource_logs in request.resource_logs:
        resource = _resource(resource_logs.resource.attributes)
        service = resource.service or "unknown_service"
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                outcome.accepted += 1
                severity = record.severity_number or _severity_of_text(record.severity_text)
                if severity < _ERROR_SEVERITY:
                    continue
                nanos = record.time_unix_nano or record.observed_time_unix_nano
                when = _time(nanos) if nanos else now
                if not oldest <= when <= now + timedelta(minutes=5):
                    outcome.accepted -= 1
                    outcome.reject("records must be within the retention period and no more than 5 minutes ahead")
                    continue
                group = _error_group(record, scope_logs.scope.name, service, severity, when)
                known = groups.get(group.fingerprint)
                if known is None:
                    groups[group.fingerprint] = group
                else:
                    known.occurrences += 1
                    known.first_seen = min(known.first_seen, when)
                    known.last_seen = max(known.last_seen, when)
                counts[service][(minute_of(when), group.level, group.logger, group.exception_type)] += 1
    with transaction.atomic():
        for service, cells in counts.items():
            write_error_counts(dict(cells), service=service)
        for group in groups.values():
            write_error_group(group)
    return outcome


def _severity_of_text(text: str) -> int:
    text = (text or "").upper()
    if text.startswith(("FATAL", "CRITICAL", "EMERGENCY", "ALERT")):
        return _FATAL_SEVERITY
    if text.startswith("ERROR"):
        return _ERROR_SEVERITY
    return 0


def _error_group(record, scope: str, service: str, severity: int, when: datetime) -> ErrorGroup:
    attrs = attributes(record.attributes)
    body = _text(record.body) if record.HasField("body") else None
    exception_type = attrs.get("exception.type", "")[:200]
    message = attrs.get("exception.message") or body or exception_type or "(no message)"
    stacktrace = attrs.get("exception.stacktrace", "")
    level = "CRITICAL" if severity >= _FATAL_SEVERITY else "ERROR"
    logger = (attrs.get("code.namespace") or scope or "")[:200]
    where = _stack_top(stacktrace)
    # As this server's own errors group: by type and where it was raised, else by the message.
    parts = [service, level, exception_type, where] if exception_type else [service, level, logger, message]
    basis = "\x1f".join(parts)
    return ErrorGroup(
        fingerprint=hashlib.sha256(basis.encode()).hexdigest(), level=level, logger=logger, message=message[:10000],
        exception_type=exception_type, traceback=stacktrace[:50000], path=attrs.get("url.path", "")[:500],
        method=attrs.get("http.request.method", "")[:10], user_id=None, first_seen=when, last_seen=when,
        service=service,
    )


def _stack_top(stacktrace: str) -> str:
    """The innermost frame of a stack trace ("File ..., line N, in f"), the best guess of where."""
    frames = [line.strip() for line in stacktrace.splitlines() if line.strip().startswith(("File ", "at "))]
    return frames[-1] if frames else ""


def logs_response(outcome: Outcome) -> ExportLogsServiceResponse:
    response = ExportLogsServiceResponse()
    message = outcome.message()
    if outcome.rejected or message:
        response.partial_success.rejected_log_records = outcome.rejected
        response.partial_success.error_message = message
    return response
