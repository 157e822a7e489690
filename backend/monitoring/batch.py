"""What the telemetry buffer collects and one flush hands to the sinks: the per-minute request
numbers, error groups, and the batch that carries them. Both `telemetry` and `sinks` import it;
neither imports the other's internals.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .models import LATENCY_BUCKETS_MS, LATENCY_FIELDS

# The numbers kept per (minute, route, method); duration_max_ms is the only one not summed.
REQUEST_FIELDS = (
    "count", "status_4xx", "status_5xx", "duration_total_ms", "duration_max_ms",
    "db_queries", "db_time_ms", "slow_queries", *LATENCY_FIELDS,
)
FLOAT_FIELDS = frozenset({"duration_total_ms", "duration_max_ms", "db_time_ms"})
MAX_FIELD = "duration_max_ms"
_INDEX = {name: i for i, name in enumerate(REQUEST_FIELDS)}
_LATENCY_OFFSET = _INDEX[LATENCY_FIELDS[0]]


def minute_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def latency_bucket(duration_ms: float) -> int:
    for i, bound in enumerate(LATENCY_BUCKETS_MS):
        if duration_ms <= bound:
            return i
    return len(LATENCY_BUCKETS_MS)


@dataclass
class ErrorGroup:
    """Errors with one fingerprint seen since the last flush."""

    fingerprint: str
    level: str
    logger: str
    message: str
    exception_type: str
    traceback: str
    path: str
    method: str
    user_id: int | None
    first_seen: datetime
    last_seen: datetime
    occurrences: int = 1
    service: str = ""  # blank: this server's own


@dataclass
class Batch:
    """What one flush takes out of the buffer."""

    requests: dict = field(default_factory=dict)  # (minute, route, method) -> [values]
    users: dict = field(default_factory=dict)  # minute -> {user ids}
    errors: dict = field(default_factory=dict)  # fingerprint -> ErrorGroup
    error_counts: dict = field(default_factory=dict)  # (minute, level) -> count

    def __bool__(self):
        return bool(self.requests or self.users or self.errors or self.error_counts)


def merge_request_values(into: list, values: list) -> None:
    for i, value in enumerate(values):
        if i == _INDEX[MAX_FIELD]:
            into[i] = max(into[i], value)
        else:
            into[i] += value
