"""A real Celery worker and a real beat, as separate processes, on the embedded broker and on Redis."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from core.testing import PYTHON, child_env, wait_for
from monitoring import telemetry
from monitoring.models import MetricSample, RequestRollup

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SYSTEM_METRICS = {"cpu_usage", "memory_usage", "disk_usage"}

BROKERS = [
    pytest.param("filesystem://localhost/", id="embedded-broker"),
    pytest.param(
        settings.REDIS_URL,
        id="redis",
        marks=pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set"),
    ),
]


@pytest.mark.parametrize("broker_url", BROKERS)
def test_worker_and_beat_store_system_samples(tmp_path, process_group, broker_url):
    if settings.REDIS_URL:
        # Request metrics buffered in Redis by some web process, a minute ago: the collection
        # task moves them into the database.
        a_minute_ago = telemetry.minute_of(datetime.now(UTC)) - timedelta(minutes=1)
        telemetry.buffer.record_request(when=a_minute_ago, route="/api/seen-by-web/", method="GET", status=200,
                                        duration_ms=12.0)
        assert telemetry.flush()
    env = child_env(tmp_path, broker_url=broker_url, METRICS_COLLECTION_INTERVAL_SECONDS="2")
    worker = process_group.start(
        "worker",
        [PYTHON, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO", "--concurrency", "1",
         "--hostname", f"test-{os.getpid()}@%h"],
        env,
    )
    beat = process_group.start("beat", [PYTHON, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO"], env)

    def samples_of_every_metric():
        assert worker.poll() is None, process_group.log("worker")
        assert beat.poll() is None, process_group.log("beat")
        names = set(MetricSample.objects.values_list("name", flat=True))
        return names >= SYSTEM_METRICS and names

    wait_for(samples_of_every_metric, timeout=90, interval=0.5, message="cpu, memory and disk samples")

    for sample in MetricSample.objects.filter(name__in=SYSTEM_METRICS):
        assert 0.0 <= sample.value <= 100.0, sample
    # The worker answers its own collection task's ping.
    wait_for(lambda: MetricSample.objects.filter(name="celery_workers", value__gte=1).exists(), timeout=30,
             message="a celery_workers sample of at least 1")
    if settings.REDIS_URL:
        wait_for(lambda: RequestRollup.objects.filter(route="/api/seen-by-web/", count=1).exists(), timeout=30,
                 message="request metrics moved from Redis to the database")
    pids = [p.pid for p in process_group.descendants()]
    assert len(pids) >= 3  # beat, the worker and its pool process

    assert process_group.stop("beat") == 0
    assert process_group.stop("worker") == 0
    still_running = [pid for pid in pids if _alive(pid)]
    assert still_running == []
    assert "Task monitoring.tasks.collect_system_metrics" in process_group.log("worker")
    assert "Scheduler: Sending due task collect-system-metrics" in process_group.log("beat")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in every way that matters here.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"
