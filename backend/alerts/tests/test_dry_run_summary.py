"""The dry run shows the rule's summary as an alert opened now would get it: the rule's own, and one
per group of a grouped rule (the rule form's live preview)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts.models import AlertHistory
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from monitoring.models import MetricSample
from monitoring.sources.base import settled_minute
from monitoring.tests.helpers import store_rollup

from .factories import make_rule

pytestmark = pytest.mark.django_db

URL = "/api/alerts/rules/evaluate/"
ROUTE_RULE = {"name": "Error rate per route", "metric_name": "api_error_rate", "condition": "gt",
              "threshold_value": 5, "time_window_minutes": 5, "severity": "high", "group_by": ["route"],
              "labels": {"team": "shop"}}
SUMMARY = ("{{ labels.team }}: {{ labels.route }} fails {{ value | round(1) }} % "
           "(over {{ threshold }} %, {{ window }} min)")


@pytest.fixture(autouse=True)
def _clean_engine_cache(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    cache.delete_many([alert_engine.EVALUATIONS_CACHE_KEY, alert_engine.GROUP_EVALUATIONS_CACHE_KEY])


def steady_traffic(routes: dict[str, tuple[int, int]]) -> None:
    """The same requests (route -> (count, answered 5xx)) in each of the last minutes: the error rate over
    a 5-minute window is the same whichever minute the dry run and the tick read it in."""
    now = timezone.now()
    for minutes_ago in range(8):
        minute = settled_minute(now) - timedelta(minutes=minutes_ago)
        for route, (count, errors) in routes.items():
            store_rollup(minute, route=route, method="GET", count=count, status_5xx=errors)


def test_each_group_shows_its_summary_with_its_labels_and_value(auth_client):
    steady_traffic({"/api/orders/": (100, 20), "/api/cart/": (200, 14), "/api/users/": (100, 1)})

    response = auth_client.post(URL, {**ROUTE_RULE, "summary": SUMMARY}, format="json")

    assert response.status_code == 200, response.json()
    groups = {g["labels"]["route"]: g["summary"] for g in response.json()["groups"]}
    assert groups == {
        "/api/orders/": "shop: /api/orders/ fails 20.0 % (over 5.0 %, 5 min)",
        "/api/cart/": "shop: /api/cart/ fails 7.0 % (over 5.0 %, 5 min)",
        "/api/users/": "shop: /api/users/ fails 1.0 % (over 5.0 %, 5 min)",
    }
    assert not AlertHistory.objects.exists()


def test_the_preview_is_what_the_alerts_opened_now_get(auth_client):
    steady_traffic({"/api/orders/": (100, 20), "/api/cart/": (200, 14), "/api/users/": (100, 1)})
    rule = make_rule(**{**ROUTE_RULE, "summary": SUMMARY})

    report = auth_client.post(f"/api/alerts/rules/{rule.pk}/evaluate/").json()
    AlertEngine().run()

    opened = {a.group_labels["route"]: a.summary for a in AlertHistory.objects.filter(rule=rule)}
    previewed = {g["labels"]["route"]: g["summary"] for g in report["groups"] if g["action"] == "fire"}
    assert sorted(opened) == ["/api/cart/", "/api/orders/"]
    assert previewed == opened


def test_a_rule_without_groups_and_a_rule_without_a_summary(auth_client):
    now = timezone.now()
    steady_traffic({"/api/orders/": (100, 20), "/api/users/": (100, 1)})
    for seconds_ago, value in ((120, 85.0), (60, 95.0)):
        MetricSample.objects.create(name="cpu_usage", value=value, timestamp=now - timedelta(seconds=seconds_ago))
    cpu = {"name": "High CPU", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 80,
           "time_window_minutes": 5, "severity": "high"}

    with_summary = auth_client.post(
        URL, {**cpu, "summary": "{{ rule }}: {{ metric }} {{ aggregation }} {{ condition }} {{ threshold }} is "
              "{{ value }}"}, format="json").json()
    without = auth_client.post(URL, cpu, format="json").json()
    grouped_without = auth_client.post(URL, ROUTE_RULE, format="json").json()

    assert with_summary["summary"] == "High CPU: cpu_usage avg > 80.0 is 90.0"
    assert with_summary["groups"] == []
    assert without["summary"] == ""
    assert [(g["labels"]["route"], g["summary"]) for g in grouped_without["groups"]] == [
        ("/api/orders/", ""), ("/api/users/", "")
    ]


def test_a_template_that_fails_on_the_values_of_now_shows_the_note_an_alert_would_get(auth_client):
    # Valid (it renders on the example values), but there is no value now to round.
    response = auth_client.post(URL, {"name": "Memory", "metric_name": "memory_usage", "condition": "gt",
                                      "threshold_value": 80, "time_window_minutes": 5, "severity": "high",
                                      "summary": "Memory at {{ value | round(1) }} %"}, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["no_data"] is True
    assert data["summary"] == "(the summary template could not be rendered: TypeError)"


def test_a_template_that_cannot_be_used_is_a_400_before_any_preview(auth_client):
    response = auth_client.post(URL, {**ROUTE_RULE, "summary": "{{ value "}, format="json")

    assert response.status_code == 400
    assert "Not a valid summary template" in str(response.json()["summary"])
