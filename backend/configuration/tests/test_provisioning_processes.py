"""Provisioning with real processes: beat, started with PROVISIONING_DIR, has a worker apply the
directory's files at once and again every PROVISIONING_INTERVAL_SECONDS; a change to a file reaches
the database on a later run, and the API refuses to change what the file holds."""

import textwrap

import pytest

from alerts.models import AlertRule
from core.testing import PYTHON, child_env, client_for, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

INTERVAL = 10
FILE = textwrap.dedent("""\
    apiVersion: resee/v1
    rules:
      - name: Disk nearly full
        metric_name: disk_usage
        condition: gt
        threshold_value: 90
    """)


def test_beat_and_a_worker_apply_the_directory_and_its_changes(tmp_path, process_group, user):
    directory = tmp_path / "provisioning"
    directory.mkdir()
    (directory / "disks.yaml").write_text(FILE)
    env = child_env(tmp_path, PROVISIONING_DIR=str(directory), PROVISIONING_INTERVAL_SECONDS=str(INTERVAL))
    worker = process_group.start(
        "worker", [PYTHON, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO", "--concurrency", "1"], env)
    process_group.start("beat", [PYTHON, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO",
                                 "--schedule", str(tmp_path / "beat-schedule")], env)

    def rule():
        assert worker.poll() is None, process_group.log("worker")
        return AlertRule.objects.filter(name="Disk nearly full").first()

    wait_for(lambda: rule() is not None, timeout=90, message="the provisioned rule, applied when beat started")
    assert rule().threshold_value == 90
    response = client_for(user).patch(f"/api/alerts/rules/{rule().pk}/", {"threshold_value": 50}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("provisioned from disks.yaml: change the file")

    (directory / "disks.yaml").write_text(FILE.replace("threshold_value: 90", "threshold_value: 85"))
    wait_for(lambda: rule().threshold_value == 85, timeout=6 * INTERVAL, message="the file's change, applied")
    assert AlertRule.objects.count() == 1
