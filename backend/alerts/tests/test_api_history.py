"""/api/alerts/history/: the alert list, detail with deliveries, and resolve."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import AlertHistory, NotificationDelivery

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db

HISTORY = "/api/alerts/history/"


def ids(response):
    assert response.status_code == 200, response.json()
    return [a["id"] for a in response.json()["results"]]


def test_an_item_shows_what_fired_and_how_it_ended(auth_client, user):
    rule = make_rule(name="High CPU Usage")
    alert = make_alert(rule, status="resolved", resolved_by=user, resolution_notes="restarted the worker",
                       notification_count=2, manual=True)

    item = auth_client.get(HISTORY).json()["results"][0]

    assert item == {
        "id": alert.pk, "rule": rule.pk, "rule_name": "High CPU Usage", "metric_name": "cpu_usage",
        "severity": "high", "value": 91.5, "last_value": 91.5, "threshold_value": 80.0, "condition": "gt",
        "status": "resolved", "message": "", "triggered_at": item["triggered_at"],
        "resolved_at": item["resolved_at"], "resolved_by": "oncall", "notes": "restarted the worker",
        "manual": True, "notification_count": 2, "last_notified_at": None,
        "context": {"window_minutes": 5, "aggregation": "avg", "values": [90.0, 93.0]},
        "labels": {}, "group_labels": {}, "runbook_url": "", "summary": "",
        "acknowledged_at": None, "acknowledged_by": None, "acknowledged_comment": "",
        "silenced_by": {"silences": [], "maintenance_windows": []},
        "inhibited_by": [],
        "acknowledged_via": None,
        "flapping": False,
        "rule_version": None,
    }


def test_newest_first_and_filters(auth_client):
    now = timezone.now()
    cpu = make_rule(name="cpu")
    disk = make_rule(name="disk", metric_name="disk_usage", severity="low")
    old = make_alert(cpu, triggered_at=now - timedelta(days=3), status="resolved")
    mid = make_alert(disk, triggered_at=now - timedelta(days=1))
    new = make_alert(make_rule(name="errors", severity="critical"), triggered_at=now - timedelta(minutes=1),
                     manual=True)

    assert ids(auth_client.get(HISTORY)) == [new.pk, mid.pk, old.pk]
    assert ids(auth_client.get(HISTORY, {"rule": cpu.pk})) == [old.pk]
    assert ids(auth_client.get(HISTORY, {"severity": "low"})) == [mid.pk]
    assert ids(auth_client.get(HISTORY, {"status": "active"})) == [new.pk, mid.pk]
    assert ids(auth_client.get(HISTORY, {"status": "resolved"})) == [old.pk]
    assert ids(auth_client.get(HISTORY, {"manual": "true"})) == [new.pk]
    since = (now - timedelta(days=2)).isoformat()
    assert ids(auth_client.get(HISTORY, {"since": since})) == [new.pk, mid.pk]
    assert ids(auth_client.get(HISTORY, {"until": since})) == [old.pk]
    assert ids(auth_client.get(HISTORY, {"ordering": "triggered_at"})) == [old.pk, mid.pk, new.pk]
    assert ids(auth_client.get(HISTORY, {"ordering": "severity"})) == [new.pk, old.pk, mid.pk]
    assert ids(auth_client.get(HISTORY, {"rule": 999999})) == []


def test_most_severe_first_then_newest(auth_client):
    """The dashboard's open alerts: ordering=severity,-triggered_at."""
    now = timezone.now()
    low_new = make_alert(make_rule(name="a", severity="low"), triggered_at=now - timedelta(minutes=1))
    high_old = make_alert(make_rule(name="b", severity="high"), triggered_at=now - timedelta(hours=2))
    high_new = make_alert(make_rule(name="c", severity="high"), triggered_at=now - timedelta(minutes=5))
    critical = make_alert(make_rule(name="d", severity="critical"), triggered_at=now - timedelta(days=1))
    medium = make_alert(make_rule(name="e", severity="medium"), triggered_at=now - timedelta(minutes=30))

    response = auth_client.get(HISTORY, {"status": "active", "ordering": "severity,-triggered_at"})

    assert ids(response) == [critical.pk, high_new.pk, high_old.pk, medium.pk, low_new.pk]


@pytest.mark.parametrize("query", [{"status": "open"}, {"severity": "x"}, {"since": "yesterday"},
                                   {"rule": "abc"}, {"rule": "99999999999999999999999"}, {"ordering": "message"}])
def test_bad_filters_are_a_400(auth_client, query):
    response = auth_client.get(HISTORY, query)

    assert response.status_code == 400
    assert set(query) <= set(response.json())


def test_detail_has_the_deliveries(auth_client):
    alert = make_alert()
    make_delivery(alert=alert, channel="slack", target="#alerts", status="failed", attempts=5,
                  last_error="Slack answered HTTP 500.", response_code=500)
    make_delivery(alert=alert, target="ops@resee.com")
    make_delivery(target="someone@else.com")  # another alert's (none)

    data = auth_client.get(f"{HISTORY}{alert.pk}/").json()

    assert [d["target"] for d in data["deliveries"]] == ["#alerts", "ops@resee.com"]
    slack = data["deliveries"][0]
    assert {k: slack[k] for k in ("channel", "event", "status", "attempts", "last_error", "response_code")} == {
        "channel": "slack", "event": "trigger", "status": "failed", "attempts": 5,
        "last_error": "Slack answered HTTP 500.", "response_code": 500,
    }
    assert {"created_at", "sent_at", "next_attempt_at"} <= set(slack)


def test_resolve_with_notes(auth_client, user, queued_tasks):
    rule = make_rule(email_enabled=True, email_recipients=["ops@resee.com"])
    alert = make_alert(rule)

    response = auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": "Restarted the worker"}, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["resolved_by"], data["notes"]) == ("resolved", "oncall", "Restarted the worker")
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by, alert.resolution_notes) == ("resolved", user, "Restarted the worker")
    resolve = NotificationDelivery.objects.get(alert=alert)
    assert (resolve.event, resolve.target) == ("resolve", "ops@resee.com")
    assert [d["event"] for d in data["deliveries"]] == ["resolve"]


def test_resolve_accepts_resolution_notes_and_no_notes(auth_client):
    first, second = make_alert(make_rule(name="a")), make_alert(make_rule(name="b"))

    assert auth_client.post(f"{HISTORY}{first.pk}/resolve/", {"resolution_notes": "disk cleaned"},
                            format="json").json()["notes"] == "disk cleaned"
    assert auth_client.post(f"{HISTORY}{second.pk}/resolve/", {}, format="json").json()["notes"] == ""


def test_resolving_twice_is_a_409_saying_by_whom(auth_client):
    alert = make_alert()
    assert auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": "done"}, format="json").status_code == 200

    response = auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": "again"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"].startswith(f"Alert {alert.pk} is already resolved (by oncall at ")
    alert.refresh_from_db()
    assert alert.resolution_notes == "done"


def test_resolve_validates_notes_and_ids(auth_client):
    alert = make_alert()

    assert auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": 5 * ["x"]}, format="json").status_code == 400
    assert auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": "x" * 10_001},
                            format="json").status_code == 400
    assert auth_client.post(f"{HISTORY}424242/resolve/", {}, format="json").status_code == 404
    assert AlertHistory.objects.get().status == "active"


def test_history_is_read_only(auth_client):
    alert = make_alert()

    assert auth_client.post(HISTORY, {}, format="json").status_code == 405
    assert auth_client.patch(f"{HISTORY}{alert.pk}/", {"status": "resolved"}, format="json").status_code == 405
    assert auth_client.delete(f"{HISTORY}{alert.pk}/").status_code == 405


@pytest.mark.parametrize("value", ["0988-04-25T10:35:12.48+18:15", "0001-01-01T00:00:00+18:00",
                                   "9999-12-31T23:59:59-18:00", "2026-01-01T00:00:00+14:00"])
def test_times_with_any_offset_are_read_or_refused_never_a_server_error(auth_client, value):
    for url in (HISTORY, "/api/monitoring/errors/"):
        response = auth_client.get(url, {"since": value, "until": value})
        assert response.status_code in (200, 400), (url, value, response.content[:200])
