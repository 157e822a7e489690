import math

import pytest

from monitoring import aggregation as agg
from monitoring.models import LATENCY_BUCKETS_MS


@pytest.mark.parametrize(
    "aggregation, expected",
    [("avg", 70.0), ("min", 50.0), ("max", 90.0), ("sum", 210.0), ("last", 90.0), ("count", 3.0), ("p95", 88.0)],
)
def test_values(aggregation, expected):
    assert agg.of_values([50.0, 70.0, 90.0], aggregation) == pytest.approx(expected)


@pytest.mark.parametrize("aggregation", ["avg", "min", "max", "sum", "last", "count", "p95"])
def test_no_values_is_no_data(aggregation):
    assert agg.of_values([], aggregation) is None


def test_unknown_aggregation_is_refused():
    with pytest.raises(ValueError):
        agg.of_values([1.0], "median")


@pytest.mark.parametrize(
    "aggregation, expected",
    [("sum", 12.0), ("avg", 3.0), ("min", 0.0), ("max", 7.0), ("last", 5.0), ("count", 9.0), ("p95", 6.7)],
)
def test_counter(aggregation, expected):
    assert agg.of_counter([0, 0, 7, 5], 9, aggregation) == pytest.approx(expected)


def test_ratio_avg_is_pooled_not_a_mean_of_minutes():
    # 1 of 10 and 0 of 990: the window's error rate is 0.1 %, not the mean of 10 % and 0 %.
    assert agg.of_ratio([1, 0], [10, 990], "avg") == pytest.approx(0.1)
    assert agg.of_ratio([1, 0], [10, 990], "max") == pytest.approx(10.0)
    assert agg.of_ratio([1, 0], [10, 990], "min") == pytest.approx(0.0)
    assert agg.of_ratio([1, 0], [10, 990], "sum") == 1.0
    assert agg.of_ratio([1, 0], [10, 990], "count") == 1000.0


def test_ratio_without_denominator_is_no_data():
    assert agg.of_ratio([0, 0], [0, 0], "avg") is None
    assert agg.of_ratio([0, 0], [0, 0], "last") is None
    assert agg.of_ratio([0, 0], [0, 0], "count") == 0.0


def test_means_use_every_event():
    totals, counts = [100.0, 900.0], [10, 10]  # per-minute means 10 and 90
    assert agg.of_means(totals, counts, "avg") == pytest.approx(50.0)
    assert agg.of_means(totals, counts, "min") == pytest.approx(10.0)
    assert agg.of_means(totals, counts, "max", maxima=[12.0, 400.0]) == pytest.approx(400.0)
    assert agg.of_means(totals, counts, "max") == pytest.approx(90.0)
    assert agg.of_means(totals, counts, "count") == 20.0
    assert agg.of_means([0.0], [0], "avg") is None


def test_histogram_quantile_interpolates_inside_the_bucket():
    counts = [0] * (len(LATENCY_BUCKETS_MS) + 1)
    counts[LATENCY_BUCKETS_MS.index(25)] = 30  # 10-25 ms
    counts[LATENCY_BUCKETS_MS.index(100)] = 10  # 75-100 ms
    # rank 38 of 40 falls 8/10 into the 75-100 bucket.
    assert agg.histogram_quantile(counts, 0.95) == pytest.approx(95.0)
    assert agg.histogram_quantile(counts, 0.95, observed_max=80.0) == pytest.approx(80.0)
    assert agg.histogram_quantile(counts, 0.5) == pytest.approx(10 + 15 * 20 / 30)


def test_histogram_quantile_in_the_open_bucket_is_the_largest_seen():
    counts = [0] * (len(LATENCY_BUCKETS_MS) + 1)
    counts[-1] = 5
    assert agg.histogram_quantile(counts, 0.95, observed_max=31_000.0) == 31_000.0
    assert agg.histogram_quantile([0] * len(counts), 0.95) is None


def test_quantile():
    assert agg.quantile([1.0], 0.95) == 1.0
    assert agg.quantile([3.0, 1.0, 2.0], 0.5) == 2.0
    p95 = agg.quantile(list(range(101)), 0.95)
    assert p95 is not None and math.isclose(p95, 95.0)
