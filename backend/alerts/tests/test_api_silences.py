"""The silences and maintenance windows API: managers add, change, expire, extend and delete them,
viewers read; every bad input is a 400 on its field and saves nothing; the preview shows which open
alerts a silence would hold; the admin checks the same."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from alerts.models import AlertHistory, MaintenanceWindow, Silence

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

SILENCES = "/api/alerts/silences/"
WINDOWS = "/api/alerts/maintenance-windows/"
SYSTEM = {"label": "category", "op": "=", "value": "system"}


def later(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def add_silence(client, **fields):
    body = {"matchers": [SYSTEM], "ends_at": later(hours=1), "comment": "Patching the hosts", **fields}
    return client.post(SILENCES, body, format="json")


def test_a_manager_adds_a_silence_that_starts_now(auth_client):
    response = add_silence(auth_client)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["state"], data["created_by"], data["comment"]) == ("active", "oncall", "Patching the hosts")
    assert data["matchers"] == [SYSTEM]
    assert abs(datetime.fromisoformat(data["starts_at"]) - timezone.now()) < timedelta(seconds=10)


@pytest.mark.parametrize("fields, field, text", [
    ({"comment": ""}, "comment", "blank"),
    ({"comment": "   "}, "comment", "blank"),
    ({"comment": None}, "comment", "null"),
    ({"matchers": []}, "matchers", "at least 1"),
    ({"matchers": [{"label": "team", "op": "=~", "value": ".*"}]}, "matchers", "must not match an empty value"),
    ({"matchers": [{"label": "team", "op": "~", "value": "x"}]}, "matchers", "is not a valid choice"),
    ({"matchers": [{"label": "team", "op": "=~", "value": "("}]}, "matchers", "not a valid regular expression"),
    ({"matchers": [{"label": "Team", "op": "=", "value": "x"}]}, "matchers", "label"),
    ({"ends_at": None}, "ends_at", "null"),
    ({"ends_at": "tomorrow"}, "ends_at", "format"),
    ({"starts_at": later(hours=2)}, "ends_at", "Must be after starts_at."),
    ({"ends_at": later(days=400)}, "ends_at", "at most 365 days"),
    ({"starts_at": later(days=-2), "ends_at": later(minutes=-1)}, "ends_at", "In the past"),
    ({"starts_at": later(days=400), "ends_at": later(days=401)}, "starts_at", "within 365 days"),
])
def test_a_bad_silence_is_a_400_on_its_field_and_nothing_is_saved(auth_client, fields, field, text):
    response = add_silence(auth_client, **fields)

    assert response.status_code == 400, response.json()
    assert text in str(response.json()[field]), response.json()
    assert not Silence.objects.exists()


def test_the_list_filters_by_state(auth_client):
    now = timezone.now()
    common = {"matchers": [SYSTEM], "comment": "c"}
    pending = Silence.objects.create(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2), **common)
    active = Silence.objects.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2), **common)
    expired = Silence.objects.create(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1), **common)

    def ids(state):
        response = auth_client.get(SILENCES, {"state": state})
        assert response.status_code == 200
        return [(s["id"], s["state"]) for s in response.json()["results"]]

    assert ids("pending") == [(pending.pk, "pending")]
    assert ids("active") == [(active.pk, "active")]
    assert ids("expired") == [(expired.pk, "expired")]
    assert len(auth_client.get(SILENCES).json()["results"]) == 3
    assert auth_client.get(SILENCES, {"state": "asleep"}).status_code == 400


def test_expire_ends_it_now_once_and_a_pending_one_never_begins(auth_client):
    active = add_silence(auth_client).json()
    pending = add_silence(auth_client, starts_at=later(hours=1), ends_at=later(hours=2)).json()

    first = auth_client.post(f"{SILENCES}{active['id']}/expire/", {}, format="json")
    again = auth_client.post(f"{SILENCES}{active['id']}/expire/", {}, format="json")
    never = auth_client.post(f"{SILENCES}{pending['id']}/expire/", {}, format="json")

    assert first.status_code == 200 and first.json()["state"] == "expired"
    assert datetime.fromisoformat(first.json()["ends_at"]) <= timezone.now()
    assert again.status_code == 409 and "expired already" in again.json()["detail"]
    assert never.status_code == 200 and never.json()["state"] == "expired"
    assert never.json()["starts_at"] == never.json()["ends_at"]


def test_extend_by_minutes_or_to_a_time(auth_client):
    silence = add_silence(auth_client).json()
    url = f"{SILENCES}{silence['id']}/extend/"
    ends_at = datetime.fromisoformat(silence["ends_at"])

    by_minutes = auth_client.post(url, {"minutes": 30}, format="json")
    assert by_minutes.status_code == 200, by_minutes.json()
    assert datetime.fromisoformat(by_minutes.json()["ends_at"]) == ends_at + timedelta(minutes=30)
    target = (timezone.now() + timedelta(hours=6)).replace(microsecond=0)
    to_time = auth_client.post(url, {"ends_at": target.isoformat()}, format="json")
    assert to_time.status_code == 200 and datetime.fromisoformat(to_time.json()["ends_at"]) == target

    for body, field, text in [
        ({}, "minutes", "Send ends_at or minutes."),
        ({"minutes": 5, "ends_at": later(hours=9)}, "ends_at", "not both"),
        ({"ends_at": later(hours=1)}, "ends_at", "later than the current end"),
        ({"minutes": 0}, "minutes", "greater than or equal to 1"),
        ({"minutes": True}, "minutes", "valid integer"),
        ({"minutes": 365 * 24 * 60}, "minutes", "at most 365 days"),
    ]:
        response = auth_client.post(url, body, format="json")
        assert response.status_code == 400 and text in str(response.json()[field]), (body, response.json())
    assert Silence.objects.get().ends_at == target

    auth_client.post(f"{SILENCES}{silence['id']}/expire/", {}, format="json")
    assert auth_client.post(url, {"minutes": 30}, format="json").status_code == 409


def test_change_and_delete(auth_client):
    silence = add_silence(auth_client).json()

    changed = auth_client.patch(f"{SILENCES}{silence['id']}/", {"comment": "Patching, take two"}, format="json")
    refused = auth_client.patch(f"{SILENCES}{silence['id']}/", {"ends_at": later(days=-1)}, format="json")

    assert changed.status_code == 200 and changed.json()["comment"] == "Patching, take two"
    assert refused.status_code == 400 and "ends_at" in refused.json()
    assert auth_client.delete(f"{SILENCES}{silence['id']}/").status_code == 204
    assert not Silence.objects.exists()


def test_viewers_read_silences_and_preview_but_change_nothing(auth_client, viewer_client):
    silence = add_silence(auth_client).json()

    assert viewer_client.get(SILENCES).status_code == 200
    assert viewer_client.get(WINDOWS).status_code == 200
    assert viewer_client.post(f"{SILENCES}preview/", {"matchers": [SYSTEM]}, format="json").status_code == 200
    assert add_silence(viewer_client).status_code == 403
    assert viewer_client.post(f"{SILENCES}{silence['id']}/expire/", {}, format="json").status_code == 403
    assert viewer_client.post(f"{SILENCES}{silence['id']}/extend/", {"minutes": 5}, format="json").status_code == 403
    assert viewer_client.delete(f"{SILENCES}{silence['id']}/").status_code == 403


def test_preview_shows_the_open_alerts_the_matchers_would_hold(auth_client):
    payments = make_alert(make_rule(name="Payments CPU", labels={"team": "payments"}), labels={"team": "payments"})
    make_alert(make_rule(name="Search CPU", labels={"team": "search"}), labels={"team": "search"})
    make_alert(make_rule(name="Old", labels={"team": "payments"}), labels={"team": "payments"}, status="resolved")
    make_alert(make_rule(name="Signups", metric_name="signups", labels={"team": "payments"}),
               labels={"team": "payments"}, metric_name="signups")

    response = auth_client.post(f"{SILENCES}preview/", {"matchers": [
        {"label": "team", "op": "=~", "value": "pay.*"}, SYSTEM]}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["count"] == 1
    assert [(a["id"], a["rule_name"], a["labels"]) for a in response.json()["alerts"]] == [
        (payments.pk, "Payments CPU", {"team": "payments"})]
    assert not Silence.objects.exists()
    bad = auth_client.post(f"{SILENCES}preview/", {"matchers": [{"label": "team", "op": "=", "value": ""}]},
                           format="json")
    assert bad.status_code == 400 and "matchers" in bad.json()


def test_changing_a_silence_s_matchers_releases_what_it_no_longer_holds(
    auth_client, slack_server, celery_eager, django_capture_on_commit_callbacks, user,
):
    from alerts.services import lifecycle

    rule = make_rule(slack_enabled=True)
    silence = add_silence(auth_client).json()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.trigger_by_hand(rule=rule, user=user)
    assert slack_server.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(f"{SILENCES}{silence['id']}/", {"matchers": [
            {"label": "category", "op": "=", "value": "business"}]}, format="json")

    assert response.status_code == 200
    assert [r.json["text"] for r in slack_server.requests] == [":rotating_light: *[HIGH] High CPU Usage*"]
    assert AlertHistory.objects.get().held_by_silence is False


# --- maintenance windows --------------------------------------------------------------------------


def sunday_berlin(**fields):
    return {"matchers": [SYSTEM], "weekdays": [6], "start_time": "02:00", "end_time": "04:00",
            "time_zone": "Europe/Berlin", "comment": "Sunday patching", **fields}


def test_a_window_every_sunday_02_to_04_in_berlin(auth_client, monkeypatch):
    response = auth_client.post(WINDOWS, sunday_berlin(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["start_time"], data["end_time"], data["time_zone"], data["weekdays"]) == (
        "02:00", "04:00", "Europe/Berlin", [6])
    assert data["created_by"] == "oncall"
    next_start = datetime.fromisoformat(data["next_start"])
    assert next_start.astimezone(UTC) > timezone.now()
    local = next_start.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (6, 2, 0)

    # Inside a window (Sunday 2026-11-29, 02:30 CET): open now, closing at 04:00 CET.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 29, 1, 30, tzinfo=UTC))
    inside = auth_client.get(f"{WINDOWS}{data['id']}/").json()
    assert inside["active_now"] is True
    assert datetime.fromisoformat(inside["current_ends_at"]) == datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    assert datetime.fromisoformat(inside["next_start"]) == datetime(2026, 12, 6, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("fields, field, text", [
    ({"time_zone": "Mars/Olympus"}, "time_zone", "is not a time zone"),
    ({"time_zone": "../../etc/passwd"}, "time_zone", "is not a time zone"),
    ({"time_zone": ""}, "time_zone", "blank"),
    ({"weekdays": []}, "weekdays", "at least 1"),
    ({"weekdays": [7]}, "weekdays", "less than or equal to 6"),
    ({"weekdays": [6, 6]}, "weekdays", "once"),
    ({"start_time": "25:00"}, "start_time", "format"),
    ({"start_time": "02:00:30"}, "start_time", "Whole minutes"),
    ({"end_time": 4}, "end_time", "format"),
    ({"starts_on": "2026-12-10", "ends_on": "2026-12-01"}, "ends_on", "on or after starts_on"),
    ({"comment": ""}, "comment", "blank"),
    ({"matchers": []}, "matchers", "at least 1"),
])
def test_a_bad_window_is_a_400_on_its_field_and_nothing_is_saved(auth_client, fields, field, text):
    response = auth_client.post(WINDOWS, sunday_berlin(**fields), format="json")

    assert response.status_code == 400, response.json()
    assert text in str(response.json()[field]), response.json()
    assert not MaintenanceWindow.objects.exists()


def test_a_window_is_changed_and_deleted(auth_client):
    window = auth_client.post(WINDOWS, sunday_berlin(), format="json").json()

    changed = auth_client.patch(f"{WINDOWS}{window['id']}/", {"weekdays": [5, 6], "end_time": "01:00"},
                                format="json")
    refused = auth_client.patch(f"{WINDOWS}{window['id']}/", {"time_zone": "Nowhere"}, format="json")

    assert changed.status_code == 200 and (changed.json()["weekdays"], changed.json()["end_time"]) == ([5, 6], "01:00")
    assert refused.status_code == 400
    assert MaintenanceWindow.objects.get().time_zone == "Europe/Berlin"
    assert auth_client.delete(f"{WINDOWS}{window['id']}/").status_code == 204


# --- admin ------------------------------------------------------------------------------------------


def test_the_admin_checks_a_silence_and_a_window_as_the_api_does(admin_client):
    now = timezone.now()
    bad = admin_client.post("/admin/alerts/silence/add/", {
        "matchers": '[{"label": "team", "op": "=~", "value": ".*"}]', "starts_at_0": f"{now:%Y-%m-%d}",
        "starts_at_1": "10:00:00", "ends_at_0": f"{now:%Y-%m-%d}", "ends_at_1": "09:00:00", "comment": "",
    })
    assert bad.status_code == 200
    assert {"matchers", "ends_at", "comment"} <= set(bad.context["adminform"].form.errors)
    good = admin_client.post("/admin/alerts/silence/add/", {
        "matchers": '[{"label": "category", "op": "=", "value": "system"}]', "starts_at_0": f"{now:%Y-%m-%d}",
        "starts_at_1": "00:00:00", "ends_at_0": f"{now + timedelta(days=1):%Y-%m-%d}", "ends_at_1": "00:00:00",
        "comment": "patching",
    })
    assert good.status_code == 302
    assert Silence.objects.values_list("created_by__username", flat=True).get() == "admin"

    window = {"matchers": '[{"label": "category", "op": "=", "value": "system"}]', "weekdays": ["6"],
              "start_time": "02:00", "end_time": "04:00", "time_zone": "Mars/Olympus", "comment": "patching"}
    refused = admin_client.post("/admin/alerts/maintenancewindow/add/", window)
    assert refused.status_code == 200 and "time_zone" in refused.context["adminform"].form.errors
    accepted = admin_client.post("/admin/alerts/maintenancewindow/add/", {**window, "time_zone": "Europe/Berlin"})
    assert accepted.status_code == 302
    assert MaintenanceWindow.objects.get().weekdays == [6]
    assert admin_client.get("/admin/alerts/maintenancewindow/").status_code == 200
    assert admin_client.get("/admin/alerts/silence/").status_code == 200
