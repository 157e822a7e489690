"""POST /api/alerts/rules/<id>/evaluate/: a dry run that changes nothing."""

from datetime import UTC, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts.models import AlertHistory, NotificationDelivery
from alerts.services.alert_engine import EVALUATIONS_CACHE_KEY
from monitoring.models import MetricSample
from monitoring.tests.helpers import store_rollup

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_evaluations():
    cache.delete(EVALUATIONS_CACHE_KEY)
    yield
    cache.delete(EVALUATIONS_CACHE_KEY)


def evaluate(client, rule):
    response = client.post(f"/api/alerts/rules/{rule.pk}/evaluate/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_breaching_rule_would_fire_and_nothing_changes(auth_client):
    rule = make_rule(email_enabled=True, email_recipients=["ops@resee.com"])
    now = timezone.now()
    for minutes_ago, value in ((4, 85.0), (2, 95.0), (30, 10.0)):
        MetricSample.objects.create(name="cpu_usage", value=value, timestamp=now - timedelta(minutes=minutes_ago))

    data = evaluate(auth_client, rule)

    assert data["value"] == 90.0
    assert (data["aggregation"], data["window_minutes"], data["source"]) == ("avg", 5, "samples")
    assert data["condition_met"] is True and data["no_data"] is False
    assert (data["current_state"], data["state"], data["action"]) == ("ok", "firing", "fire")
    assert data["reason"] == "threshold crossed"
    assert [p["v"] for p in data["points"]] == [85.0, 95.0]
    assert data["open_alert_id"] is None
    # A dry run: no alert, no notification, no state, nothing remembered.
    rule.refresh_from_db()
    assert (rule.state, rule.last_value, rule.last_evaluated_at) == ("ok", None, None)
    assert not AlertHistory.objects.exists()
    assert not NotificationDelivery.objects.exists()
    assert cache.get(EVALUATIONS_CACHE_KEY) is None


def test_an_open_alert_back_to_normal_would_resolve(auth_client):
    rule = make_rule(state="firing")
    alert = make_alert(rule)
    MetricSample.objects.create(name="cpu_usage", value=20.0)

    data = evaluate(auth_client, rule)

    assert (data["condition_met"], data["action"], data["open_alert_id"]) == (False, "resolve", alert.pk)
    alert.refresh_from_db()
    assert alert.status == "active"


def test_no_data(auth_client):
    data = evaluate(auth_client, make_rule(metric_name="memory_usage"))

    assert (data["value"], data["no_data"], data["condition_met"]) == (None, True, None)
    assert (data["state"], data["action"], data["reason"]) == ("no_data", "none", "no data")


def test_request_metrics_show_their_per_minute_rollups(auth_client):
    minute = timezone.now().astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    store_rollup(minute, "/api/x/", "GET", count=10, status_5xx=1)
    rule = make_rule(metric_name="api_error_rate", condition="gte", threshold_value=5, time_window_minutes=10)

    data = evaluate(auth_client, rule)

    assert data["source"] == "requests"
    assert data["value"] == 10.0
    assert len(data["points"]) == 10
    assert {"t": minute.isoformat().replace("+00:00", "Z"), "v": 10.0} in data["points"]


def test_viewers_may_evaluate(viewer_client):
    assert viewer_client.post(f"/api/alerts/rules/{make_rule().pk}/evaluate/").status_code == 200


def test_unknown_rule(auth_client):
    assert auth_client.post("/api/alerts/rules/999/evaluate/").status_code == 404


@pytest.mark.parametrize(("metric", "data"), [
    ("cpu_usage", "samples"), ("subscriptions", "pushed"), ("api_error_rate", "requests"),
    ("error_count", "errors"), ("ai_cost", "ai"), ("ai_cost_daily", "ai"), ("active_users", "users"),
    ("signups", "users"),
])
def test_the_dry_run_names_the_kind_of_data_the_points_come_from(auth_client, metric, data):
    """The sources that read the AI usage since midnight, the users seen and the sign-ups are the
    engine's own business: the answer names the data as its help text lists it."""
    assert evaluate(auth_client, make_rule(metric_name=metric))["source"] == data
