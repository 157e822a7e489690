"""No stored value makes a read fail: aggregates that overflow are reported as such (a Reading with
value None and error "value overflowed", a null point), never inf or NaN in JSON, never a database
error. Run on SQLite and on PostgreSQL, whose SUM raises on float8 and bigint overflow."""

import json
import math
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from monitoring import aggregation as agg
from monitoring.catalogue import CATALOGUE, custom_metric
from monitoring.models import AIUsage, MetricSample
from monitoring.selectors import OVERFLOWED, MetricReader, endpoint_stats, metric_series, overview

pytestmark = pytest.mark.django_db

HUGE = 1e308  # finite; two of them sum past the largest float


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def largest_token_count() -> int:
    """The largest count the token columns store on this database."""
    field = AIUsage._meta.get_field("input_tokens")
    if connection.vendor == "postgresql" and field.get_internal_type() in ("IntegerField", "PositiveIntegerField"):
        return 2**31 - 1
    return 2**63 - 1


def push(name, *values, seconds_ago=10, apart=1):
    now = timezone.now()
    MetricSample.objects.bulk_create(
        MetricSample(name=name, value=v, timestamp=now - timedelta(seconds=seconds_ago + i * apart))
        for i, v in enumerate(values)
    )


def finite_json(data) -> dict:
    """The body as a strict JSON parser reads it: inf or NaN anywhere raise."""
    def refuse(token):
        raise AssertionError(f"{token} in JSON")
    return json.loads(data if isinstance(data, str | bytes) else json.dumps(data, allow_nan=False),
                      parse_constant=refuse)


class TestAggregation:
    def test_mean_of_huge_values_is_their_mean(self):
        assert agg.of_values([HUGE, HUGE], "avg") == HUGE
        assert agg.of_values([HUGE, -HUGE, HUGE], "avg") == pytest.approx(HUGE / 3)

    def test_quantile_between_extremes_is_finite(self):
        value = agg.of_values([-HUGE, HUGE], "p95")
        assert value is not None and math.isfinite(value)

    def test_per_minute_means_of_huge_values(self):
        assert agg.of_means([HUGE, HUGE], [1, 1], "avg") == HUGE


class TestReader:
    def test_a_sum_that_overflows_is_an_error_not_infinity(self):
        push("big_number", HUGE, HUGE)
        reader = MetricReader()

        reading = reader.read(custom_metric("big_number"), 5, "sum")

        assert reading.value is None
        assert reading.error == OVERFLOWED
        assert reading.as_context()["error"] == OVERFLOWED
        finite_json(reading.as_context())

    @pytest.mark.parametrize("aggregation", ["avg", "max", "min", "last", "p95", "count"])
    def test_other_aggregations_of_the_same_samples_are_finite(self, aggregation):
        push("big_number", HUGE, HUGE)

        reading = MetricReader().read(custom_metric("big_number"), 5, aggregation)

        assert reading.error is None
        assert reading.value is not None and math.isfinite(reading.value)

    def test_a_counter_that_overflows(self):
        push("subscriptions", HUGE, HUGE)
        reading = MetricReader().read(CATALOGUE["subscriptions"], 5, "sum")
        assert (reading.value, reading.error) == (None, OVERFLOWED)
        assert all(v is None or math.isfinite(v) for _, v in reading.points)

    def test_token_counts_at_the_columns_bound_are_summed_without_a_database_error(self):
        top = largest_token_count()
        for _ in range(2):
            AIUsage.objects.create(provider="p", model="m", input_tokens=top, output_tokens=top)

        reading = MetricReader().read(CATALOGUE["ai_token_usage"], 5, "sum")

        assert reading.error is None
        assert reading.value == pytest.approx(4 * top)


class TestReadEndpointsNeverFail:
    @pytest.fixture
    def overflowing(self):
        # At one time: samples a second apart fell, one time in twelve, into two of the series'
        # 12 s buckets, and the sum that overflows was never made.
        push("big_number", HUGE, HUGE, apart=0)
        push("subscriptions", HUGE, HUGE, apart=0)
        top = largest_token_count()
        for _ in range(2):
            AIUsage.objects.create(provider="p", model="m", input_tokens=top, output_tokens=top)

    @pytest.mark.parametrize("name", ["big_number", "subscriptions", "ai_token_usage"])
    @pytest.mark.parametrize("minutes", [60, 7 * 24 * 60])
    def test_series(self, auth_client, overflowing, name, minutes):
        response = auth_client.get(f"/api/monitoring/metrics/{name}/series/?minutes={minutes}")

        assert response.status_code == 200
        points = [p["v"] for p in finite_json(response.content)["points"]]
        assert any(v is not None for v in points) or name == "subscriptions"

    def test_series_point_that_overflows_is_null(self, overflowing):
        # The series end at the samples' own time: a minute turning between the push and the read
        # must not move them out of the last bucket.
        at = MetricSample.objects.filter(name__in=["big_number", "subscriptions"]).latest("timestamp").timestamp
        points = [p["v"] for p in metric_series(CATALOGUE["subscriptions"], 60, now=at)["points"]]
        assert points[-1] is None
        assert metric_series(custom_metric("big_number"), 60, now=at)["points"][-1]["v"] == HUGE  # the mean

    def test_overview(self, auth_client, overflowing):
        response = auth_client.get("/api/monitoring/overview/")

        assert response.status_code == 200
        metrics = {m["name"]: m for m in finite_json(response.content)["metrics"]}
        assert metrics["ai_token_usage"]["value"] == pytest.approx(4 * largest_token_count())
        assert metrics["subscriptions"]["value"] is None
        finite_json(overview(minutes=60))

    def test_endpoints(self, auth_client, overflowing):
        assert auth_client.get("/api/monitoring/endpoints/").status_code == 200
        finite_json(endpoint_stats(minutes=60))

    def test_metric_catalogue(self, auth_client, overflowing):
        response = auth_client.get("/api/alerts/metrics/")

        assert response.status_code == 200
        metrics = {m["name"]: m for m in finite_json(response.content)["metrics"]}
        assert metrics["big_number"]["value"] == HUGE
        assert metrics["subscriptions"]["value"] is None
