"""The samples a process keeps between ticks (monitoring/sources/sample_cache.py): each read is
what the database holds at that moment — rows written, deleted, committed late or stamped ahead
all show — while a steady tick reads only what was written since, not the whole horizon again."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from monitoring.catalogue import custom_metric
from monitoring.labels import Matcher
from monitoring.models import MetricSample, MetricSeries
from monitoring.selectors import MetricReader
from monitoring.sources import sample_cache
from monitoring.sources.sample_cache import micros, micros_sql, moment_of

# Not in a transaction: inside one, nothing is kept (see the last tests).
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 3, 2, 12, 0, 40, tzinfo=UTC)
DEPTH = custom_metric("queue_depth")


@pytest.fixture(autouse=True)
def _nothing_held():
    sample_cache.forget()
    yield
    sample_cache.forget()


def push(value, at, labels=None, **fields):
    sample = MetricSample(name="queue_depth", value=value, timestamp=at, **fields)
    MetricSeries.assign([sample], [labels])
    sample.save()
    return sample


def read(now=NOW, window=10, aggregation="sum", matchers=()):
    return MetricReader(now=now).read(DEPTH, window, aggregation, matchers)


def whole_reads(queries) -> int:
    """How many of these queries read a metric's samples over a time range, in time order (a whole
    read; what was written since is read in id order)."""
    return sum(1 for q in queries if 'ORDER BY "monitoring_metricsample"."timestamp" ASC' in q["sql"])


def test_a_steady_read_asks_only_for_what_was_written_since():
    for minutes in range(1, 8):
        push(minutes, NOW - timedelta(minutes=minutes))
    assert read().value == sum(range(1, 8))

    push(100, NOW - timedelta(seconds=5))
    with CaptureQueriesContext(connection) as queries:
        assert read().value == sum(range(1, 8)) + 100
    assert whole_reads(queries.captured_queries) == 0, [q["sql"] for q in queries.captured_queries]
    assert sample_cache.held_rows() == 8


def test_a_deleted_sample_is_gone_from_the_next_read():
    kept = push(5, NOW - timedelta(minutes=2))
    gone = push(7, NOW - timedelta(minutes=3))
    assert read().value == 12

    MetricSample.objects.filter(pk=gone.pk).delete()
    assert read().value == 5
    MetricSample.objects.filter(pk=kept.pk).delete()
    assert read().value is None


def test_a_row_that_commits_after_a_higher_id_was_seen_is_read():
    # Two writers: the one that took id N commits after the one that took N + 1 was read.
    first = push(1, NOW - timedelta(minutes=1))
    later = push(2, NOW - timedelta(minutes=1), id=first.pk + 10)
    assert read().value == 3

    push(40, NOW - timedelta(minutes=2), id=first.pk + 5)  # below the highest id seen
    assert read().value == 43
    assert later.pk > first.pk + 5


def test_a_sample_stamped_ahead_counts_once_the_window_reaches_it():
    push(1, NOW - timedelta(minutes=1))
    push(50, NOW + timedelta(minutes=3))  # a pusher whose clock runs ahead (ingest allows 5 min)
    assert read().value == 1
    assert read(now=NOW + timedelta(minutes=4)).value == 51


def test_a_new_series_arrives_with_its_labels():
    push(1, NOW - timedelta(minutes=1), {"queue": "emails"})
    assert read(matchers=(Matcher("queue", "=", "emails"),)).value == 1

    push(9, NOW - timedelta(seconds=10), {"queue": "sms"})
    reader = MetricReader(now=NOW)
    groups = reader.read_groups(DEPTH, 10, "sum", (), ("queue",))
    assert {g.labels["queue"]: g.reading.value for g in groups} == {"emails": 1, "sms": 9}
    assert read(matchers=(Matcher("queue", "=", "sms"),)).value == 9


def test_samples_written_out_of_order_are_read_in_time_order():
    push(1, NOW - timedelta(minutes=1))
    assert read(aggregation="last").value == 1
    push(2, NOW - timedelta(minutes=3))  # written later, stamped earlier
    push(3, NOW - timedelta(seconds=20))
    assert read(aggregation="last").value == 3
    assert [v for _, v in read(aggregation="last").points] == [2, 1, 3]


def test_the_horizon_moves_on_and_what_left_it_is_let_go():
    for minutes in range(0, 120, 10):
        push(minutes, NOW - timedelta(minutes=minutes))
    assert read(window=60, aggregation="count").value == 6  # 0, 10 … 50 minutes ago (60 is out)
    held = sample_cache.held_rows()
    later = NOW + timedelta(minutes=5)
    assert read(now=later, window=60, aggregation="count").value == 6  # 5 … 55 minutes before `later`
    assert sample_cache.held_rows() < held


def test_a_read_of_an_earlier_moment_reads_that_moment():
    push(1, NOW - timedelta(minutes=1))
    assert read().value == 1
    push(5, NOW - timedelta(minutes=50))
    assert read(now=NOW - timedelta(minutes=45), window=10).value == 5
    assert read().value == 1


def test_inside_a_transaction_nothing_is_kept():
    push(1, NOW - timedelta(minutes=1))
    with transaction.atomic():
        assert read().value == 1
        push(2, NOW - timedelta(minutes=1))
        assert read().value == 3
        assert sample_cache.held_rows() == 0
        transaction.set_rollback(True)
    assert read().value == 1


@pytest.mark.parametrize("at", [
    datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 2, 12, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 2, 12, 0, 59, 999999, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
])
def test_the_database_counts_microseconds_as_python_does(at):
    sample = push(1, at)
    (counted,) = MetricSample.objects.filter(pk=sample.pk).values_list(micros_sql("timestamp"), flat=True)
    assert counted == micros(at)
    assert moment_of(counted) == at
