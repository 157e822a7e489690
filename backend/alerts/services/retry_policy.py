"""When to try a failed notification again: pure functions, so they are tested without waiting."""

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_delay_seconds(
    *, attempts: int, base_seconds: float, max_seconds: float, jitter: float, retry_after: float | None = None,
) -> float:
    """Seconds to wait before the next attempt, after `attempts` attempts have failed.

    Exponential backoff (base, 2*base, 4*base, ... capped at max_seconds) with "equal jitter":
    half the step is fixed and half is scaled by `jitter` in [0, 1], so deliveries that failed
    together (Slack down for everyone) do not all come back at the same second. A receiver's
    Retry-After is honoured, up to max_seconds.
    """
    if attempts < 1:
        raise ValueError("attempts counts the attempts made so far and is at least 1")
    jitter = min(max(jitter, 0.0), 1.0)
    step = min(max_seconds, base_seconds * 2 ** (attempts - 1))
    delay = step / 2 + step / 2 * jitter
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, max_seconds))
    return delay


def should_retry(*, attempts: int, max_attempts: int, transient: bool) -> bool:
    """Only transient failures are retried, and only while attempts remain."""
    return transient and attempts < max_attempts


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """An HTTP Retry-After header in seconds: delta-seconds ("30") or an HTTP date. None when
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
