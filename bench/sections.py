"""The benchmark sections of `make bench`; each takes a work folder and a `report(name, value)`."""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _load_with_wrk(url: str, token: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"the endpoint answered errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


_PY_LOADER = """
import http.client, sys, time
port, token, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
deadline, done = time.monotonic() + seconds, 0
while time.monotonic() < deadline:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/auth/me/", headers={"Authorization": "Bearer " + token})
    response = conn.getresponse(); response.read(); conn.close()
    assert response.status == 200, response.status
    done += 1
print(done)
"""


def _load_with_python(port: int, token: str, seconds: int) -> float:
    loaders = [
        subprocess.Popen([sys.executable, "-c", _PY_LOADER, str(port), token, str(seconds)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    return sum(int(p.communicate()[0]) for p in loaders) / seconds


def middleware(workdir: Path, report) -> None:
    """Throughput of one minimal authenticated DRF endpoint under gunicorn, with the request
    metrics middleware and without it, loaded alternately from another process."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_user("bench-middleware")
    token = Token.objects.create(user=user).key
    servers = {}
    for enabled in (True, False):
        port = _free_port()
        env = dict(os.environ, REQUEST_METRICS_ENABLED=str(enabled).lower(), TELEMETRY_FLUSH_INTERVAL_SECONDS="5")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "resee.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--no-control-socket", "--log-level", "warning"],
            cwd=BACKEND, env=env, start_new_session=True,
        )
        servers[enabled] = (port, process)
    use_wrk = shutil.which("wrk") is not None
    report("load_generator", "wrk" if use_wrk else "python")
    try:
        for port, _ in servers.values():
            _wait_until_up(f"http://127.0.0.1:{port}/health/")

        def load(enabled: bool, seconds: int) -> float:
            port = servers[enabled][0]
            if use_wrk:
                return _load_with_wrk(f"http://127.0.0.1:{port}/api/auth/me/", token, seconds)
            return _load_with_python(port, token, seconds)

        for enabled in (True, False):
            load(enabled, 2)  # warm up
        # Short runs in an ABBA pattern: drift in the machine's speed hits both variants alike.
        results = {True: [], False: []}
        for enabled in [True, False, False, True] * 6:
            results[enabled].append(load(enabled, 2))
    finally:
        for _, process in servers.values():
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    with_mw, without_mw = statistics.median(results[True]), statistics.median(results[False])
    report("requests_per_second_with_middleware", with_mw, f"runs: {', '.join(f'{r:.0f}' for r in results[True])}")
    report("requests_per_second_without_middleware", without_mw,
           f"runs: {', '.join(f'{r:.0f}' for r in results[False])}")
    report("middleware_throughput_ratio", with_mw / without_mw, "target >= 0.95")


def _record_requests(total: int, end: datetime, routes: int = 50) -> None:
    """`total` requests spread over the hour before `end`, across `routes` routes and two methods,
    recorded through the middleware's buffer and flushed as the web processes do."""
    from monitoring import sinks, telemetry

    start = end - timedelta(minutes=60)
    step = timedelta(minutes=60) / total
    for i in range(total):
        telemetry.buffer.record_request(
            when=start + step * i,
            route=f"/api/bench/{i % routes}/",
            method="GET" if i % 3 else "POST",
            status=500 if i % 50 == 0 else 200,
            duration_ms=float(5 + i % 200),
            db_queries=2,
            db_time_ms=0.8,
        )
    batch = telemetry.buffer.take(everything=True)
    sinks.write_requests(batch.requests, batch.users)


def metric_reads(workdir: Path, report) -> None:
    """api_error_rate over 60 minutes with 1,000,000 requests recorded, against 1,000."""
    from alerts.services.metric_collector import MetricCollector
    from monitoring.models import RequestRollup

    busy_end = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    quiet_end = busy_end - timedelta(days=1)
    started = time.monotonic()
    _record_requests(1_000_000, busy_end)
    _record_requests(1_000, quiet_end)
    report("record_1000000_requests_seconds", time.monotonic() - started, "buffer + flush")
    report("request_rollup_rows", RequestRollup.objects.count())

    timings = {busy_end: [], quiet_end: []}
    values = {}
    for _ in range(30):
        for end in (busy_end, quiet_end):
            begun = time.perf_counter()
            values[end] = MetricCollector(now=end + timedelta(seconds=30)).get_metric_value("api_error_rate", 60)
            timings[end].append(time.perf_counter() - begun)
    busy, quiet = statistics.median(timings[busy_end]), statistics.median(timings[quiet_end])
    report("api_error_rate_1000000_requests", values[busy_end])
    report("api_error_rate_1000_requests", values[quiet_end])
    report("read_ms_1000000_requests", busy * 1000)
    report("read_ms_1000_requests", quiet * 1000)
    report("read_ratio_1000000_vs_1000", busy / quiet, "target < 1.5")


SECTIONS = {
    "middleware": middleware,
    "metric_reads": metric_reads,
}
