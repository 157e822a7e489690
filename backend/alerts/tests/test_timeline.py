"""An alert's timeline (GET /api/alerts/history/{id}/timeline/), the history's silenced, inhibited and
flapping filters, and a silence made from an alert (POST /api/alerts/silences/ with from_alert)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import AlertEvent, AlertHistory, InhibitionRule, MaintenanceWindow, Silence
from alerts.services.lifecycle import acknowledge, resolve_by_person, trigger_by_hand, unacknowledge

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db

HISTORY = "/api/alerts/history/"
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def timeline(client, alert) -> dict:
    response = client.get(f"{HISTORY}{alert.pk}/timeline/")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_timeline_lists_events_and_deliveries_in_order_with_who_and_how(
    auth_client, user, slack_server, celery_eager, django_capture_on_commit_callbacks,
):
    rule = make_rule(name="Checkout errors", severity="critical", slack_enabled=True, slack_channel="#ops")
    with django_capture_on_commit_callbacks(execute=True):
        alert = trigger_by_hand(rule=rule, user=user, message="5xx on /checkout")
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(alert=alert, user=user, comment="on it")
    unacknowledge(alert=alert, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        resolve_by_person(alert=alert, user=user, notes="rolled back")

    data = timeline(auth_client, alert)

    assert data["alert"] == alert.pk
    rows = [(e["kind"], e["actor"], e["via"], e["event"], e["status"], e["text"]) for e in data["entries"]]
    assert rows == [
        ("opened", "oncall", "api", None, None, "Opened by hand by oncall: 5xx on /checkout"),
        ("delivery", None, None, "trigger", "sent", "Trigger sent to Slack (default) (#ops)"),
        ("acknowledged", "oncall", "api", None, None, "Acknowledged by oncall: on it"),
        ("delivery", None, None, "acknowledge", "sent", "Acknowledge sent to Slack (default) (#ops)"),
        ("unacknowledged", "oncall", "api", None, None, "Unacknowledged by oncall"),
        ("resolved", "oncall", "api", None, None, "Resolved by oncall: rolled back"),
        ("delivery", None, None, "resolve", "sent", "Resolve sent to Slack (default) (#ops)"),
    ]
    delivery = data["entries"][1]
    assert (delivery["channel"], delivery["target"]) == ("Slack (default)", "#ops")
    assert delivery["delivery_id"] == alert.deliveries.get(event="trigger").pk
    sent_at = alert.deliveries.get(event="trigger").sent_at
    assert sent_at is not None and delivery["at"] == sent_at.isoformat().replace("+00:00", "Z")
    assert [e["at"] for e in data["entries"]] == sorted(e["at"] for e in data["entries"])
    assert set(data["entries"][0]) == {"at", "kind", "text", "actor", "via", "event", "channel", "target", "status",
                                       "delivery_id"}


def test_skipped_failed_and_pending_deliveries_say_why(auth_client):
    alert = make_alert(make_rule(), triggered_at=T0)
    AlertEvent.objects.create(alert=alert, kind="opened", at=T0, via="engine", text="Opened by the engine")
    make_delivery(alert=alert, event="reminder", channel="email", channel_name="Ops email", status="skipped",
                  last_error="Silenced by silence #3 until 2026-12-07 11:00:00 UTC: deploy",
                  created_at=T0 + timedelta(minutes=5), sent_at=None)
    make_delivery(alert=alert, event="trigger", channel="slack", channel_name="Slack (default)", target="#ops",
                  status="failed", last_error="HTTP 404: channel_not_found", created_at=T0 + timedelta(minutes=1),
                  sent_at=None)
    make_delivery(alert=alert, event="trigger", channel="email", channel_name="", target="ops@resee.com",
                  status="pending", attempts=0, created_at=T0 + timedelta(minutes=2), sent_at=None)

    texts = [e["text"] for e in timeline(auth_client, alert)["entries"]]

    assert texts == [
        "Opened by the engine",
        "Trigger failed on Slack (default) (#ops): HTTP 404: channel_not_found",
        "Trigger waiting to be sent to Email (ops@resee.com)",
        "Reminder skipped on Ops email: Silenced by silence #3 until 2026-12-07 11:00:00 UTC: deploy",
    ]


def test_an_alert_from_before_events_gets_its_entries_from_its_fields(auth_client, user):
    alert = make_alert(make_rule(), triggered_at=T0, message="cpu_usage is 91.5", status="resolved",
                       acknowledged_at=T0 + timedelta(minutes=3), acknowledged_by=user, acknowledged_comment="mine",
                       resolved_at=T0 + timedelta(minutes=9), resolved_by=None, resolution_notes="back to 40")

    entries = timeline(auth_client, alert)["entries"]

    assert [(e["kind"], e["actor"], e["via"], e["text"]) for e in entries] == [
        ("opened", None, "engine", "Opened by the engine: cpu_usage is 91.5"),
        ("acknowledged", "oncall", None, "Acknowledged by oncall: mine"),
        ("resolved", None, "engine", "Resolved automatically: back to 40"),
    ]
    assert entries[0]["at"] == "2026-12-07T10:00:00Z"


def test_a_manual_alert_from_before_events_says_who_opened_it(auth_client):
    alert = make_alert(make_rule(), manual=True, context={"manual": True, "triggered_by": "alice"}, message="x")
    (opened,) = timeline(auth_client, alert)["entries"]
    assert (opened["kind"], opened["actor"], opened["via"]) == ("opened", "alice", "api")


def test_the_timeline_costs_the_same_for_a_short_and_a_long_life(auth_client, user):
    def grow(alert, n):
        for _ in range(n):
            AlertEvent.objects.create(alert=alert, kind="acknowledged", via="api", actor=user, actor_name="oncall")
            make_delivery(alert=alert)

    short = make_alert(make_rule(name="short"))
    grow(short, 1)
    long = make_alert(make_rule(name="long"))
    grow(long, 50)
    timeline(auth_client, short)  # warm: permissions

    counts = []
    for alert in (short, long):
        with CaptureQueriesContext(connection) as captured:
            timeline(auth_client, alert)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(timeline(auth_client, long)["entries"]) == 100 + 1  # and the synthesised "opened"


def test_the_timeline_needs_the_view_permission(api_client, nobody, viewer_client):
    from core.testing import client_for

    alert = make_alert(make_rule())
    assert api_client.get(f"{HISTORY}{alert.pk}/timeline/").status_code == 401
    assert client_for(nobody).get(f"{HISTORY}{alert.pk}/timeline/").status_code == 403
    assert viewer_client.get(f"{HISTORY}{alert.pk}/timeline/").status_code == 200
    assert viewer_client.get(f"{HISTORY}999999/timeline/").status_code == 404


# --- history filters -----------------------------------------------------------------------------


def ids(client, **params) -> set[int]:
    response = client.get(HISTORY, {**params, "page_size": 100})
    assert response.status_code == 200, response.json()
    return {alert["id"] for alert in response.json()["results"]}


def test_the_history_filters_by_silenced_inhibited_and_flapping(auth_client):
    now = timezone.now()
    quiet = make_alert(make_rule(name="Quiet"), labels={"team": "web"})
    silenced = make_alert(make_rule(name="Deploying"), labels={"team": "deploy"})
    windowed = make_alert(make_rule(name="Nightly"), labels={"team": "batch"})
    resolved = make_alert(make_rule(name="Deploying later"), labels={"team": "deploy"}, status="resolved")
    source = make_alert(make_rule(name="Database down"), labels={"service": "db", "cluster": "a"})
    target = make_alert(make_rule(name="API errors"), labels={"service": "api", "cluster": "a"}, flapping=True)

    everything = {quiet.pk, silenced.pk, windowed.pk, resolved.pk, source.pk, target.pk}
    assert ids(auth_client, silenced="true") == set()  # nothing silences anything yet
    assert ids(auth_client, silenced="false") == everything
    assert ids(auth_client, inhibited="true") == set()
    assert ids(auth_client, inhibited="false") == everything

    Silence.objects.create(matchers=[{"label": "team", "op": "=", "value": "deploy"}], ends_at=now + timedelta(hours=1),
                           comment="deploy")
    Silence.objects.create(matchers=[{"label": "team", "op": "=", "value": "web"}], starts_at=now - timedelta(hours=2),
                           ends_at=now - timedelta(hours=1), comment="over")
    MaintenanceWindow.objects.create(matchers=[{"label": "team", "op": "=", "value": "batch"}],
                                     weekdays=list(range(7)), start_time=datetime.min.time(),
                                     end_time=datetime.max.time().replace(microsecond=0), time_zone="UTC",
                                     comment="always")
    InhibitionRule.objects.create(name="db", source_matchers=[{"label": "service", "op": "=", "value": "db"}],
                                  target_matchers=[{"label": "service", "op": "=", "value": "api"}], equal=["cluster"])

    assert ids(auth_client, silenced="true") == {silenced.pk, windowed.pk}  # not the resolved one
    assert ids(auth_client, silenced="false") == everything - {silenced.pk, windowed.pk}
    assert ids(auth_client, inhibited="true") == {target.pk}
    assert ids(auth_client, inhibited="false") == everything - {target.pk}
    assert ids(auth_client, flapping="true") == {target.pk}
    assert ids(auth_client, flapping="false") == everything - {target.pk}
    assert ids(auth_client, silenced="true", inhibited="true") == set()
    assert ids(auth_client, silenced="1", status="active") == {silenced.pk, windowed.pk}
    # Each says what silenced_by and inhibited_by say.
    for alert in auth_client.get(HISTORY, {"page_size": 100}).json()["results"]:
        held = bool(alert["silenced_by"]["silences"] or alert["silenced_by"]["maintenance_windows"])
        assert held == (alert["id"] in {silenced.pk, windowed.pk})
        assert bool(alert["inhibited_by"]) == (alert["id"] == target.pk)


@pytest.mark.parametrize("name", ["silenced", "inhibited", "flapping"])
def test_a_filter_value_that_is_not_a_boolean_is_a_400(auth_client, name):
    response = auth_client.get(HISTORY, {name: "maybe"})
    assert response.status_code == 400
    assert name in response.json()


def test_the_silenced_filter_costs_the_same_for_1_open_alert_and_for_50(auth_client):
    def add(n, offset):
        for i in range(n):
            make_alert(make_rule(name=f"held {offset + i}"), labels={"team": "deploy"})

    Silence.objects.create(matchers=[{"label": "team", "op": "=", "value": "deploy"}],
                           ends_at=timezone.now() + timedelta(hours=1), comment="deploy")
    add(1, 0)
    ids(auth_client, silenced="true")
    with CaptureQueriesContext(connection) as one:
        assert len(ids(auth_client, silenced="true")) == 1
    add(49, 1)
    with CaptureQueriesContext(connection) as fifty:
        assert len(ids(auth_client, silenced="true")) == 50
    assert len(one) == len(fifty)


# --- a silence made from an alert ------------------------------------------------------------------


def test_a_silence_made_from_an_alert_is_on_its_timeline(auth_client, user):
    alert = make_alert(make_rule(name="Checkout errors"))
    ends_at = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    response = auth_client.post("/api/alerts/silences/", {
        "matchers": [{"label": "rule", "op": "=", "value": "Checkout errors"}], "ends_at": ends_at.isoformat(),
        "comment": "deploying the fix", "from_alert": alert.pk,
    }, format="json")

    assert response.status_code == 201, response.json()
    assert "from_alert" not in response.json()
    silence = Silence.objects.get()
    event = AlertEvent.objects.get(alert=alert)
    assert (event.kind, event.via, event.actor, event.actor_name) == ("silenced", "api", user, "oncall")
    assert event.detail == {"silence": silence.pk, "until": ends_at.isoformat()}
    assert event.text.startswith("Silenced by oncall until ") and event.text.endswith(f"(silence #{silence.pk})")
    entry = timeline(auth_client, alert)["entries"][-1]
    assert (entry["kind"], entry["actor"]) == ("silenced", "oncall")

    # Without it, or when changing a silence, nothing is recorded.
    auth_client.post("/api/alerts/silences/", {"matchers": [{"label": "rule", "op": "=", "value": "x"}],
                                               "ends_at": ends_at.isoformat(), "comment": "c"}, format="json")
    assert auth_client.patch(f"/api/alerts/silences/{silence.pk}/", {"comment": "longer", "from_alert": alert.pk},
                             format="json").status_code == 200
    assert AlertEvent.objects.count() == 1


@pytest.mark.parametrize("value", [999999, "x", None, True])
def test_from_alert_must_be_an_alert(auth_client, value):
    response = auth_client.post("/api/alerts/silences/", {
        "matchers": [{"label": "rule", "op": "=", "value": "x"}],
        "ends_at": (timezone.now() + timedelta(hours=1)).isoformat(), "comment": "c", "from_alert": value,
    }, format="json")
    assert response.status_code == 400
    assert "from_alert" in response.json()
    assert not Silence.objects.exists() and not AlertHistory.objects.exists()
