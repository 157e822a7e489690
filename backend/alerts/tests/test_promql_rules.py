"""Rules of kind promql: an expression evaluated by a Prometheus-compatible data source (here a
fake Prometheus HTTP API on 127.0.0.1) at each tick's time, each series returned a group judged as
the groups of any grouped rule are (pending, hysteresis, limits, annotations); a series no longer
returned is back to normal; a data source's failure is the rule's error, never an alert opened or
resolved."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings

from alerts.models import AlertHistory, AlertRule, AlertRuleGroup
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from monitoring.models import DataSource
from monitoring.tests.fake_prometheus import Answer, FakePrometheus, error, matrix, vector

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 3, 12, 0, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
TOKEN = "prom-token-0123456789-zz99"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    settings.ALERT_CHECK_INTERVAL_SECONDS = 60
    cache.delete_many([alert_engine.EVALUATIONS_CACHE_KEY, alert_engine.GROUP_EVALUATIONS_CACHE_KEY])
    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=True):
        yield


@pytest.fixture
def fake():
    server = FakePrometheus()
    yield server
    server.close()


@pytest.fixture
def source(fake):
    return DataSource.objects.create(name="prom", base_url=fake.url, secrets={"bearer_token": TOKEN},
                                     timeout_seconds=2)


def answer(fake, *series):
    fake.answers["/api/v1/query"] = Answer(vector(*series))


def promql_rule(source, **fields) -> AlertRule:
    defaults = dict(name="Queue backlog", kind="promql", expr="my_queue_depth > 100", data_source=source,
                    condition="gt", threshold_value=100, severity="high", cooldown_minutes=60,
                    summary="{{ labels.queue }} holds {{ value }} messages")
    return AlertRule.objects.create(**(defaults | fields))


def tick(now):
    return AlertEngine(now=now).run()


def open_queues(rule) -> list[str]:
    return sorted(a.group_labels.get("queue", "") for a in AlertHistory.objects.filter(rule=rule, status="active"))


# --- the tick -------------------------------------------------------------------------------------


def test_each_series_returned_fires_on_its_own_and_resolves_when_no_longer_returned(fake, source):
    rule = promql_rule(source)
    answer(fake, ({"__name__": "my_queue_depth", "queue": "orders", "job": "app"}, 150))
    tick(T0)
    (query,) = fake.queries()
    assert query.params["query"] == "my_queue_depth > 100"
    assert query.params["time"] == f"{T0.timestamp():.3f}"
    assert query.headers["Authorization"] == f"Bearer {TOKEN}"
    alert = AlertHistory.objects.get(rule=rule, status="active")
    assert alert.group_labels == {"job": "app", "queue": "orders"}
    assert alert.metric_value == 150 and alert.metric_name == "promql"
    assert alert.summary == "orders holds 150.0 messages"
    assert alert.context["query"] == "my_queue_depth > 100"
    assert '{job="app", queue="orders"} is 150, > 100' in alert.message
    rule.refresh_from_db()
    assert rule.state == "firing"

    answer(fake, ({"queue": "orders", "job": "app"}, 180), ({"queue": "billing", "job": "app"}, 120))
    tick(T0 + MINUTE)
    assert open_queues(rule) == ["billing", "orders"]
    assert AlertHistory.objects.filter(rule=rule).count() == 2  # orders stays the one alert

    answer(fake, ({"queue": "billing", "job": "app"}, 130))
    tick(T0 + 2 * MINUTE)
    assert open_queues(rule) == ["billing"]
    resolved = AlertHistory.objects.get(rule=rule, group_labels__queue="orders")
    assert resolved.status == "resolved" and "no longer returns" in resolved.resolution_notes

    answer(fake)
    tick(T0 + 3 * MINUTE)
    assert open_queues(rule) == []
    rule.refresh_from_db()
    assert rule.state == "ok"
    tick(T0 + 4 * MINUTE)
    assert not AlertRuleGroup.objects.filter(rule=rule).exists()  # nothing open, nothing kept


def test_the_threshold_applies_to_every_series_returned(fake, source):
    rule = promql_rule(source, expr="my_queue_depth")
    answer(fake, ({"queue": "orders"}, 150), ({"queue": "billing"}, 20))
    tick(T0)
    assert open_queues(rule) == ["orders"]
    groups = {g.labels["queue"]: g.state for g in AlertRuleGroup.objects.filter(rule=rule)}
    assert groups["orders"] == "firing"


def test_pending_period_and_hysteresis(fake, source):
    rule = promql_rule(source, expr="my_queue_depth", for_minutes=2, resolve_threshold=80)
    answer(fake, ({"queue": "orders"}, 150))
    tick(T0)
    assert open_queues(rule) == []
    assert AlertRuleGroup.objects.get(rule=rule).state == "pending"
    tick(T0 + MINUTE)
    assert open_queues(rule) == []
    tick(T0 + 2 * MINUTE)
    assert open_queues(rule) == ["orders"]
    answer(fake, ({"queue": "orders"}, 90))  # below the threshold, above the resolve threshold
    tick(T0 + 3 * MINUTE)
    assert open_queues(rule) == ["orders"]
    answer(fake, ({"queue": "orders"}, 70))
    tick(T0 + 4 * MINUTE)
    assert open_queues(rule) == []


@pytest.mark.parametrize("reply, says", [
    (Answer("boom", status=500), "answered HTTP 500"),
    (Answer(error("bad_data", f'parse error near "{TOKEN}"'), status=400), "bad_data: parse error"),
    (Answer(vector(({}, 1)), delay=5), "did not answer within 2 s"),
])
def test_a_data_source_failure_is_the_rules_error_and_changes_no_alert(fake, source, auth_client, reply, says):
    rule = promql_rule(source)
    answer(fake, ({"queue": "orders"}, 150))
    tick(T0)
    assert open_queues(rule) == ["orders"]
    fake.answers["/api/v1/query"] = reply
    tick(T0 + MINUTE)
    rule.refresh_from_db()
    assert rule.state == "error" and says in rule.state_reason
    assert TOKEN not in rule.state_reason and TOKEN not in rule.last_error
    assert open_queues(rule) == ["orders"]  # neither resolved nor reopened
    assert AlertHistory.objects.filter(rule=rule).count() == 1
    shown = auth_client.get(f"/api/alerts/rules/{rule.pk}/")
    assert shown.json()["state"] == "error" and TOKEN not in shown.content.decode()


def test_too_many_series_is_an_error(fake, source):
    rule = promql_rule(source, expr="my_queue_depth", max_series_per_rule=2)
    answer(fake, *(({"queue": f"q{i}"}, 500) for i in range(3)))
    tick(T0)
    rule.refresh_from_db()
    assert rule.state == "error" and "3 series returned by the query, more than max_series_per_rule (2)" in (
        rule.state_reason
    )
    assert open_queues(rule) == []


def test_slow_sources_are_queried_side_by_side_within_the_ticks_budget(fake, settings):
    settings.ALERT_TICK_LOCK_SECONDS = 4  # a budget of 2 s for the queries
    slow = DataSource.objects.create(name="slow", base_url=fake.url, timeout_seconds=30)
    fake.answers["/api/v1/query"] = lambda params: (
        Answer(vector(({"queue": "a"}, 150)), delay=10) if params["query"] == "slow" else
        Answer(vector(({"queue": "a"}, 150)), delay=1)
    )
    hanging = promql_rule(slow, name="hangs", expr="slow")
    quick = [promql_rule(slow, name=f"takes a second {i}", expr=f"quick{i}") for i in range(4)]
    started = time.monotonic()
    tick(T0)
    assert time.monotonic() - started < 3.5  # not 4 x 1 s one after the other, nor 10 s
    hanging.refresh_from_db()
    assert hanging.state == "error" and "no answer within the tick's budget" in hanging.state_reason
    for rule in quick:
        assert open_queues(rule) == ["a"]


def test_a_series_with_too_many_labels_is_an_error(fake, source):
    rule = promql_rule(source, expr="up")
    answer(fake, ({f"l{i}": "x" for i in range(11)}, 150))
    tick(T0)
    rule.refresh_from_db()
    assert rule.state == "error" and "11 labels" in rule.state_reason


def test_metric_rules_are_not_touched_by_promql_rules(fake, source):
    metric = AlertRule.objects.create(name="cpu", metric_name="cpu_usage", condition="gt", threshold_value=80)
    promql_rule(source)
    answer(fake)
    tick(T0)
    metric.refresh_from_db()
    assert metric.kind == "metric" and metric.state == "no_data"
    assert len(fake.queries()) == 1


# --- dry runs and charts ---------------------------------------------------------------------------


def last_hour(fake, now, values: dict[str, float]):
    """The range query's answer: each queue's series, a point a minute for the hour before `now`."""
    start = (now - 60 * MINUTE).timestamp()
    fake.answers["/api/v1/query_range"] = Answer(matrix(*(
        ({"queue": queue}, [(start + 60 * i, value) for i in range(61)]) for queue, value in values.items()
    )))


def test_an_alert_shows_the_last_hour_of_its_series(fake, source):
    rule = promql_rule(source, expr="my_queue_depth")
    answer(fake, ({"queue": "orders"}, 150), ({"queue": "billing"}, 3))
    last_hour(fake, T0, {"orders": 150, "billing": 3})
    tick(T0)
    alert = AlertHistory.objects.get(rule=rule)
    assert len(alert.context["points"]) == 61 and {v for _, v in alert.context["points"]} == {150.0}
    (ranged,) = [s for s in fake.seen if s.path == "/api/v1/query_range"]
    assert ranged.params["query"] == "my_queue_depth" and ranged.params["step"] == "60"
    assert float(ranged.params["end"]) == T0.timestamp()
    tick(T0 + MINUTE)  # nothing new opens: no range query either
    assert len([s for s in fake.seen if s.path == "/api/v1/query_range"]) == 1


def test_evaluate_now_shows_the_query_its_series_and_the_worst_ones_hour(fake, source, auth_client):
    rule = promql_rule(source, expr="my_queue_depth")
    answer(fake, ({"queue": "orders"}, 150), ({"queue": "billing"}, 3))
    last_hour(fake, T0, {"orders": 150, "billing": 3})
    body = auth_client.post(f"/api/alerts/rules/{rule.pk}/evaluate/").json()
    assert body["kind"] == "promql" and body["query"] == "my_queue_depth" and body["data_source"] == source.pk
    assert body["state"] == "firing" and body["value"] == 150
    assert [(g["labels"], g["value"], g["state"], g["action"]) for g in body["groups"]] == [
        ({"queue": "orders"}, 150, "firing", "fire"), ({"queue": "billing"}, 3, "ok", "none"),
    ]
    assert body["groups"][0]["summary"] == "orders holds 150.0 messages"
    assert len(body["points"]) == 61 and body["points"][0]["v"] == 150
    assert not AlertHistory.objects.exists()  # a dry run


def test_a_draft_promql_rule_is_evaluated_before_it_is_saved(fake, source, auth_client):
    answer(fake, ({"queue": "orders"}, 50))
    body = auth_client.post("/api/alerts/rules/evaluate/", {
        "name": "Draft", "kind": "promql", "expr": "my_queue_depth", "data_source": source.pk, "condition": "gt",
        "threshold_value": 100,
    }, format="json").json()
    assert body["rule_id"] is None and body["state"] == "ok"
    assert [(g["labels"], g["state"]) for g in body["groups"]] == [({"queue": "orders"}, "ok")]
    fake.answers["/api/v1/query"] = Answer(error("bad_data", "parse error"), status=400)
    failed = auth_client.post("/api/alerts/rules/evaluate/", {
        "name": "Draft", "kind": "promql", "expr": "my_queue_depth{", "data_source": source.pk, "condition": "gt",
        "threshold_value": 100,
    }, format="json").json()
    assert failed["state"] == "error" and "bad_data: parse error" in failed["error"]
    assert TOKEN not in str(failed)


# --- the API --------------------------------------------------------------------------------------


def rule_body(source, **fields):
    return {"name": "Backlog", "kind": "promql", "expr": "sum by (queue) (my_queue_depth)", "data_source": source.pk,
            "condition": ">", "threshold_value": 100, **fields}


def test_a_promql_rule_is_created_without_metric_fields(auth_client, source):
    answer = auth_client.post("/api/alerts/rules/", rule_body(source), format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["kind"] == "promql" and body["data_source"] == source.pk and body["metric_name"] == ""
    assert body["expr"] == "sum by (queue) (my_queue_depth)"
    assert body["warnings"] == []


@pytest.mark.parametrize("fields, field", [
    ({"expr": ""}, "expr"),
    ({"expr": "   "}, "expr"),
    ({"expr": "x" * 4001}, "expr"),
    ({"data_source": None}, "data_source"),
    ({"data_source": 999999}, "data_source"),
    ({"data_source": "1"}, "data_source"),
    ({"kind": "graphite"}, "kind"),
])
def test_bad_promql_rules_are_a_400_on_their_field(auth_client, source, fields, field):
    answer = auth_client.post("/api/alerts/rules/", rule_body(source, **fields), format="json")
    assert answer.status_code == 400
    assert field in answer.json(), answer.json()
    assert not AlertRule.objects.exists()


def test_a_metric_rule_still_needs_its_metric(auth_client):
    answer = auth_client.post("/api/alerts/rules/", {"name": "cpu", "condition": ">", "threshold_value": 80},
                              format="json")
    assert answer.status_code == 400 and "metric_name" in answer.json()


def test_a_data_source_in_use_is_not_deleted(auth_client, source):
    promql_rule(source)
    answer = auth_client.delete(f"/api/monitoring/data-sources/{source.pk}/")
    assert answer.status_code == 409 and "Queue backlog" in answer.json()["detail"]
    assert DataSource.objects.filter(pk=source.pk).exists()


def test_the_admin_makes_promql_rules_and_metric_rules_without_a_kind(admin_client, source):
    from .test_admin import RULE_FORM

    made = admin_client.post("/admin/alerts/alertrule/add/", {
        **RULE_FORM, "name": "Backlog", "kind": "promql", "expr": "my_queue_depth > 100",
        "data_source": str(source.pk), "metric_name": "",
    })
    assert made.status_code == 302, made.content.decode()[:2000]
    rule = AlertRule.objects.get(name="Backlog")
    assert (rule.kind, rule.expr, rule.data_source_id) == ("promql", "my_queue_depth > 100", source.pk)
    refused = admin_client.post("/admin/alerts/alertrule/add/", {**RULE_FORM, "name": "No query", "kind": "promql"})
    assert refused.status_code == 200 and "A promql rule needs an expression." in refused.content.decode()
    older = {k: v for k, v in RULE_FORM.items() if k != "kind"}
    assert admin_client.post("/admin/alerts/alertrule/add/", {**older, "name": "Older form"}).status_code == 302
    assert AlertRule.objects.get(name="Older form").kind == "metric"
