"""Redis (cache and broker) killed and started again, empty, under API load through a real
gunicorn: no request answers 500, /health/ says 503 while Redis is down and 200 after, and the
engine's ticks run again by themselves."""

import time
from collections import Counter

import pytest

from core.testing import api_key, free_port, wait_for

from .harness import (
    assert_alive,
    beat_args,
    gunicorn_args,
    http,
    make_rule,
    stack_env,
    ticks_run,
    worker_args,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

REQUESTS_PER_PHASE = {"up": 20, "down": 60, "back": 20}


def test_redis_stopped_and_started_under_api_load(tmp_path, stack, redis_server, superuser):
    token = api_key(superuser)
    make_rule("fault_load", slack_enabled=False, email_enabled=False)
    env = stack_env(tmp_path, redis=redis_server, ALERT_CHECK_INTERVAL_SECONDS="2")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack.start("web", gunicorn_args(port), env)
    stack.start("worker", worker_args("w"), env)
    stack.start("beat", beat_args(tmp_path / "beat-schedule"), env)

    def alive():
        assert_alive(stack, "web", "worker", "beat")

    wait_for(lambda: alive() or http("GET", f"{base}/health/")[0] == 200, timeout=60, message="a healthy web server")
    wait_for(lambda: alive() or ticks_run(stack, "worker") >= 1, timeout=60, message="a first tick")

    statuses: dict[str, Counter] = {phase: Counter() for phase in REQUESTS_PER_PHASE}
    bodies_500 = []

    def load(phase: str):
        for i in range(REQUESTS_PER_PHASE[phase]):
            for kind, (method, path, body) in {
                "GET rules": ("GET", "/api/alerts/rules/", None),
                "POST ingest": ("POST", "/api/monitoring/metrics/", {"name": "fault_load", "value": i}),
            }.items():
                status, text = http(method, base + path, token=token, body=body)
                statuses[phase][(kind, status)] += 1
                if status >= 500 and status != 503 or status == 0:
                    bodies_500.append((phase, kind, status, text[:300]))

    load("up")
    redis_server.kill()
    load("down")
    def unhealthy():
        answer = http("GET", f"{base}/health/")
        return answer if answer[0] == 503 else None

    health_down = wait_for(unhealthy, timeout=15, message="/health/ answering 503 while Redis is down")
    redis_server.start()
    restarted_at = time.monotonic()
    wait_for(lambda: alive() or http("GET", f"{base}/health/")[0] == 200, timeout=60,
             message="/health/ answering 200 after Redis is back")
    health_back_after = time.monotonic() - restarted_at
    ticks = ticks_run(stack, "worker")
    wait_for(lambda: alive() or ticks_run(stack, "worker") > ticks, timeout=60,
             message="a tick after Redis came back")
    load("back")

    for phase, counter in statuses.items():
        print(f"Redis {phase}: " + ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(counter.items())))
    print(f"/health/ while down: {health_down[0]} {health_down[1][:200]}; "
          f"200 again {health_back_after:.1f} s after Redis restarted")
    assert bodies_500 == []
    assert set(statuses["up"]) == {("GET rules", 200), ("POST ingest", 201)}
    assert set(statuses["back"]) == {("GET rules", 200), ("POST ingest", 201)}
    assert {status for kind, status in statuses["down"] if kind == "GET rules"} == {200}
    assert {status for kind, status in statuses["down"] if kind == "POST ingest"} <= {201, 503}
