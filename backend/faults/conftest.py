"""Fixtures of the fault suite: real receivers, the test's own redis-server, and a process group
whose every process (and everything under it) is killed by pid when the test ends."""

import pytest
from django.conf import settings

from alerts.tests.receivers import WebhookServer
from core.testing import ProcessGroup, RedisServer

from .harness import REDIS_SERVER, DatabaseLock, TimedSMTPReceiver, stop_all


@pytest.fixture
def stack(tmp_path):
    group = ProcessGroup(tmp_path)
    yield group
    stop_all(group)


@pytest.fixture
def slack():
    server = WebhookServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    receiver = TimedSMTPReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own (never a shared one: the test stops it)."""
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def stack_redis(tmp_path):
    """Where the stack keeps its cache and broker: with REDIS_URL set (the PostgreSQL + Redis
    run), a redis-server of the test's own, so the production shape is what is faulted; else
    None, the embedded default (database cache, file-system broker)."""
    if not settings.REDIS_URL:
        yield None
        return
    if not REDIS_SERVER:
        pytest.skip("REDIS_URL is set but redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def db_lock():
    lock = DatabaseLock()
    yield lock
    lock.release()
