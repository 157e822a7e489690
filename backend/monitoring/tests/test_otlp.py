"""The OTLP/HTTP receivers, fed what the real OpenTelemetry SDK encodes."""

import gzip
import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from opentelemetry._logs import SeverityNumber
from opentelemetry.metrics import Observation
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

from monitoring import aggregation, otlp
from monitoring.catalogue import CATALOGUE
from monitoring.labels import Matcher
from monitoring.models import AIUsage, ErrorLog, MetricSample, RequestRollup
from monitoring.selectors import MetricReader, get_metric

from .otlp_helpers import HTTP_BOUNDS, Meters, log_body, post, push_token

pytestmark = pytest.mark.django_db

METRICS = "/otlp/v1/metrics"
LOGS = "/otlp/v1/logs"


@pytest.fixture
def token():
    return push_token()


@pytest.fixture
def meters():
    created = []

    def make(*args, **kwargs):
        created.append(Meters(*args, **kwargs))
        return created[-1]

    yield make
    for m in created:
        m.close()


def reader():
    # Request rollups are read up to the last settled minute: read from a little later.
    return MetricReader(now=timezone.now() + timedelta(minutes=2))


def value(metric: str, aggregation_name: str = "", /, **labels: str) -> float | None:
    """The metric over the last 10 minutes, of the series these labels select."""
    entry = CATALOGUE.get(metric) or get_metric(metric)
    assert entry is not None, metric
    matchers = tuple(Matcher(k, "=", v) for k, v in labels.items())
    return reader().read(entry, 10, aggregation_name or entry.default_aggregation, matchers).value


def record_requests(meter, requests):
    duration = meter.create_histogram("http.server.request.duration", unit="s")
    for route, method, status, seconds, times in requests:
        for _ in range(times):
            duration.record(seconds, {"http.route": route, "http.request.method": method,
                                      "http.response.status_code": status})
    return duration


def accepted(response) -> ExportMetricsServiceResponse:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/x-protobuf"
    answer = ExportMetricsServiceResponse()
    answer.ParseFromString(response.content)
    return answer


# --- the receiver ---------------------------------------------------------------------------------


def test_an_export_without_a_push_token_is_401_and_stores_nothing(client, meters, admin_user):
    m = meters()
    record_requests(m.meter, [("/orders/{id}", "GET", 200, 0.02, 3)])
    body = m.body()
    from core.testing import api_key

    user_token = api_key(admin_user)
    for given in (None, "rpt_not-a-token", user_token):
        response = post(client, METRICS, body, token=given)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not RequestRollup.objects.exists()


def test_http_server_durations_become_the_services_request_metrics_by_route(client, meters, token):
    m = meters()
    record_requests(m.meter, [
        ("/orders/{id}", "GET", 200, 0.02, 8),
        ("/orders/{id}", "GET", 500, 0.3, 2),
        ("/health", "GET", 200, 0.004, 5),
        ("checkout/", "POST", 200, 0.02, 1),  # as Django's instrumentation writes a route
        ("", "GET", 404, 0.001, 1),
    ])
    answer = accepted(post(client, METRICS, m.body(), token=token))
    assert not answer.HasField("partial_success")
    assert value("api_request_count", route="/checkout/") == 1
    assert value("api_request_count", route="<unmatched>") == 1

    orders: dict[str, str] = {"service": "example", "route": "/orders/{id}"}
    assert value("api_request_count", **orders) == 10
    assert value("api_error_rate", **orders) == pytest.approx(20.0)
    assert value("api_response_time", **orders) == pytest.approx((8 * 20 + 2 * 300) / 10)
    assert value("api_request_count", route="/health") == 5
    assert value("api_error_rate", service="example") == pytest.approx(2 / 17 * 100)
    # The buckets are kept as measured: p95 is what the SDK's own histogram gives.
    counts = [0] * (len(HTTP_BOUNDS) + 1)
    counts[HTTP_BOUNDS.index(0.025)] = 8
    counts[HTTP_BOUNDS.index(0.5)] = 2
    bucketed = aggregation.histogram_quantile(counts, 0.95, observed_max=300.0)
    assert value("api_response_time", "p95", **orders) == pytest.approx(bucketed)
    assert value("api_response_time", "max", **orders) == pytest.approx(300.0)

    groups = reader().read_groups(CATALOGUE["api_error_rate"], 10, "avg", (Matcher("service", "=", "example"),),
                                  ("route",))
    assert {g.labels["route"]: g.reading.value for g in groups} == {
        "/health": 0.0, "/orders/{id}": 20.0, "/checkout/": 0.0, "<unmatched>": 0.0,
    }


def test_cumulative_points_count_what_was_added_since_the_last_and_a_restart_is_no_negative_spike(
    client, meters, token
):
    m = meters()
    duration = record_requests(m.meter, [("/orders/{id}", "GET", 200, 0.02, 10)])
    accepted(post(client, METRICS, m.body(), token=token))
    for _ in range(3):
        duration.record(0.02, {"http.route": "/orders/{id}", "http.request.method": "GET",
                               "http.response.status_code": 500})
    accepted(post(client, METRICS, m.body(), token=token))
    assert value("api_request_count", service="example") == 13  # 10 + 3, not 10 + 13
    assert value("api_error_rate", service="example") == pytest.approx(3 / 13 * 100)

    # The same export again (a retry): nothing more.
    body = m.body()
    accepted(post(client, METRICS, body, token=token))
    accepted(post(client, METRICS, body, token=token))
    assert value("api_request_count", service="example") == 13

    # The process restarts: a new start time, counting from zero.
    restarted = meters()
    record_requests(restarted.meter, [("/orders/{id}", "GET", 200, 0.02, 2)])
    accepted(post(client, METRICS, restarted.body(), token=token))
    assert value("api_request_count", service="example") == 15
    assert min(RequestRollup.objects.values_list("count", flat=True)) >= 0


def test_delta_points_are_taken_as_they_are(client, meters, token):
    m = meters(delta=True)
    duration = record_requests(m.meter, [("/a", "POST", 201, 0.01, 3)])
    accepted(post(client, METRICS, m.body(), token=token))
    for _ in range(4):
        duration.record(0.01, {"http.route": "/a", "http.request.method": "POST", "http.response.status_code": 201})
    accepted(post(client, METRICS, m.body(), token=token))
    assert value("api_request_count", service="example", method="POST") == 7


def test_json_bodies_are_answered_in_json(client, meters, token):
    m = meters()
    record_requests(m.meter, [("/orders/{id}", "GET", 503, 0.02, 4)])
    response = post(client, METRICS, m.json(), token=token, content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {}
    assert value("api_error_rate", service="example") == 100.0


def test_gzip_bodies_are_taken_and_a_broken_one_is_400(client, meters, token):
    m = meters()
    record_requests(m.meter, [("/orders/{id}", "GET", 200, 0.02, 6)])
    accepted(post(client, METRICS, gzip.compress(m.body()), token=token, content_encoding="gzip"))
    assert value("api_request_count", service="example") == 6

    broken = post(client, METRICS, b"\x1f\x8b not gzip", token=token, content_encoding="gzip")
    assert broken.status_code == 400
    assert b"not valid gzip" in broken.content


def test_bad_bodies_get_the_status_the_otlp_spec_gives(client, meters, token):
    m = meters()
    record_requests(m.meter, [("/orders/{id}", "GET", 200, 0.02, 1)])
    assert post(client, METRICS, b"\xff\xff\xff not protobuf", token=token).status_code == 400
    assert post(client, METRICS, b"{not json", token=token, content_type="application/json").status_code == 400
    assert post(client, METRICS, m.body(), token=token, content_type="text/plain").status_code == 415
    assert post(client, METRICS, m.body(), token=token, content_encoding="br").status_code == 415
    with override_settings(OTLP_MAX_REQUEST_BYTES=50):
        assert post(client, METRICS, m.body(), token=token).status_code == 413
        # A small body that decompresses past the limit.
        bomb = gzip.compress(b"\x00" * 10_000)
        assert post(client, METRICS, bomb, token=token, content_encoding="gzip").status_code == 413
    assert client.get(METRICS, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
    assert not RequestRollup.objects.exists()


def test_too_many_exports_are_429_with_retry_after(client, meters, token, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "otlp": "2/minute"}
    m = meters()
    record_requests(m.meter, [("/orders/{id}", "GET", 200, 0.02, 1)])
    body = m.body()
    assert [post(client, METRICS, body, token=token).status_code for _ in range(3)] == [200, 200, 429]
    refused = post(client, METRICS, body, token=token)
    assert int(refused["Retry-After"]) >= 1


def test_a_bad_point_is_reported_as_partial_success_and_the_rest_is_stored(client, meters, token):
    exponential = View(instrument_name="latency.exp", aggregation=ExponentialBucketHistogramAggregation())
    m = meters(views=[exponential])
    depth = m.meter.create_up_down_counter("queue.depth")
    depth.add(12, {"queue": "emails"})
    depth.add(3, {"queue": "x" * 200})  # a label value over 128 characters
    m.meter.create_histogram("latency.exp").record(1.5)
    answer = accepted(post(client, METRICS, m.body(), token=token))

    assert answer.partial_success.rejected_data_points == 2
    assert "at most 128 characters" in answer.partial_success.error_message
    assert "exponential histogram" in answer.partial_success.error_message
    assert value("queue_depth", "last", queue="emails") == 12
    assert MetricSample.objects.filter(name="queue_depth").count() == 1


# --- mapping by semantic conventions --------------------------------------------------------------


def test_host_metrics_become_cpu_memory_and_disk_by_host(client, meters, token):
    m = meters("node-exporter", host_name="web-1")

    def cpu(options):
        for number in ("0", "1"):
            yield Observation(0.25, {"cpu": number, "state": "idle"})
            yield Observation(0.5, {"cpu": number, "state": "user"})
            yield Observation(0.25, {"cpu": number, "state": "system"})

    m.meter.create_observable_gauge("system.cpu.utilization", [cpu], unit="1")
    m.meter.create_observable_gauge("system.memory.utilization", [lambda o: [
        Observation(0.5, {"state": "used"}), Observation(0.3, {"state": "free"}), Observation(0.2, {"state": "cached"}),
    ]], unit="1")
    m.meter.create_observable_gauge("system.filesystem.utilization", [lambda o: [
        Observation(0.8, {"device": "/dev/sda1", "mountpoint": "/", "type": "ext4"}),
        Observation(0.1, {"device": "/dev/sdb1", "mountpoint": "/data", "type": "ext4"}),
    ]], unit="1")
    accepted(post(client, METRICS, m.body(), token=token))

    assert value("cpu_usage", "last", host="web-1") == pytest.approx(75.0)
    assert value("memory_usage", "last", host="web-1") == pytest.approx(50.0)
    assert value("disk_usage", "last", host="web-1", mountpoint="/") == pytest.approx(80.0)
    assert value("disk_usage", "max", host="web-1") == pytest.approx(80.0)
    groups = reader().read_groups(CATALOGUE["disk_usage"], 5, "last", (Matcher("host", "=", "web-1"),),
                                  ("mountpoint",))
    assert {g.labels["mountpoint"]: g.reading.value for g in groups} == pytest.approx({"/": 80.0, "/data": 10.0})


def test_database_client_durations_become_the_services_query_time(client, meters, token, settings):
    settings.SLOW_QUERY_MS = 250
    m = meters()
    # As instrumentations do, with the semantic conventions' bounds for seconds.
    db = m.meter.create_histogram("db.client.operation.duration", unit="s",
                                  explicit_bucket_boundaries_advisory=HTTP_BOUNDS)
    for seconds in (0.004, 0.006, 0.3, 0.01):
        db.record(seconds, {"db.system.name": "postgresql", "db.operation.name": "SELECT"})
    accepted(post(client, METRICS, m.body(), token=token))

    assert value("db_query_time", service="example") == pytest.approx((4 + 6 + 300 + 10) / 4)
    assert value("slow_queries", service="example") == 1
    # The database time alone is no route of the service's requests.
    assert value("api_request_count", service="example") == 0
    assert reader().read_groups(CATALOGUE["api_request_count"], 5, "sum", (), ("route",)) == []


def test_gen_ai_metrics_become_ai_usage_by_provider_and_model(client, meters, token):
    m = meters()
    tokens = m.meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    duration = m.meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    call = {"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.operation.name": "chat"}
    for _ in range(3):
        tokens.record(800, {**call, "gen_ai.token.type": "input"})
        tokens.record(150, {**call, "gen_ai.token.type": "output"})
        duration.record(0.9, call)
    duration.record(0.2, {**call, "error.type": "timeout"})
    accepted(post(client, METRICS, m.body(), token=token))

    assert value("ai_token_usage", provider="openai", model="gpt-4o") == 3 * 950
    assert value("ai_failure_rate", model="gpt-4o") == pytest.approx(25.0)
    assert sum(AIUsage.objects.values_list("call_count", flat=True)) == 4


def test_other_metrics_are_custom_series_with_their_attributes_as_labels(client, meters, token):
    m = meters(host_name="web-2")
    orders = m.meter.create_counter("orders.created")
    orders.add(5, {"payment.method": "card"})
    orders.add(2, {"payment.method": "invoice"})
    m.meter.create_counter("cpu.usage").add(1)  # a name the system measures itself
    accepted(post(client, METRICS, m.body(), token=token))
    orders.add(4, {"payment.method": "card"})
    accepted(post(client, METRICS, m.body(), token=token))

    assert value("orders_created", "sum", payment_method="card") == 9
    assert value("orders_created", "sum", service="example", host="web-2") == 11
    assert value("otel_cpu_usage", "sum") == 1
    assert not MetricSample.objects.filter(name="cpu_usage").exists()


def test_metric_names_are_sanitised_to_the_metric_name_rules():
    assert otlp.metric_name("http.client.Request-Size") == "http_client_request_size"
    assert otlp.metric_name("9lives.count") == "lives_count"
    assert otlp.metric_name("api.error.rate") == "otel_api_error_rate"
    assert otlp.metric_name("subscriptions") == "subscriptions"  # pushed by design
    assert otlp.metric_name("...") is None
    assert len(otlp.metric_name("a" * 100) or "") == 64
    assert otlp.label_name("http.route") == "http_route"
    assert otlp.label_name("2xx.Count") == "_2xx_count"


# --- logs -----------------------------------------------------------------------------------------


def test_error_records_become_error_groups_of_the_service(client, token):
    def emit(log):
        log.emit(severity_number=SeverityNumber.INFO, body="request served")
        for _ in range(3):
            try:
                raise KeyError("order 17")
            except KeyError as error:
                log.emit(severity_number=SeverityNumber.ERROR, body="could not load the order", exception=error)
        log.emit(severity_number=SeverityNumber.FATAL, severity_text="CRITICAL", body="payment provider down")

    response = post(client, LOGS, log_body(emit, service="checkout"), token=token)
    assert response.status_code == 200
    answer = ExportLogsServiceResponse()
    answer.ParseFromString(response.content)
    assert not answer.HasField("partial_success")

    groups = {g.level: g for g in ErrorLog.objects.filter(service="checkout")}
    assert set(groups) == {"ERROR", "CRITICAL"}
    assert groups["ERROR"].exception_type == "KeyError"
    assert groups["ERROR"].occurrences == 3
    assert "raise KeyError" in groups["ERROR"].traceback
    assert groups["CRITICAL"].message == "payment provider down"
    assert value("error_count", service="checkout") == 4
    assert value("critical_errors", service="checkout") == 1
    assert value("error_count", service="checkout", exception="KeyError") == 3


# --- push tokens ----------------------------------------------------------------------------------


def test_a_push_token_is_shown_once_pushes_only_and_can_be_revoked(client, api_client, admin_user, meters):
    api_client.force_authenticate(admin_user)
    created = api_client.post("/api/monitoring/push-tokens/", {"name": "checkout"}, format="json")
    assert created.status_code == 201
    text = created.json()["token"]
    assert text.startswith("rpt_") and created.json()["hint"] == text[:10]
    listed = api_client.get("/api/monitoring/push-tokens/").json()
    assert "token" not in json.dumps(listed) and text not in json.dumps(listed)

    # It pushes, and it is no key to the API.
    m = meters()
    record_requests(m.meter, [("/orders/{id}", "GET", 200, 0.02, 1)])
    accepted(post(client, METRICS, m.body(), token=text))
    assert client.get("/api/alerts/rules/", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401

    assert api_client.post("/api/monitoring/push-tokens/", {"name": ""}, format="json").status_code == 400
    assert api_client.delete(f"/api/monitoring/push-tokens/{created.json()['id']}/").status_code == 204
    assert post(client, METRICS, m.body(), token=text).status_code == 401


def test_the_error_log_names_and_filters_by_service(client, token, superuser_client):
    def emit(log):
        log.emit(severity_number=SeverityNumber.ERROR, body="card declined")

    assert post(client, LOGS, log_body(emit, service="checkout"), token=token).status_code == 200
    ErrorLog.objects.create(fingerprint="own", level="ERROR", message="own error")

    listed = superuser_client.get("/api/monitoring/errors/").json()["results"]
    assert sorted(e["service"] for e in listed) == ["checkout", "resee"]
    only = superuser_client.get("/api/monitoring/errors/", {"service": "checkout"}).json()["results"]
    assert [e["message"] for e in only] == ["card declined"]
    own = superuser_client.get("/api/monitoring/errors/", {"service": "resee"}).json()["results"]
    assert [e["message"] for e in own] == ["own error"]


# --- values no export may turn into a server error ------------------------------------------------


def _export_of(build) -> bytes:
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

    request = ExportMetricsServiceRequest()
    resource = request.resource_metrics.add()
    resource.resource.attributes.add(key="service.name").value.string_value = "edge"
    build(resource.scope_metrics.add().metrics.add())
    return request.SerializeToString()


def _now_nanos() -> int:
    return int(timezone.now().timestamp() * 1e9)


def _histogram(metric, *, count, total, buckets, bounds=(0.1,), start=None, time=None,
               name="http.server.request.duration", cumulative=False):
    from opentelemetry.proto.metrics.v1 import metrics_pb2

    metric.name = name
    metric.histogram.aggregation_temporality = (
        metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE if cumulative else metrics_pb2.AGGREGATION_TEMPORALITY_DELTA
    )
    point = metric.histogram.data_points.add(
        start_time_unix_nano=start if start is not None else _now_nanos() - 10**9,
        time_unix_nano=time if time is not None else _now_nanos(), count=count, sum=total,
        bucket_counts=buckets, explicit_bounds=bounds,
    )
    point.attributes.add(key="http.route").value.string_value = "/edge"


@pytest.mark.parametrize("build, problem", [
    # More requests in one point than a minute's row can count.
    (lambda m: _histogram(m, count=2**62, total=1.0, buckets=[2**62, 0]), "too large"),
    # The same as the first delta of a cumulative series that just started.
    (lambda m: _histogram(m, count=2**62, total=1.0, buckets=[2**62, 0], cumulative=True), "too large"),
    (lambda m: _histogram(m, count=3, total=float("nan"), buckets=[3, 0]), "finite"),
    (lambda m: _histogram(m, count=3, total=float("inf"), buckets=[3, 0]), "finite"),
    (lambda m: _histogram(m, count=3, total=1e300, buckets=[3, 0], name="gen_ai.client.token.usage"), "too large"),
    (lambda m: _histogram(m, count=3, total=1.0, buckets=[3, 0], time=2**64 - 1), "retention"),
    (lambda m: _histogram(m, count=3, total=1.0, buckets=[3, 0], name="custom.latency", time=2**63), "retention"),
])
def test_out_of_range_points_are_rejected_not_a_server_error(client, token, build, problem):
    response = post(client, METRICS, _export_of(build), token=token)
    answer = accepted(response)
    assert answer.partial_success.rejected_data_points == 1
    assert problem in answer.partial_success.error_message
    assert not RequestRollup.objects.exists() and not AIUsage.objects.exists() and not MetricSample.objects.exists()


def test_a_log_record_of_an_impossible_time_is_rejected(client, token):
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.logs.v1 import logs_pb2

    request = ExportLogsServiceRequest()
    record = request.resource_logs.add().scope_logs.add().log_records.add()
    record.time_unix_nano = 2**64 - 1
    record.severity_number = logs_pb2.SEVERITY_NUMBER_ERROR
    record.body.string_value = "from the far future"
    response = post(client, LOGS, request.SerializeToString(), token=token)
    assert response.status_code == 200
    answer = ExportLogsServiceResponse()
    answer.ParseFromString(response.content)
    assert answer.partial_success.rejected_log_records == 1
    assert not ErrorLog.objects.exists()
