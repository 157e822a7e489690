"""Which samples a window holds, read at a fixed moment: a metric sampled every minute always has
its latest sample in a 1-minute window, whatever the collection's jitter and whether the tick reads
before or after this minute's collection; a sample older than the window and its grace never is."""

from datetime import UTC, datetime, timedelta

import pytest

from monitoring.catalogue import CATALOGUE, custom_metric
from monitoring.models import AIUsage, ErrorCount, MetricSample
from monitoring.selectors import MetricReader, overview

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
CPU = CATALOGUE["cpu_usage"]

# Each minute's collection, as seen in a real run: the timestamp is taken when the task starts,
# a little after the minute (or, on a skewed clock, just before it).
JITTER_SECONDS = (0.27, 0.01, 1.9, -0.1, 0.5, 2.6, 0.27, -0.1, 0.01, 0.3, 1.2, 0.27)


def collected_at(minute: int) -> datetime:
    """When the collection of minute T0 + `minute` stamped its samples."""
    return T0 + timedelta(minutes=minute, seconds=JITTER_SECONDS[minute % len(JITTER_SECONDS)])


def collect(minutes, name="cpu_usage", value=lambda m: float(m)) -> None:
    MetricSample.objects.bulk_create(
        MetricSample(name=name, value=value(m), timestamp=collected_at(m)) for m in minutes
    )


def read(now, window, aggregation="avg", metric=CPU):
    return MetricReader(now=now).read(metric, window, aggregation)


# Tick moments in minute 10: before its collection has been written, and after.
BEFORE_COLLECTION = (0.0, 0.1, 0.25)
AFTER_COLLECTION = (3.0, 30.0, 59.9)


@pytest.mark.parametrize("tick_second", BEFORE_COLLECTION)
@pytest.mark.parametrize("window", [1, 2, 5])
def test_tick_before_this_minutes_sample_reads_the_last_minutes(tick_second, window):
    collect(range(0, 10))  # minute 10 not written yet
    now = T0 + timedelta(minutes=10, seconds=tick_second)

    reading = read(now, window, "count")

    assert reading.value == window  # one sample per minute of the window, never none
    assert read(now, window, "last").value == 9.0
    assert [v for _, v in reading.points] == [float(m) for m in range(10 - window, 10)]


@pytest.mark.parametrize("tick_second", AFTER_COLLECTION)
@pytest.mark.parametrize("window", [1, 2, 5])
def test_tick_after_this_minutes_sample_reads_it(tick_second, window):
    collect(range(0, 11))
    now = T0 + timedelta(minutes=10, seconds=tick_second)

    assert read(now, window, "count").value == window
    assert read(now, window, "last").value == 10.0
    assert read(now, window, "min").value == 11.0 - window


@pytest.mark.parametrize("window", [1, 2, 5])
def test_every_tick_of_a_half_hour_sees_the_latest_sample_in_either_order(window):
    """Tick and collection both run 'at :00'; whichever lands first, every read has data, holds
    the newest sample and nothing older than the window and half a minute."""
    collect(range(0, 40))
    for minute in range(6, 40):
        for second in (0.0, 0.05, 0.3, 1.0, 2.0, 3.5, 15.0, 45.0, 59.99):
            now = T0 + timedelta(minutes=minute, seconds=second)
            reading = read(now, window, "count")
            # A sample stamped early can share a minute with the one before it.
            assert reading.value in (window, window + 1), (now, [t.isoformat() for t, _ in reading.points])
            latest = max(t for t in (collected_at(m) for m in range(40)) if t <= now)
            assert reading.points[-1][0] == latest
            assert reading.points[0][0] > now - timedelta(minutes=window, seconds=30)


def test_collection_early_by_a_skewed_clock_still_counts_for_its_minute():
    # Minute 3's collection stamped 11:02:59.9: minute 2 has two samples, minute 3 none.
    MetricSample.objects.bulk_create([
        MetricSample(name="cpu_usage", value=1.0, timestamp=T0 + timedelta(minutes=2, seconds=0.27)),
        MetricSample(name="cpu_usage", value=2.0, timestamp=T0 + timedelta(minutes=2, seconds=59.9)),
        MetricSample(name="cpu_usage", value=3.0, timestamp=T0 + timedelta(minutes=4, seconds=0.01)),
    ])

    for second in (0.0, 0.005, 30.0, 59.9):
        now = T0 + timedelta(minutes=3, seconds=second)
        assert read(now, 1, "last").value == 2.0
    now = T0 + timedelta(minutes=4, seconds=0.005)  # before minute 4's sample is written
    assert read(now, 1, "last").value == 2.0
    assert read(now, 2, "count").value == 2.0


def test_the_reading_names_the_window_it_really_read():
    collect(range(0, 10))
    before = T0 + timedelta(minutes=10, seconds=0.1)

    reading = read(before, 1)

    # Moved back to end half a minute after the newest sample, so that it holds it.
    assert reading.end == collected_at(9) + timedelta(seconds=30)
    assert reading.start == reading.end - timedelta(minutes=1)
    assert reading.start < reading.points[0][0] <= reading.end
    context = reading.as_context()
    assert context["window_end"] == reading.end.isoformat()

    collect([10])
    after = T0 + timedelta(minutes=10, seconds=3)
    reading = read(after, 5)
    assert (reading.start, reading.end) == (after - timedelta(minutes=5), after)


class TestStaleSamplesAreNotLive:
    def test_a_sample_older_than_the_window_and_its_grace_is_not_used(self):
        collect([0])
        # One minute of window and half a collection interval of grace.
        assert read(collected_at(0) + timedelta(seconds=89), 1).value == 0.0
        assert read(collected_at(0) + timedelta(seconds=91), 1).value is None
        assert read(collected_at(0) + timedelta(minutes=5, seconds=29), 5).value == 0.0
        assert read(collected_at(0) + timedelta(minutes=5, seconds=31), 5).value is None

    def test_a_missed_collection_is_no_data_not_the_minute_before(self):
        collect([0, 1, 2])  # minute 3's collection never ran
        assert read(T0 + timedelta(minutes=3, seconds=45), 1).value is None
        assert read(T0 + timedelta(minutes=4, seconds=0.1), 1).value is None
        assert read(T0 + timedelta(minutes=3, seconds=45), 2, "count").value == 1.0

    def test_the_old_end_of_a_long_window_is_not_stretched(self):
        collect(range(0, 11))
        reading = read(T0 + timedelta(minutes=10, seconds=3), 5, "count")
        assert reading.value == 5.0  # minutes 6-10: the sample of minute 5 is outside


def test_counters_sampled_per_event_keep_their_window():
    failed = CATALOGUE["celery_failed_tasks"]
    MetricSample.objects.bulk_create(
        MetricSample(name="celery_failed_tasks", value=1.0, timestamp=T0 + timedelta(minutes=m, seconds=s))
        for m, s in ((2, 40), (3, 20), (3, 50))
    )

    assert read(T0 + timedelta(minutes=4, seconds=0.1), 1, "sum", failed).value == 2.0
    assert read(T0 + timedelta(minutes=4, seconds=0.1), 5, "sum", failed).value == 3.0
    assert read(T0 + timedelta(minutes=6), 1, "sum", failed).value == 0.0


def test_pushed_metrics_read_the_same_way():
    collect(range(0, 10), name="queue_depth")
    reading = read(T0 + timedelta(minutes=10, seconds=0.5), 1, "last", custom_metric("queue_depth"))
    assert reading.value == 9.0


class TestMinuteCountedEvents:
    """Errors and AI calls are counted per minute: a 1-minute window read early in a minute that
    has none yet is the minute before, so an event late in a minute is never missed by every tick."""

    def test_an_error_late_in_a_minute_is_seen_by_the_next_tick(self):
        ErrorCount.objects.create(minute=T0 + timedelta(minutes=2), level="ERROR", count=1)

        early = read(T0 + timedelta(minutes=3, seconds=0.1), 1, "sum", CATALOGUE["error_count"])
        assert early.value == 1.0
        assert early.end == T0 + timedelta(minutes=3)
        assert read(T0 + timedelta(minutes=4, seconds=0.1), 1, "sum", CATALOGUE["error_count"]).value == 0.0

    def test_the_live_minute_counts_once_it_has_events(self):
        ErrorCount.objects.create(minute=T0 + timedelta(minutes=2), level="ERROR", count=1)
        ErrorCount.objects.create(minute=T0 + timedelta(minutes=3), level="ERROR", count=4)

        now = T0 + timedelta(minutes=3, seconds=10)
        assert read(now, 1, "sum", CATALOGUE["error_count"]).value == 4.0
        assert read(now, 2, "sum", CATALOGUE["error_count"]).value == 5.0

    def test_ai_calls(self):
        AIUsage.objects.create(timestamp=T0 + timedelta(minutes=2, seconds=50), provider="p", model="m",
                               input_tokens=10, output_tokens=5)
        assert read(T0 + timedelta(minutes=3, seconds=0.1), 1, "sum", CATALOGUE["ai_token_usage"]).value == 15.0


def test_the_dashboard_overview_reads_the_same_windows():
    collect(range(0, 10))
    metrics = {m["name"]: m for m in overview(minutes=1, now=T0 + timedelta(minutes=10, seconds=0.5))["metrics"]}
    assert metrics["cpu_usage"]["no_data"] is False
    assert metrics["cpu_usage"]["value"] == 9.0
