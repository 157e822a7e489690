"""GET /api/alerts/metric-health/: each watched metric's health from its active rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts import selectors

from .factories import make_rule

pytestmark = pytest.mark.django_db

URL = "/api/alerts/metric-health/"


def health(client) -> dict[str, dict]:
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return {entry["metric_name"]: entry for entry in response.json()["metrics"]}


def test_no_rules_no_metrics(auth_client):
    assert auth_client.get(URL).json() == {"metrics": []}


def test_counts_and_the_worst_firing_severity(auth_client):
    make_rule(name="cpu high", severity="high", state="firing")
    make_rule(name="cpu low", severity="low", state="firing")
    make_rule(name="cpu ok", severity="critical", state="ok")
    make_rule(name="cpu no data", severity="medium", state="no_data")
    make_rule(name="cpu off", severity="critical", state="firing", is_active=False)

    cpu = health(auth_client)["cpu_usage"]

    assert cpu == {"metric_name": "cpu_usage", "active_rules": 4, "ok": 1, "firing": 2, "suppressed": 0,
                   "no_data": 1, "error": 0, "worst_firing_severity": "high", "health": "critical"}


def test_suppressed_rules_are_counted_and_judged_like_firing_ones(auth_client):
    # Breaching with the alert held back by a limit: never "N rules, none firing", never ok.
    make_rule(name="held back", severity="critical", state="suppressed")
    make_rule(name="fine", severity="low", state="ok")

    cpu = health(auth_client)["cpu_usage"]

    assert (cpu["suppressed"], cpu["firing"], cpu["worst_firing_severity"], cpu["health"]) == (1, 0, None, "critical")


@pytest.mark.parametrize(
    "rules, expected",
    [
        ([("critical", "firing")], "critical"),
        ([("high", "firing"), ("low", "ok")], "critical"),
        ([("medium", "firing")], "warning"),
        ([("low", "firing"), ("critical", "ok")], "warning"),
        ([("critical", "no_data")], "warning"),
        ([("critical", "error"), ("low", "ok")], "warning"),
        ([("critical", "ok"), ("low", "ok")], "ok"),
        ([("high", "suppressed")], "critical"),
        ([("low", "suppressed"), ("critical", "ok")], "warning"),
    ],
)
def test_what_makes_a_metric_critical_warning_or_ok(auth_client, rules, expected):
    for index, (severity, state) in enumerate(rules):
        make_rule(name=f"rule {index}", metric_name="disk_usage", severity=severity, state=state)

    assert health(auth_client)["disk_usage"]["health"] == expected


def test_metrics_without_an_active_rule_are_left_out(auth_client):
    make_rule(metric_name="memory_usage", state="firing", is_active=False)
    make_rule(metric_name="disk_usage")

    assert list(health(auth_client)) == ["disk_usage"]


def test_one_query_however_many_rules():
    for index in range(30):
        make_rule(name=f"rule {index}", metric_name=["cpu_usage", "disk_usage", "memory_usage"][index % 3],
                  severity=["low", "medium", "high", "critical"][index % 4],
                  state=["ok", "firing", "no_data", "error"][index % 4])

    with CaptureQueriesContext(connection) as captured:
        entries = selectors.metric_health()

    assert len(captured) == 1
    assert sum(entry["active_rules"] for entry in entries) == 30


def test_the_endpoint_costs_the_same_for_1_rule_and_for_50(auth_client):
    make_rule(name="first")
    auth_client.get(URL)  # warm: permissions, content types
    with CaptureQueriesContext(connection) as one:
        auth_client.get(URL)
    for index in range(49):
        make_rule(name=f"rule {index}", metric_name="disk_usage", state="firing")
    with CaptureQueriesContext(connection) as fifty:
        data = auth_client.get(URL).json()

    assert len(one) == len(fifty)
    assert sum(entry["active_rules"] for entry in data["metrics"]) == 50


def test_viewers_read_it_and_others_do_not(viewer_client, pusher):
    from core.testing import client_for

    assert viewer_client.get(URL).status_code == 200
    assert client_for(pusher).get(URL).status_code == 403
