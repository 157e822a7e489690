"""When a heartbeat is late: pure functions of a check and the time.

A heartbeat expects a ping every `period_seconds`, or, with a cron expression, at each time the
schedule names in the check's time zone (DST-correct: "0 9 * * *" in Europe/Berlin is 08:00 UTC in
winter and 07:00 UTC in summer). It is late, and down, once `grace_seconds` have passed after the
expected ping without one. A /fail ping is down at once, until the next good ping. Before its
first ping it is unknown, and down once the first expected ping is late.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from ..models import Check, CheckStatus


@dataclass(frozen=True)
class Verdict:
    status: str
    error: str
    expected_by: datetime | None  # the moment after which it is late


def next_expected(check: Check, after: datetime) -> datetime:
    """When the next ping is expected after `after` (a ping, or the check's creation)."""
    if check.cron:
        zone = ZoneInfo(check.time_zone or "UTC")
        # In UTC: a local time the night repeats (fold 0, the first of the two) compares unequal
        # with every other zone's times (PEP 495).
        return croniter(check.cron, after.astimezone(zone)).get_next(datetime).astimezone(UTC)
    return after + timedelta(seconds=check.period_seconds)


def verdict(check: Check, now: datetime) -> Verdict:
    if check.last_fail_at and (check.last_ping_at is None or check.last_fail_at >= check.last_ping_at):
        return Verdict(CheckStatus.DOWN, f"The job reported a failure (/fail) at {_when(check.last_fail_at)}.", None)
    since = check.last_ping_at or check.created_at or now
    deadline = next_expected(check, since) + timedelta(seconds=check.grace_seconds)
    if now > deadline:
        last = f"the last ping was at {_when(check.last_ping_at)}" if check.last_ping_at else "no ping yet"
        return Verdict(CheckStatus.DOWN, f"Late: a ping was expected by {_when(deadline)} (grace included); {last}.",
                       deadline)
    if check.last_ping_at is None:
        return Verdict(CheckStatus.UNKNOWN, "", deadline)
    return Verdict(CheckStatus.UP, "", deadline)


def _when(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S UTC")
