"""Every catalogue metric against telemetry with a known answer, at a fixed moment."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from alerts.services.metric_collector import MetricCollector, UnknownMetricError
from monitoring.catalogue import AGGREGATIONS, CATALOGUE
from monitoring.models import ActiveUserMinute, AIUsage, ErrorCount, MetricSample
from monitoring.services import record_metric
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db

# 12:00:30 UTC: the live minute is 12:00, the newest settled minute of request metrics 11:59.
NOW = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)


def at(minutes_ago: float) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


def minute(hh: int, mm: int) -> datetime:
    return datetime(2026, 11, 27, hh, mm, tzinfo=UTC)


def collector() -> MetricCollector:
    return MetricCollector(now=NOW)


def sample(name, value, minutes_ago):
    MetricSample.objects.create(name=name, value=value, timestamp=at(minutes_ago))


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_metric_has_an_answer_on_empty_telemetry(name):
    value = collector().get_metric_value(name, 5)

    # What the system counts itself is a true zero; everything else is "no data" (but the
    # watchdog, which is 1 whatever the telemetry).
    if name == "watchdog":
        assert value == 1.0
    elif CATALOGUE[name].empty_means_zero:
        assert value == 0.0
    else:
        assert value is None


class TestSampledGauges:
    @pytest.fixture(autouse=True)
    def samples(self):
        sample("cpu_usage", 90.0, 4.5)
        sample("cpu_usage", 70.0, 1.5)
        sample("cpu_usage", 50.0, 0.5)
        sample("cpu_usage", 10.0, 6.0)  # outside a 5-minute window

    @pytest.mark.parametrize(
        "aggregation, expected",
        [("avg", 70.0), ("min", 50.0), ("max", 90.0), ("sum", 210.0), ("last", 50.0), ("count", 3.0), ("p95", 88.0)],
    )
    def test_window_of_five_minutes(self, aggregation, expected):
        assert collector().get_metric_value("cpu_usage", 5, aggregation) == pytest.approx(expected)

    def test_default_aggregation_is_the_catalogues(self):
        assert collector().get_metric_value("cpu_usage", 5) == pytest.approx(70.0)
        assert collector().get_metric_value("cpu_usage", 10) == pytest.approx(55.0)

    def test_window_of_one_minute(self):
        assert collector().get_metric_value("cpu_usage", 1) == pytest.approx(50.0)

    def test_a_window_before_the_samples_has_no_data(self):
        assert collector().get_metric_value("memory_usage", 5) is None

    def test_reading_explains_the_value(self):
        reading = collector().get_reading("cpu_usage", 5)

        context = reading.as_context()
        assert context["value"] == pytest.approx(70.0)
        assert context["aggregation"] == "avg"
        assert context["window_minutes"] == 5
        assert [v for _, v in context["points"]] == [90.0, 70.0, 50.0]
        assert context["window_end"] == NOW.isoformat()


def rollup(at_minute, route="/api/x/", method="GET", **values):
    store_rollup(at_minute, route, method, **values)


class TestRequestMetrics:
    @pytest.fixture(autouse=True)
    def rollups(self):
        rollup(minute(11, 57), count=10, status_5xx=1, status_4xx=2, duration_total_ms=1000, duration_max_ms=300,
               latency_le_100=8, latency_le_500=2, db_queries=40, db_time_ms=200, slow_queries=1)
        rollup(minute(11, 58), route="/api/y/", method="POST", count=30, status_5xx=2, duration_total_ms=600,
               duration_max_ms=50, latency_le_25=30, db_queries=60, db_time_ms=100, slow_queries=3)
        # The minute still being recorded is not part of any window yet.
        rollup(minute(12, 0), count=100, status_5xx=100, duration_total_ms=1_000_000, duration_max_ms=10_000,
               latency_above=100)
        rollup(minute(11, 50), count=1000)  # older than 5 minutes

    def test_request_count(self):
        assert collector().get_metric_value("api_request_count", 5) == 40.0
        assert collector().get_metric_value("api_request_count", 5, "avg") == 8.0
        assert collector().get_metric_value("api_request_count", 5, "max") == 30.0

    def test_error_rate_is_5xx_over_all_requests(self):
        assert collector().get_metric_value("api_error_rate", 5) == pytest.approx(7.5)
        assert collector().get_metric_value("api_error_rate", 5, "max") == pytest.approx(10.0)
        assert collector().get_metric_value("api_error_rate", 5, "sum") == 3.0

    def test_response_time(self):
        assert collector().get_metric_value("api_response_time", 5) == pytest.approx(40.0)
        assert collector().get_metric_value("api_response_time", 5, "max") == pytest.approx(300.0)
        assert collector().get_metric_value("api_response_time", 5, "count") == 40.0
        # 30 requests under 25 ms, 8 in 50-100 ms: the 38th of 40 is at the top of that bucket.
        assert collector().get_metric_value("api_response_time", 5, "p95") == pytest.approx(100.0)

    def test_database_query_time_and_slow_queries(self):
        assert collector().get_metric_value("db_query_time", 5) == pytest.approx(3.0)
        assert collector().get_metric_value("slow_queries", 5) == 4.0

    def test_no_requests_in_the_window(self):
        c = MetricCollector(now=NOW + timedelta(hours=2))
        assert c.get_metric_value("api_request_count", 5) == 0.0
        assert c.get_metric_value("api_error_rate", 5) is None
        assert c.get_metric_value("api_response_time", 5) is None

    def test_the_minute_settles_and_joins_the_window(self):
        later = MetricCollector(now=NOW + timedelta(minutes=1))
        assert later.get_metric_value("api_request_count", 5) == 140.0

    def test_reading_names_the_minutes(self):
        reading = collector().get_reading("api_error_rate", 3)
        assert [t for t, _ in reading.points] == [minute(11, 57), minute(11, 58), minute(11, 59)]
        assert [v for _, v in reading.points] == [pytest.approx(10.0), pytest.approx(100 * 2 / 30), None]


def test_errors_count_by_level():
    ErrorCount.objects.create(minute=minute(11, 57), level="ERROR", count=3)
    ErrorCount.objects.create(minute=minute(11, 59), level="CRITICAL", count=2)
    ErrorCount.objects.create(minute=minute(12, 0), level="ERROR", count=1)
    ErrorCount.objects.create(minute=minute(11, 50), level="ERROR", count=5)

    assert collector().get_metric_value("error_count", 5) == 6.0
    assert collector().get_metric_value("critical_errors", 5) == 2.0
    assert collector().get_metric_value("error_count", 15) == 11.0
    assert collector().get_metric_value("error_count", 5, "max") == 3.0


class TestAIUsage:
    def test_no_usage_ever_recorded_is_no_data(self):
        for name in ("ai_cost", "ai_cost_daily", "ai_token_usage", "ai_failure_rate"):
            assert collector().get_metric_value(name, 60) is None

    def test_cost_tokens_and_failures(self):
        AIUsage.objects.create(timestamp=at(2), provider="openai", model="m", cost_usd=Decimal("1.25"),
                               input_tokens=100, output_tokens=50)
        AIUsage.objects.create(timestamp=at(1), provider="openai", model="m", cost_usd=Decimal("0.75"),
                               input_tokens=10, output_tokens=5, success=False, error="timeout")
        AIUsage.objects.create(timestamp=at(30), provider="openai", model="m", cost_usd=Decimal("4"))

        assert collector().get_metric_value("ai_cost", 5) == pytest.approx(2.0)
        assert collector().get_metric_value("ai_token_usage", 5) == 165.0
        assert collector().get_metric_value("ai_failure_rate", 5) == pytest.approx(50.0)
        assert collector().get_metric_value("ai_cost", 60) == pytest.approx(6.0)

    def test_usage_recorded_but_not_in_the_window(self):
        AIUsage.objects.create(timestamp=at(30), provider="openai", model="m", cost_usd=Decimal("4"))

        assert collector().get_metric_value("ai_cost", 5) == 0.0
        assert collector().get_metric_value("ai_failure_rate", 5) is None

    @pytest.mark.parametrize("time_zone, expected", [("UTC", 2.5), ("America/New_York", 1.0)])
    def test_daily_cost_counts_from_local_midnight_whatever_the_window(self, time_zone, expected):
        # 04:00 UTC is today in UTC, but 23:00 yesterday in New York (where midnight is 05:00 UTC).
        AIUsage.objects.create(timestamp=minute(4, 0), provider="p", model="m", cost_usd=Decimal("1.5"))
        AIUsage.objects.create(timestamp=minute(6, 0), provider="p", model="m", cost_usd=Decimal("1.0"))
        AIUsage.objects.create(timestamp=minute(4, 0) - timedelta(days=1), provider="p", model="m", cost_usd=9)

        with override_settings(TIME_ZONE=time_zone):
            assert collector().get_metric_value("ai_cost_daily", 5) == pytest.approx(expected)
            assert collector().get_metric_value("ai_cost_daily", 60) == pytest.approx(expected)


def test_active_users_are_distinct_users_in_settled_minutes():
    for at_minute, users in ((minute(11, 58), [1, 2]), (minute(11, 59), [2, 3]), (minute(12, 0), [4])):
        ActiveUserMinute.objects.bulk_create(ActiveUserMinute(minute=at_minute, user_id=u) for u in users)

    assert collector().get_metric_value("active_users", 5) == 3.0
    assert collector().get_metric_value("active_users", 5, "max") == 2.0
    assert collector().get_metric_value("active_users", 1) == 2.0


def test_signups_are_users_who_joined_in_the_window():
    User = get_user_model()
    for name, minutes_ago in (("a", 1), ("b", 3), ("c", 10)):
        User.objects.create_user(username=name, date_joined=at(minutes_ago))

    assert collector().get_metric_value("signups", 5) == 2.0
    assert collector().get_metric_value("signups", 15) == 3.0


def test_subscriptions_are_the_sum_of_pushed_samples():
    record_metric("subscriptions", 3, timestamp=at(1))
    record_metric("subscriptions", 2, timestamp=at(2))

    assert collector().get_metric_value("subscriptions", 5) == 5.0
    assert collector().get_metric_value("subscriptions", 5, "count") == 2.0


def test_failed_tasks_are_counted():
    sample("celery_failed_tasks", 1, 1)
    sample("celery_failed_tasks", 1, 3)
    sample("celery_failed_tasks", 1, 20)

    assert collector().get_metric_value("celery_failed_tasks", 15) == 2.0
    assert collector().get_metric_value("celery_failed_tasks", 60) == 3.0


def test_custom_metric_pushed_through_the_api_is_a_gauge():
    record_metric("queue_depth", 10, timestamp=at(1))
    record_metric("queue_depth", 20, timestamp=at(2))

    assert collector().get_metric_value("queue_depth", 5) == 15.0
    assert collector().get_metric_value("queue_depth", 5, "max") == 20.0


def test_a_name_no_metric_can_have_is_named_with_the_valid_ones():
    with pytest.raises(UnknownMetricError) as error:
        collector().get_metric_value("CPU usage", 5)

    assert "'CPU usage'" in str(error.value)
    assert "cpu_usage" in str(error.value)


@pytest.mark.parametrize("window", [0, 61, -1, "5", 5.5, True, None])
def test_window_outside_one_to_sixty_is_refused(window):
    with pytest.raises(ValueError):
        collector().get_metric_value("cpu_usage", window)


def test_unknown_aggregation_is_refused():
    with pytest.raises(ValueError, match="median"):
        collector().get_metric_value("cpu_usage", 5, "median")


def test_each_source_is_read_once_and_each_value_computed_once(django_assert_num_queries):
    sample("cpu_usage", 50.0, 1)
    c = collector()
    c.prefetch(["cpu_usage", "memory_usage"])

    with django_assert_num_queries(0):
        for window in range(1, 61):
            for aggregation in AGGREGATIONS:
                c.get_metric_value("cpu_usage", window, aggregation)
                c.get_metric_value("memory_usage", window, aggregation)

    first = c.get_reading("cpu_usage", 5)
    assert c.get_reading("cpu_usage", 5) is first

    with django_assert_num_queries(1):  # the request rollups, for every window at once
        for window in range(1, 61):
            c.get_metric_value("api_error_rate", window)
            c.get_metric_value("api_response_time", window, "p95")


def test_product_document_debug_snippet():
    MetricSample.objects.create(name="cpu_usage", value=42.0)

    # As in the product document: collector.get_metric_value('cpu_usage', 5)
    assert MetricCollector().get_metric_value("cpu_usage", 5) == 42.0
