"""The database, Redis and Celery probes against the real services this test run uses."""

import uuid

import pytest
from celery import Celery
from django.db import connection

from monitoring import collectors

pytestmark = pytest.mark.django_db


def test_database_connections_are_counted_on_postgresql_only():
    value = collectors.db_connection_count()

    if connection.vendor == "postgresql":
        assert value is not None and value >= 1  # this test's own connection at least
    else:
        assert value is None


def test_redis_probes_report_no_data_without_redis(settings):
    settings.REDIS_URL = ""
    probe = collectors.RedisProbe()

    assert (probe.memory_mb(), probe.connected_clients(), probe.hit_rate()) == (None, None, None)


def test_redis_probes_measure_redis(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    from monitoring.sinks import redis_client

    client = redis_client()
    collectors.RedisProbe().hit_rate()  # the baseline
    key = f"probe-test:{uuid.uuid4()}"
    client.set(key, "x")
    for _ in range(3):
        client.get(key)
    client.get(f"{key}:missing")
    client.delete(key)

    probe = collectors.RedisProbe()
    memory_mb, clients, hit_rate = probe.memory_mb(), probe.connected_clients(), probe.hit_rate()
    assert memory_mb is not None and memory_mb > 0
    assert clients is not None and clients >= 1
    # At least our 3 hits and 1 miss happened in the interval; other clients may add more.
    assert hit_rate is not None and 0 < hit_rate < 100


def _app_on(tmp_path, broker_url):
    app = Celery("probe-test", broker=broker_url, set_as_current=False)
    if broker_url.startswith("filesystem"):
        folder = tmp_path / "queue"
        folder.mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(tmp_path),
        }
    app.conf.task_default_queue = f"probe-{uuid.uuid4().hex}"
    return app


@pytest.fixture(params=["filesystem", "redis"])
def broker_app(request, tmp_path, settings):
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set")
        return _app_on(tmp_path, settings.REDIS_URL)
    return _app_on(tmp_path, "filesystem://localhost/")


def test_queue_length_counts_waiting_messages(broker_app):
    assert collectors.celery_queue_length(broker_app) == 0.0

    for _ in range(3):
        broker_app.send_task("nobody.listens", queue=broker_app.conf.task_default_queue)

    assert collectors.celery_queue_length(broker_app) == 3.0
    with broker_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(broker_app.conf.task_default_queue)


def test_no_worker_answers_a_ping_on_an_empty_broker(broker_app):
    assert collectors.celery_workers(broker_app) == 0.0
