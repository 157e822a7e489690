"""Provisioning from PROVISIONING_DIR: files applied by the task, their objects read-only through
the API (change the file), changes to a file applied on the next run, what a file drops deleted."""

import textwrap

import pytest

from alerts.models import AlertRule, NotificationChannel, NotificationPolicy
from configuration.models import ProvisionedObject
from configuration.tasks import provision_configuration
from core.testing import client_for

pytestmark = pytest.mark.django_db

FILE = textwrap.dedent("""\
    apiVersion: resee/v1
    channels:
      - name: ops hook
        kind: webhook
        settings: {}
        secrets: {url: "${RESEE_TEST_OPS_HOOK_URL}"}
    rules:
      - name: CPU high
        metric_name: cpu_usage
        condition: gt
        threshold_value: 90
        channels: [ops hook]
      - name: Memory high
        metric_name: memory_usage
        condition: gt
        threshold_value: 95
    policies:
      - name: everything to ops
        channels: [ops hook]
    """)


@pytest.fixture
def directory(tmp_path, settings, monkeypatch):
    settings.PROVISIONING_DIR = str(tmp_path)
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    monkeypatch.setenv("RESEE_TEST_OPS_HOOK_URL", "http://127.0.0.1:9/hook")
    return tmp_path


def test_provisioned_objects_change_through_their_file(directory, user):
    (directory / "team.yaml").write_text(FILE)
    (directory / "notes.txt").write_text("not a document")
    manager = client_for(user)
    by_hand = manager.post("/api/alerts/rules/", {"name": "By hand", "metric_name": "cpu_usage", "condition": "gt",
                                                  "threshold_value": 1}, format="json").json()

    outcome = provision_configuration.apply().get()
    assert list(outcome) == ["team.yaml"]
    assert outcome["team.yaml"]["kinds"]["rules"]["created"] == ["CPU high", "Memory high"]
    rule = AlertRule.objects.get(name="CPU high")
    assert ProvisionedObject.objects.filter(file_name="team.yaml").count() == 4

    # The API shows where it comes from and refuses to change or delete it.
    shown = manager.get(f"/api/alerts/rules/{rule.pk}/").json()
    assert shown["provisioned"] == "team.yaml"
    assert manager.get(f"/api/alerts/rules/{by_hand['id']}/").json()["provisioned"] is None
    response = manager.patch(f"/api/alerts/rules/{rule.pk}/", {"threshold_value": 50}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("provisioned from team.yaml: change the file")
    assert manager.delete(f"/api/alerts/rules/{rule.pk}/").status_code == 409
    policy = NotificationPolicy.objects.get(name="everything to ops")
    assert manager.put(f"/api/alerts/policies/{policy.pk}/", {"name": "x", "channels": []},
                       format="json").status_code == 409
    # Nor through an import.
    response = manager.post("/api/config/import/", {"apiVersion": "resee/v1", "rules": [
        {"name": "CPU high", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 50,
         "channels": ["ops hook"]}]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"rules[0]": ["provisioned from team.yaml: change the file."]}
    assert AlertRule.objects.get(pk=rule.pk).threshold_value == 90

    # The file changes: the next run applies it; the rule it no longer names is deleted, the one made
    # by hand is not.
    (directory / "team.yaml").write_text(FILE.replace("threshold_value: 90", "threshold_value: 80").replace(
        "  - name: Memory high\n    metric_name: memory_usage\n    condition: gt\n    threshold_value: 95\n", ""))
    outcome = provision_configuration.apply().get()
    assert outcome["team.yaml"]["kinds"]["rules"]["changed"] == {
        "CPU high": {"threshold_value": {"old": 90.0, "new": 80.0}}}
    assert outcome["team.yaml"]["kinds"]["rules"]["deleted"] == ["Memory high"]
    assert AlertRule.objects.get(pk=rule.pk).threshold_value == 80
    assert set(AlertRule.objects.values_list("name", flat=True)) == {"CPU high", "By hand"}
    assert ProvisionedObject.objects.filter(file_name="team.yaml").count() == 3

    # A file with a problem changes nothing; the file gone takes what it provisioned with it.
    (directory / "broken.yml").write_text("apiVersion: resee/v1\nrules:\n- name: Bad\n  threshold_value: x\n")
    outcome = provision_configuration.apply().get()
    assert "rules[0].threshold_value" in outcome["broken.yml"]["errors"]
    assert not AlertRule.objects.filter(name="Bad").exists()
    (directory / "team.yaml").unlink()
    provision_configuration.apply().get()
    assert list(AlertRule.objects.values_list("name", flat=True)) == ["By hand"]
    assert not NotificationPolicy.objects.exists()
    assert not ProvisionedObject.objects.exists()
    assert manager.patch(f"/api/alerts/rules/{by_hand['id']}/", {"threshold_value": 2},
                         format="json").status_code == 200


def test_no_action_changes_a_provisioned_object(directory, user):
    (directory / "team.yaml").write_text(FILE)
    provision_configuration.apply().get()
    manager = client_for(user)
    rule = AlertRule.objects.get(name="CPU high")
    versions = manager.get(f"/api/alerts/rules/{rule.pk}/versions/").json()
    assert versions, "provisioning records a version"

    # Restoring a version is a change like any other.
    response = manager.post(f"/api/alerts/rules/{rule.pk}/versions/{versions[-1]['number']}/restore/")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("provisioned from team.yaml")

    # Nor may a reorder move a provisioned policy; moving only the others around it may.
    provisioned = NotificationPolicy.objects.get(name="everything to ops")
    hook = NotificationChannel.objects.get(name="ops hook").pk
    first = manager.post("/api/alerts/policies/", {"name": "first by hand", "channels": [hook]}, format="json").json()
    second = manager.post("/api/alerts/policies/", {"name": "second by hand", "channels": [hook]},
                          format="json").json()
    response = manager.post("/api/alerts/policies/reorder/", {"order": [first["id"], provisioned.pk, second["id"]]},
                            format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["detail"].startswith("provisioned from team.yaml")
    assert list(NotificationPolicy.objects.order_by("position", "id").values_list("pk", flat=True)) == [
        provisioned.pk, first["id"], second["id"]]
    response = manager.post("/api/alerts/policies/reorder/", {"order": [provisioned.pk, second["id"], first["id"]]},
                            format="json")
    assert response.status_code == 200, response.json()
    assert [policy["id"] for policy in response.json()] == [provisioned.pk, second["id"], first["id"]]


def test_the_beat_schedule_runs_provisioning_when_a_directory_is_set():
    import importlib
    import os

    import resee.settings as project_settings

    os.environ["PROVISIONING_DIR"] = "/srv/resee/provisioning"
    try:
        reloaded = importlib.reload(project_settings)
        entry = reloaded.CELERY_BEAT_SCHEDULE["provision-configuration"]
        assert entry["task"] == "configuration.tasks.provision_configuration"
        assert entry["schedule"].total_seconds() == 300
    finally:
        del os.environ["PROVISIONING_DIR"]
        importlib.reload(project_settings)
    assert "provision-configuration" not in project_settings.CELERY_BEAT_SCHEDULE


@pytest.fixture
def eager():
    from resee.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_beat_starting_sends_the_provisioning_task(directory, eager, settings):
    from celery.signals import beat_init

    (directory / "team.yaml").write_text(FILE)
    beat_init.send(sender=None)
    assert AlertRule.objects.filter(name="CPU high").exists()
    AlertRule.objects.all().delete()
    settings.PROVISIONING_DIR = ""
    beat_init.send(sender=None)
    assert not AlertRule.objects.exists()
