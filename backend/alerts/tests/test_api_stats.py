"""/api/alerts/stats/: numbers that agree with the history they summarise."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db

STATS = "/api/alerts/stats/"


@pytest.fixture
def history():
    now = timezone.now()
    cpu = make_rule(name="cpu", severity="high")
    disk = make_rule(name="disk", metric_name="disk_usage", severity="low")
    errors = make_rule(name="errors", metric_name="error_count", severity="critical")
    alerts = [
        make_alert(cpu, triggered_at=now - timedelta(hours=1)),
        make_alert(cpu, triggered_at=now - timedelta(days=1), status="resolved",
                   resolved_at=now - timedelta(days=1) + timedelta(minutes=30)),
        make_alert(cpu, triggered_at=now - timedelta(days=2), status="resolved",
                   resolved_at=now - timedelta(days=2) + timedelta(minutes=90)),
        make_alert(disk, triggered_at=now - timedelta(days=3), manual=True),
        make_alert(errors, triggered_at=now - timedelta(days=6, hours=23)),
        make_alert(errors, triggered_at=now - timedelta(days=10), status="resolved",
                   resolved_at=now - timedelta(days=10)),  # outside the default 7 days
    ]
    for status in ("sent", "sent", "sent", "failed", "skipped"):
        make_delivery(alert=alerts[0], channel="slack", target="#alerts", status=status)
    make_delivery(alert=alerts[0], status="sent")
    make_delivery(event="test", status="failed")  # tests do not count
    return alerts


def test_the_breakdowns_add_up_to_the_history(auth_client, history):
    data = auth_client.get(STATS).json()
    listed = auth_client.get("/api/alerts/history/", {"since": data["since"], "until": data["until"]}).json()

    assert data["days"] == 7
    assert data["total"] == listed["count"] == 5
    assert data["manual"] == 1
    assert data["by_severity"] == {"critical": 1, "high": 3, "medium": 0, "low": 1}
    assert data["by_status"] == {"active": 3, "resolved": 2}
    assert data["by_rule"][0] == {"rule_id": history[0].rule_id, "name": "cpu", "count": 3}
    assert {m["metric_name"]: m["count"] for m in data["by_metric"]} == {
        "cpu_usage": 3, "disk_usage": 1, "error_count": 1}
    for breakdown in ("by_severity", "by_status"):
        assert sum(data[breakdown].values()) == data["total"]
    for series in ("by_rule", "by_metric", "per_day", "per_hour"):
        assert sum(item["count"] for item in data[series]) == data["total"], series
    assert len(data["per_day"]) == 8  # a partial day at each end
    assert len(data["per_hour"]) in (7 * 24, 7 * 24 + 1)
    assert data["open_now"] == 3
    assert data["resolved_in_period"] == 2
    assert data["mean_time_to_resolve_seconds"] == 3600.0
    slack = next(c for c in data["notifications"] if c["channel"] == "slack")
    assert (slack["sent"], slack["failed"], slack["skipped"], slack["total"]) == (3, 1, 1, 5)
    assert slack["success_rate"] == 75.0
    email = next(c for c in data["notifications"] if c["channel"] == "email")
    assert (email["sent"], email["success_rate"]) == (1, 100.0)


def test_days_widen_the_window(auth_client, history):
    assert auth_client.get(STATS, {"days": 30}).json()["total"] == 6
    assert auth_client.get(STATS, {"days": 1}).json()["total"] == 1


def test_per_day_in_the_configured_time_zone(auth_client, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+12/+13: UTC dates would be a day off
    make_alert(triggered_at=timezone.now() - timedelta(minutes=5))

    data = auth_client.get(STATS, {"days": 1}).json()

    today = timezone.localtime(timezone.now()).date().isoformat()
    assert {d["date"]: d["count"] for d in data["per_day"]}[today] == 1


def test_nothing_yet(auth_client):
    data = auth_client.get(STATS).json()

    assert data["total"] == 0 and data["mean_time_to_resolve_seconds"] is None
    assert (data["acknowledged_in_period"], data["mean_time_to_acknowledge_seconds"],
            data["p90_time_to_acknowledge_seconds"]) == (0, None, None)
    assert all(c["success_rate"] is None for c in data["notifications"])


@pytest.mark.parametrize("days", ["0", "91", "-1", "x", "1e9", "7.5"])
def test_days_is_validated(auth_client, days):
    response = auth_client.get(STATS, {"days": days})

    assert response.status_code == 400
    assert "days" in response.json()


def test_stats_read_the_clock_once(auth_client):
    # until is now; since is exactly `days` before it.
    data = auth_client.get(STATS, {"days": 3}).json()
    since = datetime.fromisoformat(data["since"].replace("Z", "+00:00")).astimezone(UTC)
    until = datetime.fromisoformat(data["until"].replace("Z", "+00:00")).astimezone(UTC)
    assert until - since == timedelta(days=3)


def test_time_to_acknowledge_is_the_mean_and_the_90th_percentile_of_those_acknowledged(auth_client, user):
    now = timezone.now()
    rule = make_rule()
    waits = [60, 120, 180, 240, 300, 360, 420, 480, 540, 3600]  # seconds, one slow outlier
    for wait in waits:
        triggered = now - timedelta(hours=2)
        make_alert(rule, triggered_at=triggered, acknowledged_at=triggered + timedelta(seconds=wait),
                   acknowledged_by=user, status="resolved", resolved_at=now - timedelta(minutes=1))
    make_alert(make_rule(name="nobody has it"), triggered_at=now - timedelta(hours=1))

    data = auth_client.get(STATS).json()

    assert data["acknowledged_in_period"] == 10
    assert data["mean_time_to_acknowledge_seconds"] == sum(waits) / 10
    assert data["p90_time_to_acknowledge_seconds"] == 540
    assert auth_client.get(STATS).json()["mean_time_to_resolve_seconds"] is not None
