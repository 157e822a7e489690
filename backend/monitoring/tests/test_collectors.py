import threading
import time

import psutil
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from monitoring import collectors
from monitoring.models import MetricSample
from monitoring.tasks import collect_system_metrics

pytestmark = pytest.mark.django_db


def SYSTEM_ONLY():
    return {
        "cpu_usage": collectors.cpu_usage_percent,
        "memory_usage": collectors.memory_usage_percent,
        "disk_usage": collectors.disk_usage_percent,
    }


@pytest.fixture(autouse=True)
def _no_cpu_baseline():
    cache.delete(collectors.CPU_BASELINE_KEY)
    yield
    cache.delete(collectors.CPU_BASELINE_KEY)


def _one_core_percent() -> float:
    cores = psutil.cpu_count()
    assert cores is not None
    return 100.0 / cores


def _burn_one_core(seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_task_records_every_measurable_metric_under_one_timestamp(settings):
    values = collect_system_metrics.apply().get()

    samples = {s.name: s for s in MetricSample.objects.all()}
    assert {"cpu_usage", "memory_usage", "disk_usage", "celery_queue_length", "celery_workers"} <= set(samples)
    assert len({s.timestamp for s in samples.values()}) == 1
    for name in ("cpu_usage", "memory_usage", "disk_usage"):
        assert 0.0 <= samples[name].value <= 100.0
    for name, sample in samples.items():
        assert sample.value == values[name]
    # Measured only where it can be: never a made-up value.
    assert ("db_connection_count" in samples) == (connection.vendor == "postgresql")
    assert ("redis_memory_usage" in samples) == bool(settings.REDIS_URL)


def test_memory_and_disk_match_what_the_system_reports(settings, tmp_path):
    settings.DISK_USAGE_PATH = str(tmp_path)

    values = collectors.collect_metrics(SYSTEM_ONLY())

    assert values["memory_usage"] == pytest.approx(psutil.virtual_memory().percent, abs=5)
    assert values["disk_usage"] == pytest.approx(psutil.disk_usage(str(tmp_path)).percent, abs=1)


def test_first_cpu_sample_measures_real_load():
    # A first psutil.cpu_percent() call returns a meaningless 0.0; ours must see one busy core.
    busy = threading.Thread(target=_burn_one_core, args=(1.5,))
    busy.start()
    try:
        time.sleep(0.1)
        value = collectors.cpu_usage_percent()
    finally:
        busy.join()

    one_core = _one_core_percent()
    assert value >= one_core * 0.6


def test_cpu_is_measured_over_the_interval_since_the_previous_collection():
    collectors.prime_cpu_baseline()
    _burn_one_core(1.0)

    started = time.monotonic()
    value = collectors.cpu_usage_percent()
    elapsed = time.monotonic() - started

    # The baseline was old enough: nothing to wait for, and the busy second is in the value.
    assert elapsed < 0.2
    assert value >= _one_core_percent() * 0.6
    # The next collection measures from here.
    assert cache.get(collectors.CPU_BASELINE_KEY)["at"] >= time.time() - 1


def test_priming_keeps_an_existing_baseline():
    collectors.prime_cpu_baseline()
    first = cache.get(collectors.CPU_BASELINE_KEY)

    collectors.prime_cpu_baseline()

    assert cache.get(collectors.CPU_BASELINE_KEY) == first


def test_a_failing_probe_does_not_stop_the_others(settings, tmp_path):
    settings.DISK_USAGE_PATH = str(tmp_path / "does-not-exist")

    values = collectors.collect_metrics(SYSTEM_ONLY())

    assert set(values) == {"cpu_usage", "memory_usage"}
    assert set(MetricSample.objects.values_list("name", flat=True)) == {"cpu_usage", "memory_usage"}


def test_cpu_is_still_measured_when_the_cache_is_down():
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }

    with override_settings(CACHES=unreachable):
        first = collectors.cpu_usage_percent()
        _burn_one_core(1.0)
        second = collectors.cpu_usage_percent()

    assert 0.0 <= first <= 100.0
    assert second >= _one_core_percent() * 0.6
