"""Redis is an optimisation: with it stopped the API answers from the database (never a 500),
ingest stores, /health/ says 503 naming the cache, and everything recovers by itself when Redis
returns. A redis-server of the test's own, stopped and started again by its pid."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches

from core import cache as resilient
from core.testing import RedisServer
from monitoring import telemetry
from monitoring.models import MetricSample, RequestRollup

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def on_redis(settings, redis_server, clock):
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url, "KEY_PREFIX": "resee"},
    }
    cache = caches["default"]
    assert isinstance(cache, resilient.ResilientRedisCache)
    cache._clock = clock
    return redis_server


CALLS = [
    ("get", "/api/alerts/rules/", None),
    ("get", "/api/alerts/history/", None),
    ("get", "/api/alerts/stats/", None),
    ("get", "/api/alerts/metric-health/", None),
    ("get", "/api/monitoring/overview/", None),
    ("post", "/api/monitoring/metrics/", {"name": "orders_per_minute", "value": 3}),
    ("post", "/api/monitoring/ai-usage/", {"provider": "openai", "model": "gpt-4o", "input_tokens": 10}),
    ("post", "/api/alerts/rules/", {"name": "Orders", "metric_name": "orders_per_minute", "condition": "lt",
                                     "threshold_value": 1}),
]


def _statuses(client) -> list[int]:
    return [getattr(client, method)(url, body, format="json").status_code if body is not None
            else getattr(client, method)(url).status_code for method, url, body in CALLS]


def _expected_codes() -> list[int]:
    return [201 if method == "post" else 200 for method, _, _ in CALLS]


def test_the_api_keeps_answering_while_redis_is_stopped_and_recovers(superuser_client, client, on_redis, clock,
                                                                       caplog):
    assert _statuses(superuser_client) == _expected_codes()
    assert client.get("/health/").status_code == 200

    on_redis.stop()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        down = [_statuses(superuser_client) for _ in range(5)]
        clock.now += resilient.RETRY_AFTER_SECONDS  # tried again (and found down again) while stopped
        down += [_statuses(superuser_client) for _ in range(5)]
        health = client.get("/health/")

    assert down == [_expected_codes()] * 10
    assert health.status_code == 503
    assert health.json()["checks"]["cache"] == "unavailable"
    # Ingest stored what it was sent, in the database.
    assert MetricSample.objects.filter(name="orders_per_minute").count() == 11
    # Logged once, not per call.
    unreachable = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(unreachable) == 1
    assert unreachable[0].levelno == logging.WARNING

    on_redis.start()
    clock.now += resilient.RETRY_AFTER_SECONDS
    assert _statuses(superuser_client) == _expected_codes()
    assert client.get("/health/").status_code == 200
    # The cache is used again.
    caches["default"].set("probe", "back")
    assert caches["default"].get("probe") == "back"


def test_an_unreachable_redis_is_a_miss_and_a_skipped_write(on_redis, clock):
    backend = caches["default"]
    assert isinstance(backend, resilient.ResilientRedisCache)
    backend.set("kept", 1)
    on_redis.stop()

    assert backend.get("kept", "default") == "default"
    assert backend.get_many(["kept"]) == {}
    assert backend.has_key("kept") is False
    backend.set("other", 2)  # no error
    assert backend.set_many({"a": 1, "b": 2}) == ["a", "b"]
    backend.delete("kept")
    backend.delete_many(["a"])
    # A lock is not taken (the tick is skipped) and a rate counter counts as new (let through).
    assert backend.add("lock", "token", timeout=10) is False
    assert backend.incr("counter") == 1
    assert backend.ping() is False

    on_redis.start()
    clock.now += resilient.RETRY_AFTER_SECONDS
    assert backend.add("lock", "token", timeout=10) is True
    assert backend.get("lock") == "token"
    assert backend.ping() is True


def test_a_redis_restart_loses_no_request_metrics_of_completed_minutes(on_redis):
    now = datetime.now(UTC)
    previous = now - timedelta(minutes=1)
    for _ in range(660):
        telemetry.buffer.record_request(when=previous, route="/api/x/", method="GET", status=200, duration_ms=5.0)
    for _ in range(40):
        telemetry.buffer.record_request(when=now, route="/api/x/", method="GET", status=200, duration_ms=5.0)

    # The background flush (every TELEMETRY_FLUSH_INTERVAL_SECONDS), then Redis restarted with
    # nothing kept, before the every-minute collection task drains it.
    assert telemetry.flush()
    on_redis.kill()
    on_redis.start()
    assert telemetry.flush(everything=True)  # the minute in progress, at the process's exit

    from monitoring import sinks

    sinks.drain_redis_requests(now=now + timedelta(minutes=2))
    totals = RequestRollup.objects.filter(route=RequestRollup.ALL)
    assert sum(row.count for row in totals) == 700
