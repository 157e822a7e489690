import threading

import pytest

from core.testing import BACKEND_DIR, PYTHON, child_env
from monitoring import telemetry
from monitoring.models import ActiveUserMinute, RequestRollup
from monitoring.tests.helpers import flush_to_database

pytestmark = [pytest.mark.django_db, pytest.mark.urls("monitoring.tests.urls")]


def rollups() -> dict:
    flush_to_database()
    return {(r.route, r.method): r for r in RequestRollup.objects.exclude(route=RequestRollup.ALL)}


def test_a_request_is_recorded_under_its_route_template(auth_client):
    for pk in (1, 2, 3):
        assert auth_client.get(f"/api/test/items/{pk}/").status_code == 200

    recorded = rollups()

    assert list(recorded) == [("/api/test/items/<int:pk>/", "GET")]
    row = recorded[("/api/test/items/<int:pk>/", "GET")]
    assert row.count == 3
    assert row.status_4xx == row.status_5xx == 0
    assert row.duration_total_ms > 0
    assert 0 < row.duration_max_ms <= row.duration_total_ms
    assert sum(getattr(row, f) for f in telemetry.REQUEST_FIELDS if f.startswith("latency_")) == 3
    # Two counts per view, plus what token authentication queried.
    assert row.db_queries >= 6


def test_status_classes_are_counted(client):
    for status in (200, 404, 400, 500, 503):
        client.get(f"/api/test/answer/{status}/")
    client.post("/api/test/answer/201/")

    recorded = rollups()
    row = recorded[("/api/test/answer/<int:status>/", "GET")]
    assert (row.count, row.status_4xx, row.status_5xx) == (5, 2, 2)
    # Each minute also has the total of all routes, which is what metrics read.
    total = RequestRollup.objects.get(route=RequestRollup.ALL, method=RequestRollup.ALL)
    assert (total.count, total.status_4xx, total.status_5xx) == (6, 2, 2)
    assert total.duration_max_ms == max(r.duration_max_ms for r in recorded.values())


def test_unknown_paths_share_one_route(client):
    client.get("/api/no/such/thing/1/")
    client.get("/api/no/such/thing/2/")

    assert rollups()[("<unmatched>", "GET")].count == 2


def test_only_the_api_and_not_the_dashboards_polling_is_recorded(auth_client, client):
    client.get("/health/")
    client.get("/admin/login/")
    auth_client.get("/api/monitoring/overview/")
    auth_client.get("/api/monitoring/metrics/cpu_usage/series/")
    auth_client.get("/api/monitoring/endpoints/")
    auth_client.get("/api/alerts/open-alerts/")
    auth_client.get("/api/alerts/metric-health/")
    auth_client.get("/api/auth/me/")

    assert list(rollups()) == [("/api/auth/me/", "GET")]


def test_nothing_of_the_request_but_route_and_method_is_kept(auth_client):
    auth_client.cookies["sessionid"] = "cookie-secret"
    auth_client.post(
        "/api/test/items/7/?token=query-secret", {"password": "body-secret"}, format="json",
        HTTP_X_API_KEY="header-secret",
    )
    auth_client.get("/api/test/items/7/?token=query-secret")

    flush_to_database()
    stored = " ".join(str(v) for row in RequestRollup.objects.values() for v in row.values())
    for secret in ("cookie-secret", "query-secret", "body-secret", "header-secret", "Bearer"):
        assert secret not in stored


@pytest.mark.parametrize("threshold_ms, all_slow", [(0, True), (60_000, False)])
def test_slow_queries_are_those_over_the_threshold(auth_client, settings, threshold_ms, all_slow):
    settings.SLOW_QUERY_MS = threshold_ms
    auth_client.get("/api/test/items/1/")

    row = rollups()[("/api/test/items/<int:pk>/", "GET")]
    assert row.db_queries > 0
    assert row.slow_queries == (row.db_queries if all_slow else 0)


def test_signed_in_users_are_recorded_once_per_minute(auth_client, token, client):
    for _ in range(3):
        auth_client.get("/api/auth/me/")
    client.get("/api/auth/me/")  # anonymous

    flush_to_database()
    assert list(ActiveUserMinute.objects.values_list("user_id", flat=True)) == [token.user_id]


def test_threads_lose_no_counts():
    when = telemetry.datetime.now(telemetry.UTC)

    def hammer():
        for _ in range(500):
            telemetry.buffer.record_request(when=when, route="/api/t/", method="GET", status=200, duration_ms=1.0)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert rollups()[("/api/t/", "GET")].count == 4000


PROCESS_SCRIPT = """
import django, sys
django.setup()
from datetime import UTC, datetime
from monitoring import telemetry
when = datetime.fromisoformat(sys.argv[1])
for _ in range(500):
    telemetry.buffer.record_request(when=when, route="/api/p/", method="GET", status=500, duration_ms=2.0)
assert telemetry.flush(everything=True)
"""


@pytest.mark.django_db(transaction=True)
def test_processes_flushing_the_same_minute_add_up(tmp_path):
    """Four processes flush the same (minute, route, method) at once: the additive upsert (or, with
    Redis, the increments) must keep every count."""
    import subprocess

    when = telemetry.minute_of(telemetry.datetime.now(telemetry.UTC))
    env = child_env(tmp_path, TELEMETRY_FLUSH_INTERVAL_SECONDS="0")
    processes = [
        subprocess.Popen([PYTHON, "-c", PROCESS_SCRIPT, when.isoformat()], cwd=BACKEND_DIR, env=env)
        for _ in range(4)
    ]
    for p in processes:
        assert p.wait(timeout=60) == 0
    flush_to_database()

    row = RequestRollup.objects.get(route="/api/p/")
    assert RequestRollup.objects.get(route=RequestRollup.ALL).count == 2000
    assert (row.count, row.status_5xx) == (2000, 2000)
    assert row.duration_total_ms == pytest.approx(4000.0)


def test_a_failing_store_never_fails_the_request_and_loses_nothing(auth_client, settings):
    real_redis = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # Redis "stopped": nothing listens there

    assert auth_client.get("/api/auth/me/").status_code == 200
    # Everything, the minute in progress too (which a periodic flush keeps in the process).
    assert telemetry.flush(everything=True) is False  # kept for the next attempt
    assert RequestRollup.objects.count() == 0

    settings.REDIS_URL = real_redis  # back
    assert rollups()[("/api/auth/me/", "GET")].count == 1


def test_a_failure_inside_recording_fails_open(auth_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("buffer exploded")

    monkeypatch.setattr(telemetry.buffer, "record_request", broken)

    assert auth_client.get("/api/auth/me/").status_code == 200


def test_requests_from_a_threaded_client_and_the_live_server(live_server, token):
    """Real HTTP: concurrent requests through the full stack of the live test server."""
    import urllib.request

    def fetch():
        request = urllib.request.Request(
            f"{live_server.url}/api/auth/me/", headers={"Authorization": f"Bearer {token.key}"}
        )
        for _ in range(10):
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200

    threads = [threading.Thread(target=fetch) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert rollups()[("/api/auth/me/", "GET")].count == 50
