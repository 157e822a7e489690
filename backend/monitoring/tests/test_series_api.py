"""The chart endpoint's label filters and split, and the metric's label names and values."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from monitoring.batch import minute_of
from monitoring.models import MetricSample, MetricSeries
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def push(value, labels=None, minutes_ago=1.0):
    sample = MetricSample(name="queue_depth", value=value, timestamp=timezone.now() - timedelta(minutes=minutes_ago))
    MetricSeries.assign([sample], [labels])
    sample.save()


def values(points):
    return [p["v"] for p in points if p["v"] is not None]


def test_unsplit_series_keep_their_shape(auth_client):
    push(10, {"queue": "emails"})
    push(20)

    body = auth_client.get("/api/monitoring/metrics/queue_depth/series/?minutes=5").json()

    assert values(body["points"]) == [15]
    assert (body["split_by"], body["series"]) == (None, [])


def test_label_filters_and_a_split_into_the_top_series(auth_client):
    for value, queue in ((10, "emails"), (30, "sms"), (50, "push")):
        push(value, {"queue": queue, "region": "eu"})
    push(7)

    only_sms = auth_client.get("/api/monitoring/metrics/queue_depth/series/?minutes=5&label=queue:sms").json()
    both = auth_client.get("/api/monitoring/metrics/queue_depth/series/?minutes=5&label=region:eu&label=queue:sms")
    split = auth_client.get("/api/monitoring/metrics/queue_depth/series/?minutes=5&split_by=queue&top=3").json()

    assert values(only_sms["points"]) == [30]
    assert values(both.json()["points"]) == [30]
    assert split["split_by"] == "queue"
    assert values(split["points"]) == [pytest.approx(97 / 4)]
    assert [(s["labels"], values(s["points"])) for s in split["series"]] == [
        ({"queue": "push"}, [50]), ({"queue": "sms"}, [30]), ({"queue": "emails"}, [10]),
    ]
    filtered = auth_client.get("/api/monitoring/metrics/queue_depth/series/?minutes=5&split_by=queue&label=region:eu")
    assert len(filtered.json()["series"]) == 3 and values(filtered.json()["points"]) == [30]


def test_request_metrics_split_by_route(auth_client):
    minute = minute_of(timezone.now()) - timedelta(minutes=3)
    store_rollup(minute, route="/api/orders/", count=10, status_5xx=5)
    store_rollup(minute, route="/api/users/", count=30, status_5xx=1)

    body = auth_client.get("/api/monitoring/metrics/api_error_rate/series/?minutes=10&split_by=route&top=1").json()

    assert values(body["points"]) == [pytest.approx(15)]
    assert [(s["labels"], values(s["points"])) for s in body["series"]] == [({"route": "/api/orders/"}, [50])]
    users = auth_client.get("/api/monitoring/metrics/api_error_rate/series/?minutes=10&label=route:/api/users/")
    assert values(users.json()["points"]) == [pytest.approx(100 / 30)]


@pytest.mark.parametrize("query, field", [
    ("label=queue", "label"), ("label=Queue:x", "label"), ("label=queue:" + "x" * 129, "label"),
    ("split_by=Queue", "split_by"), ("split_by=queue&top=21", "top"), ("split_by=queue&top=0", "top"),
])
def test_bad_filters_are_a_400_naming_the_parameter(auth_client, query, field):
    response = auth_client.get(f"/api/monitoring/metrics/cpu_usage/series/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_labels_a_metric_really_has(auth_client, settings):
    settings.SERVICE_NAME = "checkout"
    push(1, {"queue": "sms", "region": "eu"})
    push(1, {"queue": "emails"})
    push(1, {"queue": "stale"}, minutes_ago=25 * 60)
    for i in range(101):
        push(1, {"shard": f"s{i:03}"})
    minute = minute_of(timezone.now()) - timedelta(minutes=3)
    store_rollup(minute, route="/api/orders/", method="POST", count=1)

    body = auth_client.get("/api/monitoring/metrics/queue_depth/labels/").json()
    requests = auth_client.get("/api/monitoring/metrics/api_error_rate/labels/").json()

    assert body["metric"] == "queue_depth"
    assert body["labels"]["queue"] == ["emails", "sms"]
    assert body["labels"]["region"] == ["eu"]
    assert len(body["labels"]["shard"]) == 100 and body["truncated"] == ["shard"]
    assert requests == {"metric": "api_error_rate", "truncated": [],
                        "labels": {"method": ["POST"], "route": ["/api/orders/"], "service": ["checkout"]}}
    assert auth_client.get("/api/monitoring/metrics/error_count/labels/").json()["labels"] == {}
    assert auth_client.get("/api/monitoring/metrics/nothing_here/labels/").status_code == 404


def test_labels_need_authentication(api_client):
    assert api_client.get("/api/monitoring/metrics/cpu_usage/labels/").status_code == 401
