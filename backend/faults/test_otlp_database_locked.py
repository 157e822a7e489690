"""The embedded default's SQLite file locked by another writer while a service's OpenTelemetry
exporter sends: gunicorn answers 503 with Retry-After (which exporters retry), never a 500, and
the export sent again after the lock is gone counts its requests once."""

import urllib.error
import urllib.request

import pytest

from core.testing import free_port, wait_for
from monitoring.models import PushToken, RequestRollup
from monitoring.services import create_push_token
from monitoring.tests.otlp_helpers import Meters

from .harness import assert_alive, gunicorn_args, http, on_sqlite, stack_env

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def export(url: str, token: str, body: bytes, timeout: float = 60) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/x-protobuf")
    request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_an_export_while_sqlite_is_locked_is_503_and_counts_once_when_sent_again(tmp_path, stack, db_lock):
    if not on_sqlite():
        pytest.skip("the embedded default's SQLite only: PostgreSQL locks rows, not the database")
    token = create_push_token("fault")[1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack.start("web", gunicorn_args(port), stack_env(tmp_path))
    wait_for(lambda: assert_alive(stack, "web") or http("GET", f"{base}/health/")[0] == 200, timeout=60,
             message="a healthy web server")

    meters = Meters("locked")
    try:
        duration = meters.meter.create_histogram("http.server.request.duration", unit="s")
        for _ in range(7):
            duration.record(0.02, {"http.route": "/pay", "http.request.method": "POST",
                                   "http.response.status_code": 200})
        body = meters.body()
    finally:
        meters.close()
    # The token was never used: noting its first use cannot be written either, and is no reason to fail.
    db_lock.acquire()
    try:
        status, headers = export(f"{base}/otlp/v1/metrics", token, body)
    finally:
        db_lock.release()
    assert status == 503, status
    assert int(headers["Retry-After"]) >= 1
    assert "Internal Server Error" not in stack.log("web")
    assert not RequestRollup.objects.exists()

    # The exporter sends it again: stored, once; and the token's use is noted.
    assert export(f"{base}/otlp/v1/metrics", token, body)[0] == 200
    assert export(f"{base}/otlp/v1/metrics", token, body)[0] == 200
    rows = RequestRollup.objects.filter(service="locked", route="/pay")
    assert sum(rows.values_list("count", flat=True)) == 7
    assert PushToken.objects.get().last_used_at is not None
