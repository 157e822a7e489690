from datetime import UTC, datetime, timedelta

from django.conf import settings

from monitoring import sinks, telemetry


def flush_to_database() -> None:
    """Everything this process buffered, in the database now: flushed, and with Redis drained
    too (as the every-minute collection task would)."""
    assert telemetry.flush(everything=True)
    if settings.REDIS_URL:
        sinks.drain_redis_requests(now=datetime.now(UTC) + timedelta(minutes=2))


def clear_redis_telemetry() -> None:
    """Redis is not rolled back with each test's transaction: forget the buffered telemetry and
    the Django cache's entries (prefixed `resee:`), and nothing else of what is in that database."""
    client = sinks.redis_client()
    for pattern in (f"{sinks.KEY_PREFIX}:*", f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
        keys = list(client.scan_iter(match=pattern))
        if keys:
            client.delete(*keys)


def store_rollup(minute, route="/api/x/", method="GET", **fields) -> None:
    """Request metrics of one route and minute, stored as a flush stores them (with the minute's
    all-routes total)."""
    values = [fields.pop(name, 0) for name in telemetry.REQUEST_FIELDS]
    assert not fields, f"unknown fields {fields}"
    sinks.write_requests({(minute, route, method): values}, {})
