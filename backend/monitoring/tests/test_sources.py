"""The metric sources' registry: every catalogue entry is read by a registered source, and a new
metric of a kind of data already read is one catalogue entry and nothing else."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from monitoring import sources
from monitoring.batch import REQUEST_FIELDS
from monitoring.catalogue import CATALOGUE, COUNTER, ERRORS, GAUGE, RATIO, REQUESTS, Metric, custom_metric
from monitoring.models import ErrorCount, ErrorLog, MetricSample
from monitoring.selectors import MetricReader, catalogue_with_values, get_metric, metric_series, overview
from monitoring.sources.base import Reading, Source
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, 40, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_overview_cache():
    cache.clear()


def test_every_catalogue_metric_has_a_registered_source():
    for metric in [*CATALOGUE.values(), custom_metric("anything")]:
        assert issubclass(sources.source_class(metric.source), Source), metric.name


def test_an_unregistered_source_is_named_in_the_error():
    with pytest.raises(LookupError, match="'nowhere'"):
        sources.source_class("nowhere")


def test_a_source_name_is_registered_once():
    with pytest.raises(ValueError, match="registered as 'requests' already"):
        sources.register(REQUESTS)(type("Again", (Source,), {}))


def test_each_column_metric_names_what_its_kind_needs():
    """Counters sum one or more columns; ratios and means divide one column by another."""
    columns = {REQUESTS: set(REQUEST_FIELDS), ERRORS: {level for level, _ in ErrorLog.LEVELS}}
    for metric in CATALOGUE.values():
        if metric.source in columns:
            assert metric.of and set(metric.of) <= columns[metric.source], metric.name
        if metric.of and metric.kind != COUNTER:
            assert len(metric.of) == 2, metric.name


def test_a_reader_makes_one_instance_of_each_source_class():
    reader = MetricReader(now=NOW)
    assert reader.source("samples") is reader.source("pushed")
    assert reader.source("requests") is reader.source("requests")
    assert reader.source("requests") is not MetricReader(now=NOW).source("requests")


def test_each_source_is_loaded_once_per_reader(django_assert_num_queries):
    store_rollup(datetime(2026, 3, 2, 11, 58, tzinfo=UTC), count=10, status_5xx=1)
    reader = MetricReader(now=NOW)
    requests = [m for m in CATALOGUE.values() if m.source == REQUESTS]
    with django_assert_num_queries(1):
        for metric in requests:
            for window in (1, 5, 60):
                reader.read(metric, window, metric.default_aggregation)


def test_a_new_metric_of_an_existing_source_is_one_catalogue_entry(monkeypatch, auth_client):
    """The client error rate (4xx) is not in the catalogue; adding its entry is all it takes for
    the reader, the overview, the series, the catalogue API and get_metric to know it."""
    entry = Metric("api_client_error_rate", "API client error rate", "%", "api", RATIO, "avg", REQUESTS,
                   "Percent of API requests answered with a 4xx status.", of=("status_4xx", "count"))
    monkeypatch.setitem(CATALOGUE, entry.name, entry)
    minute = datetime(2026, 3, 2, 11, 58, tzinfo=UTC)
    store_rollup(minute, count=40, status_4xx=10)
    store_rollup(minute - timedelta(minutes=1), count=10, status_4xx=0)

    reading = MetricReader(now=NOW).read(entry, 5, "avg")
    assert reading.value == pytest.approx(20.0)  # 10 of 50
    assert MetricReader(now=NOW).read(entry, 5, "max").value == pytest.approx(25.0)
    assert get_metric(entry.name) is entry
    assert {m["name"]: m["value"] for m in overview(minutes=5, now=NOW)["metrics"]}[entry.name] == 20.0
    points = {p["t"]: p["v"] for p in metric_series(entry, 10, now=NOW)["points"]}
    assert points[minute.isoformat()] == 25.0
    assert points[(minute - timedelta(minutes=1)).isoformat()] == 0.0

    listed = {m["name"] for m in catalogue_with_values(minutes=5)["metrics"]}
    assert entry.name in listed
    assert entry.name in {m["name"] for m in auth_client.get("/api/alerts/metrics/").json()["metrics"]}
    assert auth_client.get(f"/api/monitoring/metrics/{entry.name}/series/").status_code == 200


def test_a_new_error_metric_is_one_catalogue_entry(monkeypatch):
    entry = Metric("plain_errors", "Errors below critical", "errors", "errors", COUNTER, "sum", ERRORS,
                   "Errors logged at level ERROR.", empty_means_zero=True, of=("ERROR",))
    monkeypatch.setitem(CATALOGUE, entry.name, entry)
    ErrorCount.objects.create(minute=datetime(2026, 3, 2, 12, 0, tzinfo=UTC), level="ERROR", count=3)
    ErrorCount.objects.create(minute=datetime(2026, 3, 2, 12, 0, tzinfo=UTC), level="CRITICAL", count=2)
    assert MetricReader(now=NOW).read(entry, 5, "sum").value == 3.0
    assert MetricReader(now=NOW).read(CATALOGUE["error_count"], 5, "sum").value == 5.0


def test_a_new_kind_of_data_is_one_source_class_and_its_registration(monkeypatch):
    """A source that reads the number of sample rows (a stand-in for a new kind of data)."""

    class SampleRows(Source):
        def read(self, metric, window, aggregation):
            start = self.now - timedelta(minutes=window)
            count = MetricSample.objects.filter(timestamp__gt=start, timestamp__lte=self.now).count()
            return Reading(metric.name, float(count), aggregation, window, start, self.now)

        def series(self, metric, since, seconds):
            return {}

    monkeypatch.setitem(sources.SOURCES, "sample_rows", SampleRows)
    entry = Metric("sample_rows", "Sample rows", "rows", "custom", GAUGE, "last", "sample_rows", "Rows written.")
    monkeypatch.setitem(CATALOGUE, entry.name, entry)
    MetricSample.objects.create(name="cpu_usage", value=1.0, timestamp=NOW - timedelta(minutes=1))
    MetricSample.objects.create(name="memory_usage", value=1.0, timestamp=NOW - timedelta(minutes=2))

    assert MetricReader(now=NOW).read(entry, 5, "last").value == 2.0
    assert {m["name"]: m["value"] for m in overview(minutes=5, now=NOW)["metrics"]}[entry.name] == 2.0
    assert all(p["v"] is None for p in metric_series(entry, 5, now=NOW)["points"])


def test_catalogue_with_values_lists_the_catalogue_then_custom_metrics_read_now():
    MetricSample.objects.create(name="orders_per_minute", value=12.0)
    MetricSample.objects.create(name="cpu_usage", value=40.0)

    result = catalogue_with_values(minutes=5)

    names = [m["name"] for m in result["metrics"]]
    assert names == [*CATALOGUE, "orders_per_minute"]
    by_name = {m["name"]: m for m in result["metrics"]}
    assert by_name["orders_per_minute"]["value"] == 12.0
    assert by_name["orders_per_minute"]["category"] == "custom"
    assert by_name["cpu_usage"]["value"] == 40.0
    assert result["window_minutes"] == 5
    assert set(result) == {"generated_at", "window_minutes", "metrics"}


def test_catalogue_with_values_reads_a_custom_metric_whose_samples_expired_as_no_data():
    """A name still in the minute-long list of names, its samples gone: no data, not a stale value."""
    sample = MetricSample.objects.create(name="orders_per_minute", value=12.0)
    catalogue_with_values(minutes=5)  # caches the names
    sample.delete()
    cache.delete("monitoring:overview:5")

    by_name = {m["name"]: m for m in catalogue_with_values(minutes=5)["metrics"]}
    assert by_name["orders_per_minute"]["no_data"] is True
    assert by_name["orders_per_minute"]["value"] is None


def test_the_overview_says_where_the_dashboard_shows_each_metric():
    """Cards and charts are data of the catalogue; a card without a title of its own is titled by
    its metric's label."""
    metrics = {m["name"]: m for m in overview(minutes=5, now=NOW)["metrics"]}
    assert metrics["cpu_usage"]["card"] == {"title": "CPU usage", "order": 10}
    assert metrics["cpu_usage"]["chart"] == {"title": "CPU and memory", "order": 40}
    assert metrics["db_query_time"]["card"] == {"title": "Database", "order": 71}
    assert metrics["ai_cost"]["card"] is None and metrics["ai_cost"]["chart"] is None
    cards = [m["card"]["title"] for m in sorted(metrics.values(), key=lambda m: m["card"]["order"] if m["card"] else 0)
             if m["card"]]
    assert list(dict.fromkeys(cards)) == [
        "CPU usage", "Memory usage", "Disk usage", "API response time", "API error rate", "API requests", "Database",
        "Redis", "Celery", "Cache hit rate", "Active users",
    ]
