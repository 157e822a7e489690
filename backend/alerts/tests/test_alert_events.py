"""AlertEvent, the alert's own timeline (docs/architecture.md §10): lifecycle writes one when an alert
opens (engine or by hand), is acknowledged, unacknowledged and resolved (by the engine or a person),
with who did it and how (engine, API, admin, action link). The engine writes its events in one insert
per tick, and none on a steady tick."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import AlertEvent, AlertHistory, AlertRule
from alerts.services import alert_engine, rules
from alerts.services.alert_engine import AlertEngine
from alerts.services.lifecycle import acknowledge, resolve_by_person, trigger_by_hand, unacknowledge
from monitoring.models import MetricSample

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
HISTORY = "/api/alerts/history/"


@pytest.fixture(autouse=True)
def _clean_engine_cache(settings):
    settings.SLACK_WEBHOOK_URL = ""
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)


def events(alert) -> list[tuple]:
    return list(AlertEvent.objects.filter(alert=alert).order_by("at", "id")
                .values_list("kind", "via", "actor_name", "text"))


def cpu(value: float, at: datetime) -> None:
    MetricSample.objects.create(name="cpu_usage", value=value, timestamp=at)


def test_the_engine_records_opened_and_resolved_once_each_and_nothing_on_steady_ticks():
    make_rule(cooldown_minutes=60)
    cpu(95, T0 - timedelta(minutes=1))
    AlertEngine(now=T0).run()
    alert = AlertHistory.objects.get()
    assert events(alert) == [("opened", "engine", "", f"Opened by the engine: {alert.message}")]

    for minute in range(1, 4):  # still firing: nothing new on the timeline
        cpu(96, T0 + timedelta(minutes=minute) - timedelta(seconds=30))
        AlertEngine(now=T0 + timedelta(minutes=minute)).run()
    assert AlertEvent.objects.count() == 1

    for minute in range(4, 12):
        cpu(10, T0 + timedelta(minutes=minute) - timedelta(seconds=30))
    AlertEngine(now=T0 + timedelta(minutes=12)).run()
    alert.refresh_from_db()
    assert alert.status == "resolved"
    kinds = events(alert)
    assert [k[:3] for k in kinds] == [("opened", "engine", ""), ("resolved", "engine", "")]
    assert kinds[1][3] == f"Resolved automatically: {alert.resolution_notes}"
    resolved = AlertEvent.objects.get(alert=alert, kind="resolved")
    assert resolved.at == alert.resolved_at and resolved.actor is None


def test_a_tick_opening_many_alerts_writes_their_events_in_one_insert():
    for i in range(30):
        make_rule(name=f"CPU {i}", cooldown_minutes=60)
    cpu(95, T0 - timedelta(minutes=1))

    with CaptureQueriesContext(connection) as captured:
        report = AlertEngine(now=T0).run()

    assert report.counts["fired"] == 30
    assert AlertEvent.objects.filter(kind="opened").count() == 30
    inserts = [q["sql"] for q in captured.captured_queries
               if q["sql"].startswith("INSERT") and AlertEvent._meta.db_table in q["sql"]]
    assert len(inserts) == 1


def test_a_person_s_actions_through_the_api_say_who_and_via_api(auth_client, user):
    rule = make_rule()
    response = auth_client.post("/api/alerts/trigger/", {"rule_id": rule.pk, "message": "checking"}, format="json")
    assert response.status_code == 201, response.json()
    alert = AlertHistory.objects.get()

    assert auth_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {"comment": "on it"}, format="json").status_code == 200
    assert auth_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {}, format="json").status_code == 200  # no-op
    assert auth_client.post(f"{HISTORY}{alert.pk}/unacknowledge/").status_code == 200
    assert auth_client.post(f"{HISTORY}{alert.pk}/unacknowledge/").status_code == 200  # no-op
    assert auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": "fixed the disk"},
                            format="json").status_code == 200

    assert events(alert) == [
        ("opened", "api", "oncall", "Opened by hand by oncall: checking"),
        ("acknowledged", "api", "oncall", "Acknowledged by oncall: on it"),
        ("unacknowledged", "api", "oncall", "Unacknowledged by oncall"),
        ("resolved", "api", "oncall", "Resolved by oncall: fixed the disk"),
    ]
    acknowledged = AlertEvent.objects.get(alert=alert, kind="acknowledged")
    assert acknowledged.actor == user and acknowledged.detail == {"comment": "on it"}


def test_a_resolve_refused_as_already_resolved_records_nothing(auth_client):
    alert = make_alert(status="resolved")
    assert auth_client.post(f"{HISTORY}{alert.pk}/resolve/", {"notes": "x"}, format="json").status_code == 409
    assert auth_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {}, format="json").status_code == 409
    assert not AlertEvent.objects.exists()


def test_the_actor_s_name_stays_when_the_user_is_deleted(user):
    alert = trigger_by_hand(rule=make_rule(), user=user)
    acknowledge(alert=alert, user=user, comment="")
    user.delete()
    assert [(e.kind, e.actor, e.actor_name) for e in AlertEvent.objects.order_by("id")] == [
        ("opened", None, "oncall"), ("acknowledged", None, "oncall")]


def test_the_admin_resolve_and_rule_switch_off_say_via_admin(client, superuser):
    client.force_login(superuser)
    rule = make_rule()
    first = make_alert(rule=rule)
    response = client.post("/admin/alerts/alerthistory/", {
        "action": "resolve_selected", "_selected_action": [first.pk], "apply": "1", "notes": "done"})
    assert response.status_code == 302
    assert events(first) == [("resolved", "admin", "root", "Resolved by root: done")]

    second = make_alert(rule=rule)
    response = client.post("/admin/alerts/alertrule/", {"action": "deactivate", "_selected_action": [rule.pk]})
    assert response.status_code == 302
    assert AlertRule.objects.get(pk=rule.pk).is_active is False
    assert events(second) == [("resolved", "admin", "root", "Resolved by root: Closed because the rule was "
                                                             "switched off by root.")]


def test_deleting_a_rule_resolves_its_groups_alerts_with_one_insert_of_events(user):
    rule = make_rule(group_by=["host"])
    alerts = [make_alert(rule=rule, group_labels={"host": f"h{i}"}, group_fingerprint=f"f{i}") for i in range(5)]

    with CaptureQueriesContext(connection) as captured:
        rules.delete_rule(rule=rule, user=user)

    assert AlertEvent.objects.filter(kind="resolved", via="api", actor=user).count() == 5
    assert {e.alert_id for e in AlertEvent.objects.all()} == {a.pk for a in alerts}
    inserts = [q for q in captured.captured_queries
               if q["sql"].startswith("INSERT") and AlertEvent._meta.db_table in q["sql"]]
    assert len(inserts) == 1


def test_lifecycle_calls_name_the_way_they_came(user):
    alert = trigger_by_hand(rule=make_rule(), user=user, via="admin")
    acknowledge(alert=alert, user=None, via="link", detail={"token": "abc123"})
    unacknowledge(alert=alert, user=user, via="link")
    resolve_by_person(alert=alert, user=None, notes="Resolved from an action link", via="link")
    assert events(alert) == [
        ("opened", "admin", "oncall", "Opened by hand by oncall"),
        ("acknowledged", "link", "", "Acknowledged by an action link"),
        ("unacknowledged", "link", "oncall", "Unacknowledged by oncall"),
        ("resolved", "link", "", "Resolved by an action link: Resolved from an action link"),
    ]
    assert AlertEvent.objects.get(kind="acknowledged").detail == {"token": "abc123"}
