"""Reads with labels, as the alert engine makes them: one value over the series matchers select,
or one reading per group; without matchers exactly what was read before labels; one load per
source per reader however many rules and groups read it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from monitoring.catalogue import CATALOGUE, custom_metric
from monitoring.collectors import collect_metrics
from monitoring.labels import Matcher, fingerprint
from monitoring.models import MetricSample, MetricSeries
from monitoring.selectors import LabelledReading, MetricReader
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, 40, tzinfo=UTC)
QUEUE = custom_metric("queue_depth")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def push(name, value, minutes_ago, labels=None):
    sample = MetricSample(name=name, value=value, timestamp=NOW - timedelta(minutes=minutes_ago))
    MetricSeries.assign([sample], [labels])
    sample.save()


@pytest.fixture
def queues():
    for minutes_ago in (4, 3, 2, 1, 0.2):
        push("queue_depth", 10, minutes_ago, {"queue": "emails", "region": "eu"})
        push("queue_depth", 30, minutes_ago, {"queue": "sms", "region": "eu"})
        push("queue_depth", 50, minutes_ago, {"queue": "push", "region": "us"})
        push("queue_depth", 2, minutes_ago)  # the plain series, without labels


def test_without_matchers_every_series_is_read_together(queues):
    reading = MetricReader(now=NOW).read(QUEUE, 5, "avg")
    assert reading.value == pytest.approx((10 + 30 + 50 + 2) / 4)
    assert MetricReader(now=NOW).read(QUEUE, 5, "max", ()).value == 50


def test_matchers_select_series_with_prometheus_semantics(queues):
    reader = MetricReader(now=NOW)

    assert reader.read(QUEUE, 5, "avg", (Matcher("queue", "=", "sms"),)).value == 30
    assert reader.read(QUEUE, 5, "avg", (Matcher("region", "=", "eu"),)).value == 20
    assert reader.read(QUEUE, 5, "avg", (Matcher("queue", "=~", "e.*|s.*"),)).value == 20
    assert reader.read(QUEUE, 5, "avg", (Matcher("queue", "!~", "e.*|s.*"),)).value == 26  # push and plain
    assert reader.read(QUEUE, 5, "avg", (Matcher("queue", "=", ""),)).value == 2  # no queue label: the plain one
    assert reader.read(QUEUE, 5, "avg", (Matcher("queue", "=", "fax"),)).value is None  # nothing: no data
    assert reader.read(QUEUE, 5, "count", (Matcher("region", "!=", "us"),)).value == 15


def test_groups_are_read_per_group_of_labels_sorted_by_fingerprint(queues):
    groups = MetricReader(now=NOW).read_groups(QUEUE, 5, "avg", (Matcher("queue", "!=", ""),), ("region",))

    assert all(isinstance(g, LabelledReading) for g in groups)
    by_region = {g.labels.get("region"): g for g in groups}
    assert set(by_region) == {"eu", "us"}
    assert by_region["eu"].reading.value == 20 and by_region["us"].reading.value == 50
    assert by_region["eu"].fingerprint == fingerprint({"region": "eu"})
    assert [g.fingerprint for g in groups] == sorted(g.fingerprint for g in groups)
    # A label some series lack: those series make the group without it.
    by_queue = MetricReader(now=NOW).read_groups(QUEUE, 5, "avg", (), ("queue",))
    assert {fingerprint(g.labels): g.reading.value for g in by_queue} == {
        fingerprint({"queue": "emails"}): 10, fingerprint({"queue": "sms"}): 30,
        fingerprint({"queue": "push"}): 50, fingerprint({}): 2,
    }
    assert MetricReader(now=NOW).read_groups(QUEUE, 5, "avg", (Matcher("queue", "=", "fax"),), ("queue",)) == []


def test_many_grouped_reads_cost_one_query_per_source(queues, django_assert_num_queries):
    store_rollup(datetime(2026, 3, 2, 11, 58, tzinfo=UTC), route="/api/a/", count=10, status_5xx=1)
    reader = MetricReader(now=NOW)
    with django_assert_num_queries(1):
        for threshold in range(200):  # 200 rules on the metric, with their own matchers and windows
            reader.read_groups(QUEUE, 1 + threshold % 5, "avg", (Matcher("region", "!=", str(threshold)),), ("queue",))
            reader.read(QUEUE, 5, "max", (Matcher("queue", "=", "sms"),))
    with django_assert_num_queries(1):
        for _ in range(200):
            reader.read_groups(CATALOGUE["api_error_rate"], 5, "avg", (), ("route",))


MINUTE = datetime(2026, 3, 2, 11, 58, tzinfo=UTC)  # settled at NOW


@pytest.fixture
def routes():
    store_rollup(MINUTE, route="/api/orders/", method="GET", count=100, status_5xx=10, duration_total_ms=1000,
                 duration_max_ms=90)
    store_rollup(MINUTE, route="/api/orders/", method="POST", count=100, status_5xx=30, duration_total_ms=3000,
                 duration_max_ms=400)
    store_rollup(MINUTE, route="/api/users/", method="GET", count=200, status_5xx=0, duration_total_ms=2000,
                 duration_max_ms=50)


def test_request_metrics_by_route_method_and_service(routes, settings):
    settings.SERVICE_NAME = "checkout"
    rate, reader = CATALOGUE["api_error_rate"], MetricReader(now=NOW)

    assert reader.read(rate, 5, "avg").value == pytest.approx(40 / 400 * 100)  # the all-routes rows
    assert reader.read(rate, 5, "avg", (Matcher("route", "=", "/api/orders/"),)).value == pytest.approx(20)
    assert reader.read(rate, 5, "avg", (Matcher("service", "=", "checkout"),)).value == pytest.approx(10)
    assert reader.read(rate, 5, "avg", (Matcher("service", "=", "other"),)).value is None  # no requests: no rate
    assert reader.read(CATALOGUE["api_request_count"], 5, "sum", (Matcher("route", "=", "/x/"),)).value == 0
    groups = reader.read_groups(rate, 5, "avg", (), ("route",))
    assert {g.labels["route"]: g.reading.value for g in groups} == {"/api/orders/": 20, "/api/users/": 0}
    by_method = reader.read_groups(CATALOGUE["api_response_time"], 5, "max", (), ("method", "service"))
    assert {(g.labels["method"], g.labels["service"]): g.reading.value for g in by_method} == {
        ("GET", "checkout"): 90, ("POST", "checkout"): 400,
    }


def test_data_without_labels_is_one_series_labelled_nothing():
    signups = CATALOGUE["signups"]
    reader = MetricReader(now=NOW)

    assert reader.read(signups, 5, "sum", (Matcher("plan", "=", ""),)).value == 0
    assert reader.read(signups, 5, "sum", (Matcher("plan", "=", "pro"),)).value == 0  # none of them: 0
    assert [g.labels for g in reader.read_groups(signups, 5, "sum", (), ("plan",))] == [{}]
    assert reader.read_groups(signups, 5, "sum", (Matcher("plan", "=", "pro"),), ()) == []


def test_system_samples_are_labelled_by_host_and_read_as_before(settings, tmp_path):
    settings.DISK_USAGE_PATH = str(tmp_path)
    values = collect_metrics({"memory_usage": lambda: 41.0, "celery_queue_length": lambda: 3.0})

    assert values == {"memory_usage": 41.0, "celery_queue_length": 3.0}
    labels = {s.name: s.series.labels for s in MetricSample.objects.select_related("series") if s.series}
    assert set(labels["memory_usage"]) == {"host"} and labels["memory_usage"]["host"]
    assert labels["celery_queue_length"] == {"queue": "celery"}
    assert MetricReader().read(CATALOGUE["memory_usage"], 1, "avg").value == 41.0
    host = labels["memory_usage"]["host"]
    assert MetricReader().read_groups(CATALOGUE["memory_usage"], 1, "avg", (), ("host",))[0].labels == {"host": host}
