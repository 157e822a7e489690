"""The configuration as one document through the API: export, import (dry run, prune, all or
nothing, errors by path), and the round trip export -> import on an empty database -> export."""

import json

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import override_settings

from alerts.models import (
    AlertRule,
    InhibitionRule,
    MaintenanceWindow,
    NotificationChannel,
    NotificationPolicy,
    Silence,
)
from core.testing import client_for
from monitoring.models import Check, DataSource

pytestmark = pytest.mark.django_db

WEBHOOK = "https://hooks.slack.com/services/T000/B000/round-trip-secret-1"
PROM_TOKEN = "prom-token-round-trip-0123456789"
EXPORT = "/api/config/export/"
IMPORT = "/api/config/import/"


@pytest.fixture(autouse=True)
def _outbound():
    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=True):
        yield


@pytest.fixture
def manager(user):
    return client_for(user)


def _created(response):
    assert response.status_code == 201, response.content
    return response.json()


def build_one_of_each(client) -> None:
    """One object of each kind, made through the API as a person would."""
    source = _created(client.post("/api/monitoring/data-sources/", {
        "name": "prom", "base_url": "http://127.0.0.1:9090", "secrets": {"bearer_token": PROM_TOKEN},
    }, format="json"))
    channel = _created(client.post("/api/alerts/channels/", {
        "kind": "slack", "name": "ops slack", "settings": {"channel": "#ops"}, "secrets": {"webhook_url": WEBHOOK},
    }, format="json"))
    _created(client.post("/api/alerts/rules/", {
        "name": "API errors", "metric_name": "api_error_rate", "condition": "gt", "threshold_value": 5,
        "severity": "high", "labels": {"team": "payments"}, "group_by": ["route"],
        "label_matchers": [{"label": "route", "op": "=~", "value": "/api/.*"}],
        "runbook_url": "https://runbooks.example.com/api-errors", "summary": "{{ labels.route }} fails",
        "channels": [channel["id"]],
    }, format="json"))
    _created(client.post("/api/alerts/rules/", {
        "name": "Queue backlog", "kind": "promql", "expr": "sum by (queue) (depth)", "data_source": source["id"],
        "condition": "gt", "threshold_value": 100, "for_minutes": 5,
    }, format="json"))
    _created(client.post("/api/alerts/policies/", {
        "name": "payments to ops", "matchers": [{"label": "team", "op": "=", "value": "payments"}],
        "channels": [channel["id"]], "group_by": ["route"],
    }, format="json"))
    _created(client.post("/api/alerts/inhibition-rules/", {
        "name": "outage hides slowness", "source_matchers": [{"label": "severity", "op": "=", "value": "critical"}],
        "target_matchers": [{"label": "severity", "op": "=", "value": "low"}], "equal": ["service"],
    }, format="json"))
    _created(client.post("/api/alerts/maintenance-windows/", {
        "matchers": [{"label": "team", "op": "=", "value": "payments"}], "weekdays": [5, 6],
        "start_time": "02:00", "end_time": "04:00", "time_zone": "Europe/Berlin", "comment": "weekend backups",
    }, format="json"))
    _created(client.post("/api/monitoring/checks/", {
        "name": "site", "kind": "http", "url": "http://127.0.0.1:8080/health",
        "headers": {"Authorization": "Bearer x1"},
    }, format="json"))


def build_silence(client) -> None:
    from datetime import timedelta

    from django.utils import timezone

    starts = timezone.now().replace(microsecond=0) + timedelta(days=1)
    _created(client.post("/api/alerts/silences/", {
        "matchers": [{"label": "team", "op": "=", "value": "payments"}],
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "comment": "database migration",
    }, format="json"))


def empty_the_database() -> None:
    for model in (AlertRule, NotificationPolicy, InhibitionRule, Silence, MaintenanceWindow, Check):
        model.objects.all().delete()
    NotificationChannel.objects.filter(builtin="").delete()
    DataSource.objects.all().delete()


def export(client, **params) -> str:
    response = client.get(EXPORT, params)
    assert response.status_code == 200, response.content
    return response.content.decode()


def post_yaml(client, text: str, query: str = ""):
    return client.generic("POST", IMPORT + query, text.encode(), content_type="application/yaml")


def test_the_round_trip_gives_the_same_document(manager, monkeypatch):
    build_one_of_each(manager)
    build_silence(manager)
    first = export(manager)
    assert first.startswith("apiVersion: resee/v1\n")
    document = yaml.safe_load(first)
    # Names, not ids; secrets as references, never in clear.
    assert WEBHOOK not in first and PROM_TOKEN not in first and "Bearer x1" not in first
    channel = document["channels"][0]
    assert channel["secrets"] == {"webhook_url": "${RESEE_CHANNEL_OPS_SLACK_WEBHOOK_URL}"}
    rules = {rule["name"]: rule for rule in document["rules"]}
    assert rules["API errors"]["channels"] == ["ops slack"]
    assert rules["API errors"]["labels"] == {"team": "payments"}
    assert rules["Queue backlog"]["data_source"] == "prom"
    assert "id" not in rules["API errors"] and "state" not in rules["API errors"]
    assert document["checks"][0]["headers"] == {"Authorization": "${RESEE_CHECK_SITE_AUTHORIZATION}"}
    assert {kind for kind in document if kind != "apiVersion"} == {
        "data_sources", "channels", "rules", "policies", "inhibition_rules", "silences", "maintenance_windows",
        "checks"}
    assert all(document[kind] for kind in document if kind != "apiVersion")

    empty_the_database()
    monkeypatch.setenv("RESEE_CHANNEL_OPS_SLACK_WEBHOOK_URL", WEBHOOK)
    monkeypatch.setenv("RESEE_DATA_SOURCE_PROM_BEARER_TOKEN", PROM_TOKEN)
    monkeypatch.setenv("RESEE_CHECK_SITE_AUTHORIZATION", "Bearer x1")
    response = post_yaml(manager, first)
    assert response.status_code == 200, response.content
    assert response.json()["kinds"]["rules"]["created"] == sorted(rules)
    assert export(manager) == first
    # The secrets came from the environment.
    assert NotificationChannel.objects.get(name="ops slack").secrets == {"webhook_url": WEBHOOK}
    assert DataSource.objects.get(name="prom").secrets == {"bearer_token": PROM_TOKEN}
    assert Check.objects.get(name="site").headers == {"Authorization": "Bearer x1"}

    # Applied again, nothing changes.
    again = post_yaml(manager, first).json()["kinds"]
    assert all(not report["created"] and not report["changed"] for report in again.values())


def test_json_export_and_import(manager, monkeypatch):
    build_one_of_each(manager)
    monkeypatch.setenv("RESEE_CHANNEL_OPS_SLACK_WEBHOOK_URL", WEBHOOK)
    response = manager.get(EXPORT, {"kinds": "rules,channels", "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert set(document) == {"apiVersion", "channels", "rules"}
    document["rules"][0]["threshold_value"] = 7.5
    response = manager.post(IMPORT + "?dry_run=true", document, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["kinds"]["rules"]["changed"] == {"API errors": {"threshold_value": {"old": 5.0, "new": 7.5}}}


def test_yaml_is_the_default_format(manager):
    response = manager.get(EXPORT)
    assert response["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(response.content) == {"apiVersion": "resee/v1", **{kind: [] for kind in (
        "data_sources", "channels", "rules", "policies", "inhibition_rules", "silences", "maintenance_windows",
        "checks")}}


def test_dry_run_says_what_would_change_and_changes_nothing(manager, monkeypatch):
    build_one_of_each(manager)
    document = yaml.safe_load(export(manager, kinds="rules,channels"))
    rules = {rule["name"]: rule for rule in document["rules"]}
    rules["API errors"]["threshold_value"] = 9
    rules["API errors"]["labels"] = {"team": "payments", "tier": "1"}
    document["rules"].append({"name": "CPU", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 90})
    monkeypatch.setenv("RESEE_CHANNEL_OPS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/other")
    response = post_yaml(manager, yaml.safe_dump(document), "?dry_run=true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert body["kinds"]["rules"]["created"] == ["CPU"]
    assert body["kinds"]["rules"]["changed"] == {"API errors": {
        "threshold_value": {"old": 5.0, "new": 9.0},
        "labels": {"old": {"team": "payments"}, "new": {"team": "payments", "tier": "1"}},
    }}
    assert body["kinds"]["rules"]["unchanged"] == ["Queue backlog", "site is down"]
    # A secret is said to change, never shown.
    assert body["kinds"]["channels"]["changed"] == {"ops slack": {"secrets": "changed"}}
    assert "other" not in response.content.decode()
    assert AlertRule.objects.get(name="API errors").threshold_value == 5
    assert not AlertRule.objects.filter(name="CPU").exists()
    assert NotificationChannel.objects.get(name="ops slack").secrets == {"webhook_url": WEBHOOK}

    response = post_yaml(manager, yaml.safe_dump(document))
    assert response.json()["applied"] is True
    assert AlertRule.objects.get(name="API errors").threshold_value == 9
    assert AlertRule.objects.filter(name="CPU").exists()


def test_prune_deletes_what_the_document_does_not_name_in_its_kinds(manager):
    build_one_of_each(manager)
    document = yaml.safe_load(export(manager, kinds="rules"))
    document["rules"] = [rule for rule in document["rules"] if rule["name"] == "API errors"]
    without = yaml.safe_dump(document)
    # Without prune, nothing is deleted.
    body = post_yaml(manager, without).json()
    assert body["kinds"]["rules"]["deleted"] == []
    assert AlertRule.objects.count() == 3  # and the check's default rule
    body = post_yaml(manager, without, "?prune=true&dry_run=true").json()
    assert body["kinds"]["rules"]["deleted"] == ["Queue backlog", "site is down"]
    assert AlertRule.objects.count() == 3
    body = post_yaml(manager, without, "?prune=true").json()
    assert body["kinds"]["rules"]["deleted"] == ["Queue backlog", "site is down"]
    assert list(AlertRule.objects.values_list("name", flat=True)) == ["API errors"]
    # Kinds the document does not list are left alone.
    assert NotificationChannel.objects.filter(name="ops slack").exists() and Check.objects.exists()


def test_a_bad_document_is_refused_whole_with_every_problem_at_its_path(manager):
    build_one_of_each(manager)
    document = yaml.safe_load(export(manager, kinds="rules,policies"))
    document["rules"].append({"name": "new and fine", "metric_name": "cpu_usage", "condition": "gt",
                              "threshold_value": 90})
    document["rules"][0]["severity"] = "huge"
    document["rules"].append({"name": "bad number", "metric_name": "cpu_usage", "condition": "gt",
                              "threshold_value": "lots"})
    document["rules"].append({"name": "bad channel", "metric_name": "cpu_usage", "condition": "gt",
                              "threshold_value": 1, "channels": ["nowhere"], "colour": "red"})
    document["policies"][0]["matchers"] = [{"label": "team", "op": "~~", "value": "x"}]
    response = post_yaml(manager, yaml.safe_dump(document), "?prune=true")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"rules[0].severity", "rules[4].threshold_value", "rules[5].channels[0]",
                           "rules[5].colour", "policies[0].matchers[0].op"}, errors
    assert errors["rules[4].threshold_value"] == ["A valid number is required."]
    assert errors["rules[5].channels[0]"] == ["No channel named 'nowhere'."]
    # Nothing was saved: not the good new rule, not the prune.
    assert not AlertRule.objects.filter(name="new and fine").exists()
    assert AlertRule.objects.count() == 3
    assert AlertRule.objects.get(name="API errors").severity == "high"


@pytest.mark.parametrize(("document", "path"), [
    ({"apiVersion": "resee/v2", "rules": []}, "apiVersion"),
    ({"rules": []}, "apiVersion"),
    ({"apiVersion": "resee/v1", "dashboards": []}, "dashboards"),
    ({"apiVersion": "resee/v1", "rules": {"name": "x"}}, "rules"),
    ({"apiVersion": "resee/v1", "rules": ["x"]}, "rules[0]"),
    ({"apiVersion": "resee/v1", "rules": [{"metric_name": "cpu_usage"}]}, "rules[0].name"),
    ({"apiVersion": "resee/v1", "rules": [{"name": "a", "metric_name": "cpu_usage", "condition": "gt",
                                           "threshold_value": 1}, {"name": "a"}]}, "rules[1].name"),
    (["not", "a", "mapping"], "document"),
])
def test_a_malformed_document_is_a_400_at_its_path(manager, document, path):
    response = manager.post(IMPORT, document, format="json")
    assert response.status_code == 400
    assert path in response.json(), response.json()
    assert not AlertRule.objects.exists()


def test_a_reference_to_an_unset_variable_is_an_error_at_its_path(manager, monkeypatch):
    monkeypatch.delenv("RESEE_NOT_SET_ANYWHERE", raising=False)
    text = """apiVersion: resee/v1
channels:
- name: hook
  kind: slack
  settings: {channel: "#x"}
  secrets: {webhook_url: "${RESEE_NOT_SET_ANYWHERE}"}
"""
    response = post_yaml(manager, text)
    assert response.status_code == 400
    assert response.json() == {"channels[0].secrets.webhook_url": [
        "The environment variable RESEE_NOT_SET_ANYWHERE is not set."]}
    assert not NotificationChannel.objects.filter(name="hook").exists()


def test_duplicate_names_in_the_database_are_refused_at_their_path(manager):
    for _ in range(2):
        AlertRule.objects.create(name="twin", metric_name="cpu_usage", condition="gt", threshold_value=1)
    response = manager.get(EXPORT, {"kinds": "rules"})
    assert response.status_code == 409
    assert "2 rules have the name 'twin'" in response.json()["rules"][0]
    response = post_yaml(manager, "apiVersion: resee/v1\nrules:\n- {name: twin, metric_name: cpu_usage, "
                                  "condition: gt, threshold_value: 2}\n")
    assert response.status_code == 400
    assert "2 rules in the database" in response.json()["rules[0].name"][0]


@pytest.mark.parametrize(("body", "message"), [
    ("rules: [unclosed", "Not YAML or JSON"),
    ("a: &a [1]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n"
                              for i in range(40)), "more than"),
    ("[" * 100 + "]" * 100, "nests more than"),
])
def test_yaml_that_cannot_be_read_is_a_400(manager, body, message):
    response = post_yaml(manager, body)
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


def test_bad_parameters_are_400(manager):
    assert manager.get(EXPORT, {"kinds": "rules,dashboards"}).json() == {
        "kinds": ["Unknown kind 'dashboards': the kinds are data_sources, channels, rules, policies, "
                  "inhibition_rules, silences, maintenance_windows, checks."]}
    assert manager.get(EXPORT, {"format": "xml"}).status_code == 400
    assert manager.post(IMPORT + "?dry_run=maybe", {"apiVersion": "resee/v1"}, format="json").json() == {
        "dry_run": ["Expected true or false."]}


def test_who_may_export_and_import(api_client, viewer_client, manager, nobody):
    assert api_client.get(EXPORT).status_code == 401
    assert api_client.post(IMPORT, {"apiVersion": "resee/v1"}, format="json").status_code == 401
    assert viewer_client.get(EXPORT).status_code == 200
    assert viewer_client.post(IMPORT, {"apiVersion": "resee/v1", "rules": []}, format="json").status_code == 403
    assert client_for(nobody).get(EXPORT, {"kinds": "rules"}).status_code == 403
    assert manager.post(IMPORT, {"apiVersion": "resee/v1", "rules": []}, format="json").status_code == 200


def test_the_commands_export_and_import(manager, tmp_path, monkeypatch, capsys):
    build_one_of_each(manager)
    path = tmp_path / "config.yaml"
    call_command("export_config", "-o", str(path))
    exported = path.read_text()
    assert exported == export(manager)
    empty_the_database()
    monkeypatch.setenv("RESEE_CHANNEL_OPS_SLACK_WEBHOOK_URL", WEBHOOK)
    monkeypatch.setenv("RESEE_DATA_SOURCE_PROM_BEARER_TOKEN", PROM_TOKEN)
    monkeypatch.setenv("RESEE_CHECK_SITE_AUTHORIZATION", "Bearer x1")
    capsys.readouterr()
    call_command("import_config", str(path), "--dry-run")
    assert json.loads(capsys.readouterr().out)["kinds"]["channels"]["created"] == ["ops slack"]
    assert not NotificationChannel.objects.filter(name="ops slack").exists()
    call_command("import_config", str(path))
    capsys.readouterr()
    call_command("export_config", "--kinds", "rules", "--format", "json")
    assert [rule["name"] for rule in json.loads(capsys.readouterr().out)["rules"]] == [
        "API errors", "Queue backlog", "site is down"]


def test_the_import_command_names_who_in_the_audit_trail(user, tmp_path, capsys):
    from auditlog.models import LogEntry

    path = tmp_path / "config.yaml"
    path.write_text("apiVersion: resee/v1\nrules:\n- {name: CPU, metric_name: cpu_usage, condition: gt, "
                    "threshold_value: 90}\n")
    with pytest.raises(CommandError, match="No active user 'ghost'"):
        call_command("import_config", str(path), "--user", "ghost")
    assert not LogEntry.objects.exists()
    call_command("import_config", str(path), "--user", user.get_username())
    entry = LogEntry.objects.get()
    assert "CPU" in entry.object_repr
    assert entry.additional_data["source"] == "import"
    assert entry.additional_data["user_name"] == user.get_username()
    assert entry.actor_id == user.pk


def test_the_example_document_imports(manager, monkeypatch):
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.REPO_DIR) / "examples" / "config.yaml").read_text()
    for name in ("RESEE_DATA_SOURCE_PROM_BEARER_TOKEN", "RESEE_CHANNEL_OPS_SLACK_WEBHOOK_URL",
                 "RESEE_CHECK_SITE_AUTHORIZATION"):
        monkeypatch.setenv(name, "https://hooks.slack.com/services/T/B/example")
    response = post_yaml(manager, text)
    assert response.status_code == 200, response.content
    assert export(manager) == text[text.index("apiVersion"):]
