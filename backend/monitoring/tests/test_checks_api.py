"""The checks API (/api/monitoring/checks/): permissions, validation, the default rule, uptime
and recent runs; and a due check run through the real tasks whose default rule fires."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import tasks as alert_tasks
from alerts.models import AlertHistory, AlertRule
from core.testing import client_for
from monitoring import tasks
from monitoring.checks import service
from monitoring.models import Check, CheckResult, CheckStatus, MetricSample

from .check_servers import TargetServer

pytestmark = pytest.mark.django_db

URL = "/api/monitoring/checks/"


@pytest.fixture(autouse=True)
def _private_targets(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def eager():
    from resee.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_create_makes_the_default_rule(user):
    response = client_for(user).post(URL, {"name": "Our website", "kind": "http", "url": "https://example.com/"},
                                     format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "unknown" and body["ping_url"] == "" and body["recent"] == []
    assert body["uptime"] == {"24h": None, "7d": None, "30d": None}
    assert body["interval_seconds"] == 60 and body["expected_status"] == "200-299" and body["follow_redirects"]
    rule = AlertRule.objects.get(pk=body["rule_id"])
    assert rule.name == "Our website is down" and rule.metric_name == "check_up"
    assert (rule.condition, rule.threshold_value, rule.aggregation, rule.severity) == ("lt", 1.0, "max", "high")
    assert rule.time_window_minutes == 2  # two runs of a minute
    assert rule.label_matchers == [{"label": "check", "op": "=", "value": "Our website"}]


def test_create_without_rule_and_a_heartbeat_has_a_ping_url(user, settings):
    settings.SITE_URL = "https://resee.example.com"
    response = client_for(user).post(URL, {"name": "nightly backup", "kind": "heartbeat", "cron": "0 3 * * *",
                                           "time_zone": "Europe/Berlin", "create_rule": False}, format="json")
    assert response.status_code == 201, response.json()
    check = Check.objects.get()
    assert response.json()["ping_url"] == f"https://resee.example.com/ping/{check.ping_key}/"
    assert response.json()["rule_id"] is None and not AlertRule.objects.exists()


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"kind": "http", "url": "ftp://x/"}, "url", "only http:// and https:// URLs are allowed."),
    ({"kind": "http", "url": "https://x/", "expected_status": "200-"}, "expected_status", "not a status code"),
    ({"kind": "http", "url": "https://x/", "expected_status": "299-200"}, "expected_status", "from the lower"),
    ({"kind": "http", "url": "https://x/", "expected_status": "700"}, "expected_status", "between 100 and 599"),
    ({"kind": "http", "url": "https://x/", "body_contains": "(", "body_regex": True}, "body_contains",
     "Not a valid regular expression"),
    ({"kind": "http", "url": "https://x/", "interval_seconds": 10}, "interval_seconds", "greater than or equal to 30"),
    ({"kind": "http", "url": "https://x/", "timeout_seconds": 61}, "timeout_seconds", "less than or equal to 60"),
    ({"kind": "http", "url": "https://x/", "method": "PUT"}, "method", "not a valid choice"),
    ({"kind": "http", "url": "https://x/", "headers": {"Bad Name": "x"}}, "headers", "not a valid header name"),
    ({"kind": "http", "url": "https://x/", "headers": ["x"]}, "headers", "An object of header names"),
    ({"kind": "tcp", "host": "", "port": 5432}, "host", "A host name or address is required."),
    ({"kind": "tcp", "host": "db", "port": 70000}, "port", "less than or equal to 65535"),
    ({"kind": "tcp", "host": "db"}, "port", "A port between 1 and 65535 is required."),
    ({"kind": "heartbeat", "cron": "every day"}, "cron", "Not a cron expression"),
    ({"kind": "heartbeat", "time_zone": "Mars/Olympus"}, "time_zone", "Not a known time zone"),
    ({"kind": "radar"}, "kind", "not a valid choice"),
])
def test_bad_input_is_a_400_on_its_field(user, body, field, message):
    response = client_for(user).post(URL, {"name": "bad", **body}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert message in " ".join(response.json()[field])
    assert not Check.objects.exists()


def test_names_are_unique_409(user):
    client = client_for(user)
    assert client.post(URL, {"name": "db", "kind": "tcp", "host": "db", "port": 5432}, format="json").status_code == 201
    response = client.post(URL, {"name": "db", "kind": "tcp", "host": "db", "port": 5433}, format="json")
    assert response.status_code == 409 and "name" in response.json()


def test_viewers_read_managers_write(user, viewer, nobody):
    check = service.create_check(name="db", kind="tcp", host="db", port=5432, headers={}, create_rule=False)
    assert client_for(viewer).get(URL).status_code == 200
    assert client_for(viewer).get(f"{URL}{check.pk}/results/").status_code == 200
    assert client_for(viewer).patch(f"{URL}{check.pk}/", {"port": 1}, format="json").status_code == 403
    assert client_for(viewer).post(f"{URL}{check.pk}/run/").status_code == 403
    assert client_for(viewer).delete(f"{URL}{check.pk}/").status_code == 403
    assert client_for(nobody).get(URL).status_code == 403
    assert client_for(user).patch(f"{URL}{check.pk}/", {"port": 6432}, format="json").json()["port"] == 6432


def test_viewers_do_not_see_secret_header_values(user, viewer):
    client_for(user).post(URL, {"name": "api", "kind": "http", "url": "https://example.com/",
                                "headers": {"Authorization": "Bearer s3cret", "X-Team": "web"}}, format="json")
    seen = client_for(viewer).get(URL).json()["results"][0]["headers"]
    assert seen == {"Authorization": "set", "X-Team": "web"}
    assert client_for(user).get(URL).json()["results"][0]["headers"]["Authorization"] == "Bearer s3cret"


def test_rename_moves_the_rule_and_delete_removes_it(user):
    client = client_for(user)
    body = client.post(URL, {"name": "db", "kind": "tcp", "host": "db", "port": 5432}, format="json").json()
    client.patch(f"{URL}{body['id']}/", {"name": "primary db"}, format="json")
    rule = AlertRule.objects.get(pk=body["rule_id"])
    assert rule.name == "primary db is down"
    assert rule.label_matchers == [{"label": "check", "op": "=", "value": "primary db"}]
    assert client.delete(f"{URL}{body['id']}/").status_code == 204
    assert not AlertRule.objects.filter(pk=body["rule_id"]).exists()


def test_run_now_results_uptime_and_recent(user):
    with TargetServer() as server:
        client = client_for(user)
        body = client.post(URL, {"name": "site", "kind": "http", "url": server.url("/ok"), "create_rule": False},
                           format="json").json()
        ran = client.post(f"{URL}{body['id']}/run/")
        assert ran.status_code == 200
        assert ran.json()["status"] == "up" and ran.json()["last_response_time_ms"] > 0
        Check.objects.filter(pk=body["id"]).update(url=server.url("/error"))
        assert client.post(f"{URL}{body['id']}/run/").json()["status"] == "down"
    results = client.get(f"{URL}{body['id']}/results/?limit=1").json()
    assert len(results) == 1 and results[0]["status_code"] == 500 and not results[0]["up"]
    assert results[0]["error"] == "Answered 500; expected 200-299."
    detail = client.get(f"{URL}{body['id']}/").json()
    assert detail["uptime"] == {"24h": 50.0, "7d": 50.0, "30d": 50.0}
    assert [run["up"] for run in detail["recent"]] == [False, True]
    assert client.get(f"{URL}{body['id']}/results/?limit=0").status_code == 400
    heartbeat = service.create_check(name="hb", kind="heartbeat", create_rule=False)
    assert client.post(f"{URL}{heartbeat.pk}/run/").status_code == 400


def test_the_list_costs_the_same_queries_for_1_and_20_checks(user):
    client = client_for(user)

    def add(n, offset):
        for i in range(n):
            check = service.create_check(name=f"check {offset + i}", kind="tcp", host="db", port=5432,
                                         create_rule=False)
            for minutes in range(40):
                CheckResult.objects.create(check_ref=check, at=timezone.now() - timedelta(minutes=minutes),
                                           up=minutes % 3 != 0, response_time_ms=1.0)

    add(1, 0)
    # The token's first request also notes its last use (written at most once a minute): not counted.
    assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    add(19, 100)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).json()
    assert len(many) == len(one), [q["sql"] for q in many]
    assert len(page["results"]) == 20 and all(len(check["recent"]) == 30 for check in page["results"])


def test_a_due_check_runs_through_the_tasks_and_its_rule_fires(user, eager):
    with TargetServer() as server:
        client = client_for(user)
        body = client.post(URL, {"name": "Our website", "kind": "http", "url": server.url("/error")},
                           format="json").json()
        assert tasks.sweep_checks.apply().get() == {"runs": 1, "heartbeats": 0}
        # Not due again until its interval has passed: a second sweep (another beat) runs nothing.
        assert tasks.sweep_checks.apply().get() == {"runs": 0, "heartbeats": 0}
        Check.objects.filter(pk=body["id"]).update(next_run_at=timezone.now())
        assert tasks.sweep_checks.apply().get() == {"runs": 1, "heartbeats": 0}
    check = Check.objects.get(pk=body["id"])
    assert check.status == CheckStatus.DOWN and check.results.count() == 2
    labels = {"check": "Our website", "kind": "http"}
    assert list(MetricSample.objects.filter(name="check_up", series__labels=labels).values_list("value", flat=True)) \
        == [0.0, 0.0]
    assert MetricSample.objects.filter(name="check_response_time_ms", series__labels=labels).count() == 2
    alert_tasks.check_alert_rules()
    alert = AlertHistory.objects.get(rule_id=body["rule_id"])
    assert alert.status == "active" and alert.severity == "high"
    assert AlertRule.objects.get(pk=body["rule_id"]).state == "firing"


def test_one_answer_names_every_bad_field(user):
    response = client_for(user).post(URL, {"name": "x", "kind": "http", "url": "ftp://x/", "expected_status": "200-",
                                           "interval_seconds": 10, "cron": "nope"}, format="json")
    assert response.status_code == 400
    assert {"url", "expected_status", "interval_seconds", "cron"} <= set(response.json())


def test_results_older_than_their_retention_are_deleted(settings):
    from monitoring.services import delete_old_telemetry

    check = service.create_check(name="db", kind="tcp", host="db", port=5432, create_rule=False)
    now = timezone.now()
    CheckResult.objects.create(check_ref=check, at=now - timedelta(days=32), up=True)
    kept = CheckResult.objects.create(check_ref=check, at=now - timedelta(days=29), up=True)
    assert delete_old_telemetry(now=now)["check_results"] == 1
    assert list(CheckResult.objects.all()) == [kept]


def test_the_default_rule_fires_on_two_down_runs_in_a_row_not_one(user):
    from monitoring.checks.runners import Outcome

    now = timezone.now()
    client = client_for(user)
    once = client.post(URL, {"name": "flaky", "kind": "tcp", "host": "db", "port": 1}, format="json").json()
    twice = client.post(URL, {"name": "gone", "kind": "tcp", "host": "db", "port": 2}, format="json").json()
    for body, runs in ((once, [True, False]), (twice, [False, False])):
        check = Check.objects.get(pk=body["id"])
        for seconds, up in zip((65, 5), runs):
            service.record_outcome(check, Outcome(up, 1.0), at=now - timedelta(seconds=seconds))
    alert_tasks.check_alert_rules()
    assert AlertRule.objects.get(pk=once["rule_id"]).state == "ok"
    assert AlertRule.objects.get(pk=twice["rule_id"]).state == "firing"
    labels = client.get("/api/monitoring/metrics/check_up/labels/").json()["labels"]
    assert labels == {"check": ["flaky", "gone"], "kind": ["tcp"]}
