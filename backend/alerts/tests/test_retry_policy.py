"""The backoff policy: pure functions, checked without waiting."""

from datetime import UTC, datetime

import pytest

from alerts.services.retry_policy import parse_retry_after, retry_delay_seconds, should_retry


def delay(attempts, jitter, retry_after=None, base=30.0, cap=900.0):
    return retry_delay_seconds(
        attempts=attempts, base_seconds=base, max_seconds=cap, jitter=jitter, retry_after=retry_after
    )


def test_the_delay_doubles_with_each_failed_attempt():
    assert [delay(n, jitter=1.0) for n in range(1, 6)] == [30, 60, 120, 240, 480]


def test_the_delay_is_capped():
    assert delay(6, jitter=1.0) == 900
    assert delay(30, jitter=1.0) == 900


def test_jitter_spreads_the_delay_between_half_and_all_of_the_step():
    assert delay(3, jitter=0.0) == 60
    assert delay(3, jitter=0.5) == 90
    assert delay(3, jitter=1.0) == 120
    # Out-of-range jitter is clamped, never negative or beyond the step.
    assert delay(3, jitter=-1) == 60
    assert delay(3, jitter=7) == 120


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    assert delay(1, jitter=0.0, retry_after=120) == 120
    assert delay(4, jitter=1.0, retry_after=5) == 240


def test_retry_after_is_bounded_by_the_maximum():
    assert delay(1, jitter=0.0, retry_after=86400) == 900


def test_attempts_start_at_one():
    with pytest.raises(ValueError):
        delay(0, jitter=0.5)


@pytest.mark.parametrize(
    "attempts,transient,expected", [(1, True, True), (4, True, True), (5, True, False), (1, False, False)]
)
def test_should_retry(attempts, transient, expected):
    assert should_retry(attempts=attempts, max_attempts=5, transient=transient) is expected


def test_parse_retry_after():
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)

    assert parse_retry_after("30") == 30
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("Sat, 01 Mar 2025 12:01:30 GMT", now=now) == 90
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("-5") == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
