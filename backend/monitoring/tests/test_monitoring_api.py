from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from monitoring.catalogue import CATALOGUE
from monitoring.models import ErrorLog, MetricSample
from monitoring.selectors import metric_series, overview_cache_key
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_overview_cache():
    for minutes in (1, 5, 60):
        cache.delete(overview_cache_key(minutes))


@pytest.mark.parametrize(
    "url",
    ["/api/monitoring/overview/", "/api/monitoring/metrics/cpu_usage/series/", "/api/monitoring/endpoints/",
     "/api/monitoring/errors/"],
)
def test_reading_requires_authentication(api_client, url):
    assert api_client.get(url).status_code == 401


def test_overview_has_every_catalogue_metric_with_an_honest_no_data(auth_client):
    MetricSample.objects.create(name="cpu_usage", value=37.5)

    response = auth_client.get("/api/monitoring/overview/")

    assert response.status_code == 200
    body = response.json()
    assert body["window_minutes"] == 5
    metrics = {m["name"]: m for m in body["metrics"]}
    assert list(metrics) == list(CATALOGUE)
    cpu = metrics["cpu_usage"]
    assert (cpu["value"], cpu["no_data"], cpu["unit"]) == (37.5, False, "%")
    assert (metrics["memory_usage"]["value"], metrics["memory_usage"]["no_data"]) == (None, True)
    assert (metrics["error_count"]["value"], metrics["error_count"]["no_data"]) == (0.0, False)
    assert {"label", "category", "kind", "default_aggregation", "description"} <= set(metrics["cpu_usage"])


def test_overview_window_is_validated(auth_client):
    assert auth_client.get("/api/monitoring/overview/?minutes=0").status_code == 400
    response = auth_client.get("/api/monitoring/overview/?minutes=x")
    assert response.status_code == 400
    assert "minutes" in response.json()


def test_series_points_per_minute_for_an_hour(auth_client):
    now = timezone.now()
    MetricSample.objects.create(name="cpu_usage", value=10, timestamp=now - timedelta(minutes=2))
    MetricSample.objects.create(name="cpu_usage", value=30, timestamp=now - timedelta(minutes=2))
    MetricSample.objects.create(name="cpu_usage", value=50, timestamp=now)

    body = auth_client.get("/api/monitoring/metrics/cpu_usage/series/?minutes=60").json()

    assert body["bucket_seconds"] == 60
    assert len(body["points"]) == 60
    values = [p["v"] for p in body["points"]]
    assert values[-1] == 50.0
    assert values[-3] == 20.0
    assert values[:-3] == [None] * 57
    assert body["unit"] == "%"


@pytest.mark.parametrize("minutes, seconds", [(60, 60), (360, 300), (1440, 300), (10080, 3600)])
def test_series_of_long_ranges_have_at_most_a_few_hundred_points(auth_client, minutes, seconds):
    body = auth_client.get(f"/api/monitoring/metrics/api_request_count/series/?minutes={minutes}").json()

    assert body["bucket_seconds"] == seconds
    assert len(body["points"]) <= 300
    values = [p["v"] for p in body["points"]]
    # Requests are counted: none is a true zero, except where the minutes are not written yet.
    assert values[0] == 0.0
    assert values[-1] is None
    assert set(values) == {0.0, None}


def test_series_of_request_metrics_end_with_the_newest_settled_minute():
    now = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)  # 11:59 settles at 12:00:15
    store_rollup(datetime(2026, 11, 27, 11, 57, tzinfo=UTC), "/api/a/", "GET", count=3)

    counts = metric_series(CATALOGUE["api_request_count"], 5, now=now)["points"]
    users = metric_series(CATALOGUE["active_users"], 5, now=now)["points"]
    errors = metric_series(CATALOGUE["error_count"], 5, now=now)["points"]

    assert [p["t"][11:16] for p in counts] == ["11:56", "11:57", "11:58", "11:59", "12:00"]
    assert [p["v"] for p in counts] == [0.0, 3.0, 0.0, None, None]
    assert [p["v"] for p in users] == [0.0, 0.0, 0.0, None, None]
    # Errors are written as they happen: the current minute is known.
    assert [p["v"] for p in errors] == [0.0] * 5


def test_series_of_request_metrics(auth_client):
    minute = timezone.now().astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    store_rollup(minute, "/api/a/", "GET", count=8, status_5xx=2)
    store_rollup(minute, "/api/b/", "GET", count=2, status_5xx=0)

    body = auth_client.get("/api/monitoring/metrics/api_error_rate/series/?minutes=5").json()

    assert body["points"][-2] == {"t": minute.isoformat(), "v": 20.0}


def test_series_of_an_unknown_metric_is_a_404(auth_client):
    response = auth_client.get("/api/monitoring/metrics/nope/series/")

    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_series_range_is_validated(auth_client):
    assert auth_client.get("/api/monitoring/metrics/cpu_usage/series/?minutes=10081").status_code == 400


def test_endpoints_rank_routes(auth_client):
    minute = timezone.now().astimezone(UTC).replace(second=0, microsecond=0)
    store_rollup(minute, "/api/slow/", "GET", count=4, duration_total_ms=4000, duration_max_ms=2000,
                 latency_le_2500=4)
    store_rollup(minute, "/api/failing/", "POST", count=10, status_5xx=5, duration_total_ms=100,
                 duration_max_ms=20, latency_le_25=10)

    slowest = auth_client.get("/api/monitoring/endpoints/").json()
    failing = auth_client.get("/api/monitoring/endpoints/?ordering=-error_rate").json()

    assert [r["route"] for r in slowest["routes"]] == ["/api/slow/", "/api/failing/"]
    assert slowest["routes"][0]["avg_ms"] == 1000.0
    assert slowest["routes"][0]["max_ms"] == 2000.0
    assert [r["route"] for r in failing["routes"]] == ["/api/failing/", "/api/slow/"]
    assert failing["routes"][0]["error_rate"] == 50.0
    assert auth_client.get("/api/monitoring/endpoints/?ordering=name").status_code == 400


def make_error(**fields):
    now = timezone.now()
    defaults = {"fingerprint": str(ErrorLog.objects.count()), "level": "ERROR", "message": "m", "first_seen": now,
                "last_seen": now}
    return ErrorLog.objects.create(**(defaults | fields))


def test_error_log_search_filters_and_order(auth_client):
    make_error(message="payment failed", logger="payments", last_seen=timezone.now() - timedelta(days=2))
    make_error(message="disk full", level="CRITICAL", exception_type="OSError")
    make_error(message="timeout", path="/api/payments/charge/", resolved=True)

    def ids(query):
        response = auth_client.get(f"/api/monitoring/errors/?{query}")
        assert response.status_code == 200, response.json()
        return [e["message"] for e in response.json()["results"]]

    assert ids("q=payment") == ["timeout", "payment failed"]
    assert ids("q=oserror") == ["disk full"]
    assert ids("level=CRITICAL") == ["disk full"]
    assert ids("resolved=true") == ["timeout"]
    assert ids("resolved=false&ordering=last_seen") == ["payment failed", "disk full"]
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert "payment failed" not in ids(f"since={since}")
    assert ids(f"until={since}") == ["payment failed"]


def test_error_log_list_is_paginated_and_detail_has_the_traceback(auth_client, django_assert_max_num_queries):
    for i in range(60):
        make_error(message=f"e{i}", traceback=f"Traceback {i}")

    # The token's first request also notes its last use (at most once a minute): not counted.
    assert auth_client.get("/api/auth/me/").status_code == 200
    with django_assert_max_num_queries(6):
        page = auth_client.get("/api/monitoring/errors/").json()
    assert page["count"] == 60
    assert len(page["results"]) == 50
    assert "traceback" not in page["results"][0]

    first = page["results"][0]
    detail = auth_client.get(f"/api/monitoring/errors/{first['id']}/").json()
    assert detail["traceback"].startswith("Traceback")


def test_error_log_bulk_actions(auth_client):
    errors = [make_error(message=f"e{i}") for i in range(3)]
    ids = [e.pk for e in errors]

    resolved = auth_client.post("/api/monitoring/errors/bulk/", {"ids": ids[:2], "action": "resolve"}, format="json")
    again = auth_client.post("/api/monitoring/errors/bulk/", {"ids": ids[:2], "action": "resolve"}, format="json")
    reopened = auth_client.post("/api/monitoring/errors/bulk/", {"ids": ids[:1], "action": "unresolve"}, format="json")
    deleted = auth_client.post("/api/monitoring/errors/bulk/", {"ids": ids[1:], "action": "delete"}, format="json")

    assert (resolved.json(), again.json(), reopened.json(), deleted.json()) == (
        {"changed": 2}, {"changed": 0}, {"changed": 1}, {"changed": 2}
    )
    assert list(ErrorLog.objects.values_list("pk", "resolved")) == [(ids[0], False)]


@pytest.mark.parametrize(
    "body, field",
    [({"ids": [1], "action": "explode"}, "action"), ({"ids": [], "action": "resolve"}, "ids"),
     ({"ids": ["a"], "action": "resolve"}, "ids"), ({"action": "resolve"}, "ids")],
)
def test_error_log_bulk_validation(auth_client, body, field):
    response = auth_client.post("/api/monitoring/errors/bulk/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
