"""The evaluation tick's lock (issue 10: a crashed tick blinded evaluation for 55 s): its lifetime
follows the check interval, its release is an atomic compare-and-delete, a skipped tick is counted
with its reason, and SQLite's "database is locked" is its own reason."""

import os
import shutil
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from alerts.services import tick_lock
from alerts.services.alert_engine import run_tick
from alerts.services.tick_lock import TICK_LOCK_KEY, engine_status, release_lock
from core.testing import RedisServer

pytestmark = pytest.mark.django_db

BACKEND = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_lock_and_counts():
    keys = [TICK_LOCK_KEY, tick_lock.LAST_TICK_KEY, tick_lock.SKIPPED_TICKS_KEY, tick_lock.LAST_SKIP_KEY,
            tick_lock.SKIPS_BY_REASON_KEY]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def lock_seconds(**env) -> str:
    """ALERT_TICK_LOCK_SECONDS as a fresh process reads the settings with `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ALERT_", "CELERY_TASK_"))}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.ALERT_TICK_LOCK_SECONDS)"],
        cwd=BACKEND, env={**environ, "DJANGO_SETTINGS_MODULE": "resee.settings", **env},
        capture_output=True, text=True, timeout=60,
    )
    return result.stdout.strip().splitlines()[-1] if result.returncode == 0 else result.stderr


@pytest.mark.parametrize("interval, expected", [("60", "55"), ("30", "25"), ("10", "5"), ("2", "1"), ("1", "1")])
def test_the_lock_lives_less_than_the_check_interval(interval, expected):
    assert lock_seconds(ALERT_CHECK_INTERVAL_SECONDS=interval) == expected


def test_the_lock_lives_less_than_the_task_hard_limit_too():
    assert lock_seconds(ALERT_CHECK_INTERVAL_SECONDS="120", CELERY_TASK_TIME_LIMIT="60",
                        CELERY_TASK_SOFT_TIME_LIMIT="50") == "55"


def test_a_lock_as_long_as_the_interval_is_refused():
    error = lock_seconds(ALERT_CHECK_INTERVAL_SECONDS="10", ALERT_TICK_LOCK_SECONDS="10")

    assert "ALERT_TICK_LOCK_SECONDS must be at least 1 and less than 10" in error


def check_compare_and_delete():
    assert cache.add(TICK_LOCK_KEY, "tick-a", timeout=30)
    # Tick A's lock expired and tick B took it: A's late release must leave B's alone.
    cache.set(TICK_LOCK_KEY, "tick-b", timeout=30)

    assert release_lock(TICK_LOCK_KEY, "tick-a") is False
    assert cache.get(TICK_LOCK_KEY) == "tick-b"
    assert release_lock(TICK_LOCK_KEY, "tick-b") is True
    assert cache.get(TICK_LOCK_KEY) is None
    assert release_lock(TICK_LOCK_KEY, "tick-b") is False


def test_release_is_compare_and_delete_on_the_database_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "resee_cache", "KEY_PREFIX": "resee"}}
    # With REDIS_URL set, migrate made no cache table for the test database.
    call_command("createcachetable", verbosity=0)
    check_compare_and_delete()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_release_is_compare_and_delete_on_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        with override_settings(CACHES={"default": {"BACKEND": "core.cache.ResilientRedisCache",
                                                   "LOCATION": server.url, "KEY_PREFIX": "resee"}}):
            check_compare_and_delete()
            caches["default"].close()
    finally:
        server.kill()


def test_a_skipped_tick_is_counted_with_its_reason_and_shown(auth_client):
    cache.add(TICK_LOCK_KEY, "a tick still running", timeout=30)

    report = run_tick()

    assert (report.skipped, report.skip_reason) == (True, "previous tick still running")
    assert report.summary() == {"skipped": True, "reason": "previous tick still running"}
    cache.delete(TICK_LOCK_KEY)
    assert run_tick().skipped is False

    status = engine_status()
    assert status["skipped_ticks"] == 1
    assert status["skipped_by_reason"] == {"previous tick still running": 1}
    assert status["last_skip_reason"] == "previous tick still running"
    assert status["last_tick_at"] is not None and status["last_tick_seconds"] >= 0
    shown = auth_client.get("/api/alerts/stats/").json()["engine"]
    assert (shown["skipped_ticks"], shown["last_skip_reason"]) == (1, "previous tick still running")
    out = StringIO()
    call_command("check_alerts", "--dry-run", stdout=out)
    assert "skipped 1 (previous tick still running: 1)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite locks the database; PostgreSQL locks rows")
def test_sqlite_locked_by_another_writer_is_its_own_reason_not_a_running_tick(caplog):
    path = connection.settings_dict["NAME"]
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved_timeout = options.get("timeout")
    connection.close()
    options["timeout"] = 0.2  # SQLite's wait for the lock, short for the test
    other = sqlite3.connect(path, isolation_level=None, timeout=1)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        report = run_tick()
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()
        if saved_timeout is None:
            options.pop("timeout")
        else:
            options["timeout"] = saved_timeout

    assert (report.skipped, report.skip_reason) == (True, "database is locked")
    # Counted once the database can be written again (the count lives in the database cache).
    assert run_tick().skipped is False
    assert engine_status()["skipped_by_reason"] == {"database is locked": 1}
    assert "tick skipped: database is locked" in caplog.text
    assert "still running" not in caplog.text
