"""AI usage metrics are labelled `provider` and `model`: recorded calls read, grouped, charted and
alerted on per model; without matchers, the totals over every model as before."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule
from alerts.services.alert_engine import AlertEngine
from monitoring.catalogue import CATALOGUE
from monitoring.labels import Matcher
from monitoring.selectors import MetricReader
from monitoring.services import record_ai_usage

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    now = timezone.now() - timedelta(seconds=5)
    for i in range(4):
        record_ai_usage(provider="openai", model="gpt-4o", cost_usd="0.50", input_tokens=100, output_tokens=20,
                        success=i != 0, timestamp=now)
    record_ai_usage(provider="openai", model="gpt-4o-mini", cost_usd="0.01", input_tokens=10, timestamp=now)
    for _ in range(2):
        record_ai_usage(provider="anthropic", model="claude", cost_usd="0.25", success=False, timestamp=now)


def by(metric: str, *labels: str, matchers=()) -> dict:
    reader, entry = MetricReader(), CATALOGUE[metric]
    return {
        tuple(g.labels.get(name) for name in labels): g.reading.value
        for g in reader.read_groups(entry, 5, entry.default_aggregation, tuple(matchers), labels)
    }


def test_ai_metrics_are_series_by_provider_and_model(calls):
    assert by("ai_cost", "model") == {("claude",): 0.5, ("gpt-4o",): 2.0, ("gpt-4o-mini",): 0.01}
    assert by("ai_cost", "provider") == {("anthropic",): 0.5, ("openai",): pytest.approx(2.01)}
    assert by("ai_failure_rate", "model") == {("claude",): 100.0, ("gpt-4o",): 25.0, ("gpt-4o-mini",): 0.0}
    assert by("ai_token_usage", "provider") == {("anthropic",): 0, ("openai",): 490}


def test_matchers_select_and_without_them_the_totals_are_as_before(calls):
    reader = MetricReader()

    assert reader.read(CATALOGUE["ai_cost"], 5, "sum").value == pytest.approx(2.51)
    assert reader.read(CATALOGUE["ai_failure_rate"], 5, "avg").value == pytest.approx(3 / 7 * 100)
    gpt = (Matcher("model", "=~", "gpt-.*"),)
    assert reader.read(CATALOGUE["ai_cost"], 5, "sum", gpt).value == pytest.approx(2.01)
    assert reader.read(CATALOGUE["ai_failure_rate"], 5, "avg", gpt).value == pytest.approx(20.0)
    assert by("ai_cost", "model", matchers=[Matcher("provider", "!=", "openai")]) == {("claude",): 0.5}


def test_nothing_recorded_is_no_data_grouped_or_not():
    reader = MetricReader()

    assert reader.read(CATALOGUE["ai_cost"], 5, "sum").value is None
    assert reader.read_groups(CATALOGUE["ai_cost"], 5, "sum", (), ("model",)) == []


def test_a_grouped_rule_opens_an_alert_per_failing_model(calls):
    rule = AlertRule.objects.create(
        name="AI failures per model", metric_name="ai_failure_rate", condition="gt", threshold_value=20,
        time_window_minutes=5, severity="medium", group_by=["model"],
    )

    AlertEngine(now=timezone.now()).run()

    opened = {a.group_labels["model"]: a.metric_value for a in AlertHistory.objects.filter(rule=rule, status="active")}
    assert opened == {"claude": 100.0, "gpt-4o": 25.0}


def test_charts_split_by_model_and_the_labels_endpoint_lists_them(calls, auth_client):
    split = auth_client.get("/api/monitoring/metrics/ai_cost/series/?minutes=10&split_by=model&top=2").json()
    only = auth_client.get("/api/monitoring/metrics/ai_cost/series/?minutes=10&label=provider:anthropic").json()
    labels = auth_client.get("/api/monitoring/metrics/ai_cost/labels/").json()

    assert [(s["labels"], sum(p["v"] or 0 for p in s["points"])) for s in split["series"]] == [
        ({"model": "gpt-4o"}, 2.0), ({"model": "claude"}, 0.5),
    ]
    assert sum(p["v"] or 0 for p in only["points"]) == 0.5
    assert labels["labels"] == {"model": ["claude", "gpt-4o", "gpt-4o-mini"], "provider": ["anthropic", "openai"]}


def test_ungrouped_grouped_and_matched_reads_cost_the_one_load(calls, django_assert_num_queries):
    reader, cost, failures = MetricReader(), CATALOGUE["ai_cost"], CATALOGUE["ai_failure_rate"]
    with django_assert_num_queries(2):  # whether anything was ever recorded, and the minutes
        for i in range(100):  # many rules, with their own windows and matchers
            assert reader.read(cost, 1 + i % 5, "sum").value == pytest.approx(2.51)
            reader.read(failures, 5, "avg", (Matcher("model", "!=", str(i)),))
            reader.read_groups(cost, 1 + i % 5, "sum", (), ("provider", "model"))
            reader.read_groups(failures, 5, "avg", (Matcher("provider", "=", "openai"),), ("model",))
    assert sum(by("ai_cost", "provider", "model").values()) == pytest.approx(2.51)


def test_a_model_without_calls_in_the_window_reads_0_as_the_whole_metric_does():
    old = timezone.now() - timedelta(minutes=30)
    record_ai_usage(provider="openai", model="gpt-4o", cost_usd="0.50", timestamp=old)
    reader, cost = MetricReader(), CATALOGUE["ai_cost"]

    assert reader.read(cost, 5, "sum").value == 0  # calls were recorded, none in the window: free
    assert reader.read(cost, 5, "sum", (Matcher("model", "=", "gpt-4o"),)).value == 0
    assert reader.read(cost, 5, "sum", (Matcher("model", "=", "nobody"),)).value == 0
    assert by("ai_cost", "model") == {("gpt-4o",): 0}
    assert reader.read(cost, 60, "sum", (Matcher("model", "=", "gpt-4o"),)).value == 0.5


def test_ai_cost_daily_is_one_series_without_labels(calls):
    reader, daily = MetricReader(), CATALOGUE["ai_cost_daily"]

    assert reader.read(daily, 5, "sum").value == pytest.approx(2.51)
    (group,) = reader.read_groups(daily, 5, "sum", (), ("model",))
    assert group.labels == {} and group.reading.value == pytest.approx(2.51)
    assert reader.read_groups(daily, 5, "sum", (Matcher("model", "=", "gpt-4o"),), ("model",)) == []
