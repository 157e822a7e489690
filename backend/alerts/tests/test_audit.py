"""The audit trail of configuration changes (core/audit.py, django-auditlog): every write path
leaves an entry with its actor, the engine's writes leave none, secrets never appear in clear, and
a rule's versions can be listed and restored."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from alerts.models import AlertHistory, AlertRule, NotificationChannel, Silence
from alerts.services import alert_engine, rules
from alerts.services.alert_engine import AlertEngine
from core import audit
from core.roles import MANAGERS
from monitoring.checks import service
from monitoring.models import Check, MetricSample

from .factories import make_rule
from .test_admin import RULE_FORM

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
WEBHOOK_SECRET = "Sup3rS3cretW3bh00kAuthZq"


@pytest.fixture
def session_client(user):
    client = APIClient()
    client.force_login(user)
    return client


def entries(model=AlertRule, pk=None):
    found = LogEntry.objects.filter(content_type__model=model._meta.model_name).order_by("timestamp", "id")
    return list(found if pk is None else found.filter(object_pk=str(pk)))


def rule_payload(**fields):
    return {"name": "High CPU Usage", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 80,
            "time_window_minutes": 5, "severity": "high", **fields}


def test_a_change_through_the_api_with_a_session_is_the_dashboards(session_client, user):
    rule = make_rule()

    response = session_client.patch(f"/api/alerts/rules/{rule.pk}/", {"threshold_value": 90}, format="json")

    assert response.status_code == 200, response.json()
    [created, changed] = entries(pk=rule.pk)
    assert created.additional_data["source"] == audit.SYSTEM and created.actor is None
    assert changed.actor == user
    assert changed.additional_data["source"] == audit.DASHBOARD
    assert changed.additional_data["user_name"] == "oncall"
    assert changed.additional_data["token_name"] is None
    assert changed.remote_addr == "127.0.0.1"
    assert changed.changes == {"threshold_value": [80.0, 90.0]}


def test_a_creation_lists_the_configuration_and_nothing_else(session_client):
    response = session_client.post("/api/alerts/rules/", rule_payload(), format="json")
    assert response.status_code == 201, response.json()
    rule = AlertRule.objects.get(pk=response.json()["id"])
    AlertHistory.objects.create(rule=rule, rule_name="High CPU Usage", severity="high", condition="gt",
                                threshold_value=80, metric_name="cpu_usage")

    [created] = entries(pk=rule.pk)

    fields = set(created.changes)
    assert {"name", "metric_name", "threshold_value", "severity"} <= fields
    # Not the id, the engine's state, nor the reverse relations (its alerts, its groups).
    assert not fields & {"id", "alerts", "groups", "state", "last_evaluated_at", "config_version"}, fields
    assert created.changes["threshold_value"] == [None, 80.0]


def test_a_change_with_a_token_is_the_apis_with_the_tokens_name(auth_client, token, user):
    response = auth_client.post("/api/alerts/rules/", rule_payload(), format="json")
    assert response.status_code == 201, response.json()

    [created] = entries(pk=response.json()["id"])
    assert created.actor == user
    assert created.additional_data["source"] == audit.API
    # A named token (core.tokens) gives its name; DRF's unnamed key gives none.
    assert created.additional_data["token_name"] == getattr(token, "name", None)
    assert created.action == LogEntry.Action.CREATE
    assert created.changes["threshold_value"] == [None, 80.0]


def test_a_change_in_the_admin_is_the_admins(admin_client, admin_user):
    rule = make_rule()

    response = admin_client.post(f"/admin/alerts/alertrule/{rule.pk}/change/", {**RULE_FORM, "threshold_value": "85"})

    assert response.status_code == 302, response.content.decode()[:2000]
    changed = entries(pk=rule.pk)[-1]
    assert changed.actor == admin_user
    assert changed.additional_data["source"] == audit.ADMIN
    assert changed.changes["threshold_value"] == [80.0, 85.0]


def test_a_change_inside_acting_is_that_actors(user):
    rule = make_rule()

    with audit.acting(audit.IMPORT, user=user):
        rules.update_rule(rule=rule, threshold_value=70.0)
    with audit.acting(audit.PROVISIONING):
        rules.update_rule(rule=rule, threshold_value=60.0)

    imported, provisioned = entries(pk=rule.pk)[-2:]
    assert (imported.additional_data["source"], imported.actor) == (audit.IMPORT, user)
    assert (provisioned.additional_data["source"], provisioned.actor) == (audit.PROVISIONING, None)
    assert imported.changes == {"threshold_value": [80.0, 70.0]}


def test_switching_rules_off_in_bulk_is_recorded(user):
    rule = make_rule()

    with audit.acting(audit.DASHBOARD, user=user):
        rules.set_rules_active(rules=[rule], active=False, user=user)

    assert entries(pk=rule.pk)[-1].changes == {"is_active": [True, False]}


def test_the_engines_ticks_and_the_check_runs_leave_no_entry(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)
    make_rule(name="fires", cooldown_minutes=1)
    make_rule(name="grouped", group_by=["host"], metric_name="cpu_usage")
    make_rule(name="flaps", flap_threshold=2, flap_window_minutes=30, cooldown_minutes=0)
    check = Check.objects.create(name="web", kind="heartbeat", period_seconds=60, grace_seconds=60)
    before = LogEntry.objects.count()

    for minute in range(8):
        at = T0 + timedelta(minutes=minute)
        value = 95 if minute % 2 == 0 else 10
        MetricSample.objects.create(name="cpu_usage", value=value, timestamp=at - timedelta(seconds=20))
        AlertEngine(now=at).run()
    # A heartbeat's pings and its evaluation (late: down) write the check's status fields only.
    service.ping(check.ping_key, now=T0)
    service.ping(check.ping_key, "start", now=T0 + timedelta(seconds=5))
    service.ping(check.ping_key, "fail", now=T0 + timedelta(seconds=10))
    service.evaluate_heartbeat(check.pk, now=T0 + timedelta(hours=3))
    check.refresh_from_db()
    assert check.last_ping_at is not None and check.status == "down"
    assert AlertHistory.objects.exists(), "the ticks should have opened alerts"
    assert LogEntry.objects.count() == before


def test_channel_secrets_are_masked_in_diffs_and_snapshots(auth_client, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    response = auth_client.post("/api/alerts/channels/", {
        "kind": "webhook", "name": "ops hook", "settings": {},
        "secrets": {"url": "https://hooks.example.com/resee", "authorization": WEBHOOK_SECRET},
    }, format="json")
    assert response.status_code == 201, response.json()
    channel_id = response.json()["id"]
    changed = auth_client.patch(f"/api/alerts/channels/{channel_id}/", {
        "secrets": {"url": "https://hooks.example.com/resee", "authorization": WEBHOOK_SECRET + "2"},
    }, format="json")
    assert changed.status_code == 200, changed.json()

    stored = [json.dumps([e.changes, e.serialized_data, e.additional_data, e.object_repr])
              for e in entries(NotificationChannel)]
    assert len(stored) == 2
    assert not any(WEBHOOK_SECRET in text or "hooks.example.com" in text for text in stored)
    created, updated = entries(NotificationChannel)
    assert created.changes["secrets"] == ["", audit.MASKED]
    assert updated.changes["secrets"] == [audit.MASKED, audit.MASKED]
    assert updated.serialized_data["fields"]["secrets"] == audit.MASKED
    listed = auth_client.get("/api/audit/", {"object_type": "notificationchannel"}).json()["results"]
    assert listed[0]["changes"] == {"secrets": [audit.MASKED, audit.MASKED]}
    assert WEBHOOK_SECRET not in json.dumps(listed)


def test_an_http_checks_headers_are_masked(auth_client, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    response = auth_client.post("/api/monitoring/checks/", {
        "name": "site", "kind": "http", "url": "https://shop.example.com/health",
        "headers": {"Authorization": f"Bearer {WEBHOOK_SECRET}"},
    }, format="json")
    assert response.status_code == 201, response.json()
    changed = auth_client.patch(f"/api/monitoring/checks/{response.json()['id']}/", {
        "headers": {"Authorization": f"Bearer {WEBHOOK_SECRET}2"}}, format="json")
    assert changed.status_code == 200, changed.json()

    stored = [json.dumps([e.changes, e.serialized_data, e.additional_data]) for e in entries(Check)]
    assert len(stored) == 2
    assert not any(WEBHOOK_SECRET in text for text in stored)
    assert entries(Check)[1].changes["headers"] == [audit.MASKED, audit.MASKED]
    assert WEBHOOK_SECRET not in json.dumps(auth_client.get("/api/audit/", {"object_type": "check"}).json())


def test_the_audit_list_is_for_managers_with_filters(auth_client, session_client, viewer_client, user):
    auth_client.post("/api/alerts/rules/", rule_payload(name="one"), format="json")
    rule_id = session_client.post("/api/alerts/rules/", rule_payload(name="two"), format="json").json()["id"]
    session_client.patch(f"/api/alerts/rules/{rule_id}/", {"threshold_value": 99}, format="json")
    Silence.objects.create(matchers=[{"name": "team", "op": "=", "value": "ops"}],
                           ends_at=T0 + timedelta(days=3650), comment="db move")

    assert viewer_client.get("/api/audit/").status_code == 403
    assert APIClient().get("/api/audit/").status_code in (401, 403)

    everything = auth_client.get("/api/audit/").json()
    assert everything["count"] == 4
    newest = everything["results"][0]
    assert (newest["object_type"], newest["action"], newest["source"], newest["user_name"]) == (
        "silence", "create", "system", None)
    item = everything["results"][1]
    assert item["object_type"] == "alertrule" and item["object_id"] == str(rule_id)
    assert item["object_name"] == "two" and item["action"] == "update" and item["version"] == 2
    assert item["changes"] == {"threshold_value": [80.0, 99.0]}
    assert item["source"] == "dashboard" and item["user_name"] == "oncall" and item["address"] == "127.0.0.1"

    def ids(**query):
        return [e["id"] for e in auth_client.get("/api/audit/", query).json()["results"]]

    assert len(ids(object_type="alertrule")) == 3
    assert len(ids(object_type="alertrule", object_id=str(rule_id))) == 2
    assert len(ids(source="dashboard")) == 2
    assert len(ids(source="api")) == 1
    assert len(ids(user="oncall")) == 3
    assert ids(user="somebody-else") == []
    assert ids(since="2099-01-01T00:00:00Z") == []
    assert len(ids(until="2099-01-01T00:00:00Z")) == 4
    for bad in ({"source": "telepathy"}, {"since": "yesterday"}, {"until": "2026-13-01"}):
        response = auth_client.get("/api/audit/", bad)
        assert response.status_code == 400 and set(response.json()) >= set(bad), response.json()


def test_a_superuser_reads_the_trail_and_a_manager_has_the_permission(superuser_client, user):
    assert superuser_client.get("/api/audit/").status_code == 200
    assert Group.objects.get(name=MANAGERS).permissions.filter(codename="view_logentry").exists()


def test_a_rules_versions_and_restoring_one(session_client, user, auth_client):
    rule_id = session_client.post("/api/alerts/rules/", rule_payload(), format="json").json()["id"]
    session_client.patch(f"/api/alerts/rules/{rule_id}/", {"threshold_value": 95, "severity": "critical"},
                         format="json")

    versions = session_client.get(f"/api/alerts/rules/{rule_id}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["changes"] == {"threshold_value": [80.0, 95.0], "severity": ["high", "critical"]}
    assert (versions[0]["user_name"], versions[0]["source"], versions[0]["action"]) == ("oncall", "dashboard", "update")
    assert versions[1]["action"] == "create"
    assert AlertRule.objects.get(pk=rule_id).config_version == 2

    restored = auth_client.post(f"/api/alerts/rules/{rule_id}/versions/1/restore/")

    assert restored.status_code == 200, restored.json()
    rule = AlertRule.objects.get(pk=rule_id)
    assert (rule.threshold_value, rule.severity, rule.config_version) == (80.0, "high", 3)
    newest = session_client.get(f"/api/alerts/rules/{rule_id}/versions/").json()[0]
    assert newest["number"] == 3 and newest["source"] == "api"
    assert newest["changes"] == {"threshold_value": [95.0, 80.0], "severity": ["critical", "high"]}
    assert session_client.post(f"/api/alerts/rules/{rule_id}/versions/9/restore/").status_code == 404


def test_a_version_whose_channel_is_gone_is_not_restored(session_client, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    channel = NotificationChannel.objects.create(kind="webhook", name="hook", secrets={"url": "https://h.example/x"})
    rule_id = session_client.post("/api/alerts/rules/", rule_payload(channels=[channel.pk]), format="json").json()["id"]
    changed = session_client.patch(f"/api/alerts/rules/{rule_id}/", {"channels": [], "threshold_value": 70},
                                   format="json")
    assert changed.status_code == 200, changed.json()
    versions = session_client.get(f"/api/alerts/rules/{rule_id}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["changes"]["channels"] == [[channel.pk], []]
    channel.delete()

    response = session_client.post(f"/api/alerts/rules/{rule_id}/versions/1/restore/")

    assert response.status_code == 400
    assert "channels" in response.json()
    assert AlertRule.objects.get(pk=rule_id).threshold_value == 70


def test_a_deleted_rules_history_stays_in_the_trail(session_client):
    rule_id = session_client.post("/api/alerts/rules/", rule_payload(), format="json").json()["id"]
    assert session_client.delete(f"/api/alerts/rules/{rule_id}/").status_code == 204

    listed = session_client.get("/api/audit/", {"object_type": "alertrule", "object_id": str(rule_id)}).json()
    assert [e["action"] for e in listed["results"]] == ["delete", "create"]


def test_an_alert_records_the_rule_version_it_fired_under(session_client, settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)
    rule_id = session_client.post("/api/alerts/rules/", rule_payload(threshold_value=99), format="json").json()["id"]
    session_client.patch(f"/api/alerts/rules/{rule_id}/", {"threshold_value": 50}, format="json")
    MetricSample.objects.create(name="cpu_usage", value=90, timestamp=T0 - timedelta(seconds=20))

    AlertEngine(now=T0).run()

    alert = AlertHistory.objects.get(rule_id=rule_id)
    assert alert.rule_version == 2
    assert session_client.get(f"/api/alerts/history/{alert.pk}/").json()["rule_version"] == 2
