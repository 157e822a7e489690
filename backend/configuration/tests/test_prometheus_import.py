"""Prometheus alerting rule files imported as PromQL rules on a data source."""

import json
import shutil
import subprocess
import textwrap

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alerts.models import AlertRule, NotificationChannel
from core.testing import client_for
from monitoring.models import DataSource

pytestmark = pytest.mark.django_db

URL = "/api/config/import-prometheus/"
PROMTOOL = shutil.which("promtool")

RULE_FILE = textwrap.dedent("""\
    groups:
      - name: api
        rules:
          - record: job:http_errors:rate5m
            expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
          - alert: HighErrorRate
            expr: job:http_errors:rate5m{job="api"} > 0.5
            for: 10m
            labels:
              severity: page
              team: payments
            annotations:
              summary: "{{ $labels.job }} fails at {{ $value }} per second"
              description: The API answers with errors.
              runbook_url: https://runbooks.example.com/high-error-rate
          - alert: InstanceDown
            expr: up == 0
            for: 90s
            labels:
              severity: warning
      - name: capacity
        rules:
          - alert: DiskWillFill
            expr: predict_linear(node_filesystem_free_bytes[6h], 86400) < 0
          - alert: TargetMissing
            expr: absent(up{job="api"})
    """)


@pytest.fixture
def source(db):
    return DataSource.objects.create(name="prom", base_url="http://prometheus.example:9090")


@pytest.fixture
def manager(user):
    return client_for(user)


def post(client, text, query):
    return client.generic("POST", URL + query, text.encode(), content_type="application/yaml")


def test_a_prometheus_rule_file_becomes_promql_rules(manager, source, tmp_path):
    if PROMTOOL:
        path = tmp_path / "rules.yml"
        path.write_text(RULE_FILE)
        checked = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr

    response = post(manager, RULE_FILE, "?data_source=prom&dry_run=true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kinds"]["rules"]["created"] == ["HighErrorRate", "InstanceDown", "DiskWillFill", "TargetMissing"]
    assert body["skipped_recording_rules"] == ["job:http_errors:rate5m"]
    assert not AlertRule.objects.exists()

    assert post(manager, RULE_FILE, "?data_source=prom").status_code == 200
    rules = {rule.name: rule for rule in AlertRule.objects.all()}
    high = rules["HighErrorRate"]
    assert (high.kind, high.data_source_id) == ("promql", source.pk)
    assert high.expr == 'job:http_errors:rate5m{job="api"} > 0.5'
    assert (high.condition, high.threshold_value, high.for_minutes, high.severity) == ("gt", 0.5, 10, "critical")
    assert high.labels == {"severity": "page", "team": "payments"}
    assert high.summary == "{{ labels.job }} fails at {{ value }} per second"
    assert high.runbook_url == "https://runbooks.example.com/high-error-rate"
    assert high.description == "The API answers with errors."
    down = rules["InstanceDown"]
    assert (down.condition, down.threshold_value, down.for_minutes, down.severity) == ("eq", 0.0, 2, "medium")
    assert (rules["DiskWillFill"].condition, rules["DiskWillFill"].threshold_value) == ("lt", 0.0)
    # No comparison: every series returned fires, as in Prometheus.
    missing = rules["TargetMissing"]
    assert (missing.expr, missing.condition, missing.threshold_value) == ('(absent(up{job="api"})) * 0 + 1', "eq", 1.0)


def test_importing_again_changes_only_what_the_file_states(manager, source):
    post(manager, RULE_FILE, "?data_source=prom")
    channel = NotificationChannel.objects.create(kind="slack", name="ops", settings={"channel": "#ops"},
                                                 secrets={"webhook_url": "https://hooks.slack.com/services/T/B/c"})
    AlertRule.objects.get(name="InstanceDown").channels.add(channel)
    changed = RULE_FILE.replace("for: 90s", "for: 5m")
    body = post(manager, changed, "?data_source=prom").json()
    assert body["kinds"]["rules"]["changed"] == {"InstanceDown": {"for_minutes": {"old": 2, "new": 5}}}
    assert sorted(body["kinds"]["rules"]["unchanged"]) == ["DiskWillFill", "HighErrorRate", "TargetMissing"]
    assert list(AlertRule.objects.get(name="InstanceDown").channels.all()) == [channel]


def test_a_bad_rule_file_is_refused_whole_at_its_paths(manager, source):
    bad = RULE_FILE.replace("for: 90s", "for: soon").replace("alert: DiskWillFill", "alert: HighErrorRate")
    response = post(manager, bad, "?data_source=prom")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"groups[0].rules[2].for", "groups[1].rules[0].alert"}, errors
    assert not AlertRule.objects.exists()
    response = post(manager, RULE_FILE, "?data_source=nowhere")
    assert response.status_code == 400
    assert response.json() == {"data_source": ["No data source named 'nowhere'."]}
    assert post(manager, RULE_FILE, "").json() == {
        "data_source": ["Name the data source the rules query: ?data_source=<name>."]}
    assert post(manager, "groups: 3", "?data_source=prom").status_code == 400
    assert not AlertRule.objects.exists()


def test_viewers_may_not_import(viewer_client, source):
    assert post(viewer_client, RULE_FILE, "?data_source=prom").status_code == 403


def test_the_command_imports_a_rule_file(source, tmp_path, capsys):
    path = tmp_path / "rules.yml"
    path.write_text(RULE_FILE)
    with pytest.raises(CommandError, match="--data-source"):
        call_command("import_config", "--prometheus", str(path))
    call_command("import_config", "--prometheus", str(path), "--data-source", "prom")
    assert json.loads(capsys.readouterr().out)["skipped_recording_rules"] == ["job:http_errors:rate5m"]
    assert AlertRule.objects.filter(kind="promql", data_source=source).count() == 4
