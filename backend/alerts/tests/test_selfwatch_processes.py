"""The dead-man's switch with real processes: beat schedules ticks every 2 s, a worker runs them and
pings a receiver on 127.0.0.1 after each; once beat is killed the pings stop (the worker still
runs), and the self-health API says the last tick is stale."""

import signal
import time

import pytest

from alerts.services import selfwatch
from core.testing import BACKEND_DIR, PYTHON, child_env, wait_for

from .test_selfwatch import PingReceiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

INTERVAL = 2
PING_PATH = "/ping/0f6c1d8e-3b5a-4c2e-9d7f-selfwatch"


@pytest.fixture
def receiver():
    server = PingReceiver()
    yield server
    server.stop()


def stale_or_not() -> list[str]:
    # The workers answer pings on their own embedded broker, not this process's: leave that out.
    return [problem["kind"] for problem in selfwatch.self_health()["problems"] if problem["kind"] != "no_worker"]


def test_pings_follow_the_ticks_and_stop_when_beat_stops(tmp_path, process_group, receiver, settings):
    settings.ALERT_CHECK_INTERVAL_SECONDS = INTERVAL
    env = child_env(tmp_path, ALERT_CHECK_INTERVAL_SECONDS=str(INTERVAL), ALERT_TICK_LOCK_SECONDS="1",
                    DEADMAN_PING_URL=receiver.url(PING_PATH))
    worker = process_group.start(
        "worker", [PYTHON, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO", "--concurrency", "1"], env)
    beat = process_group.start("beat", [PYTHON, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO",
                                        "--schedule", str(tmp_path / "beat-schedule")], env)

    def alive():
        assert worker.poll() is None, process_group.log("worker")

    wait_for(lambda: alive() or len(receiver.requests) >= 3, timeout=90, message="three dead-man pings")
    assert set(receiver.requests) == {("GET", PING_PATH)}
    # One ping per completed tick, never more.
    ticks = process_group.log("worker").count("check_alert_rules: {'evaluated'")
    assert len(receiver.requests) <= ticks + 1
    assert stale_or_not() == []

    beat.send_signal(signal.SIGKILL)
    beat.wait(timeout=10)
    # A tick beat queued before it died may still run: let it.
    time.sleep(2 * INTERVAL)
    after_beat = len(receiver.requests)
    time.sleep(4 * INTERVAL)
    alive()
    assert len(receiver.requests) == after_beat, "pings arrived with beat stopped"
    # The banner's problem: the last tick is more than two intervals old.
    assert stale_or_not() == ["tick_stale"]


def test_counters_are_exact_when_several_processes_count_at_once(tmp_path):
    """Four processes adding 50 each, at the same time, through the shared cache (the database's
    cache table, or Redis when the tests run with REDIS_URL): 200, none lost."""
    import subprocess

    from django.core.cache import cache

    from core import selfwatch as counters

    cache.delete(counters.PREFIX + counters.TICKS_KEY)
    env = child_env(tmp_path)
    code = ("import django\ndjango.setup()\nfrom core import selfwatch\n"
            "for _ in range(50):\n    selfwatch.increment({selfwatch.TICKS_KEY: 1})\n")
    children = [subprocess.Popen([PYTHON, "-c", code], cwd=BACKEND_DIR, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT) for _ in range(4)]
    for child in children:
        output, _ = child.communicate(timeout=120)
        assert child.returncode == 0, output.decode()
        assert b"could not be written" not in output, output.decode()
    assert counters.ticks_completed() == 200
