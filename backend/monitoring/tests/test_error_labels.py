"""error_count and critical_errors are labelled `logger` and `exception` (the exception's type;
none for an error logged without one): errors logged through the app's handler, flushed, then
read, grouped, charted and alerted on per series."""

import logging

import pytest
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule
from alerts.services.alert_engine import AlertEngine
from monitoring.catalogue import CATALOGUE
from monitoring.labels import Matcher
from monitoring.selectors import MetricReader
from monitoring.tests.helpers import flush_to_database

pytestmark = pytest.mark.django_db


class PaymentDeclined(Exception):
    pass


def log_errors(logger: str, count: int, *, exception: type[Exception] | None = None, level=logging.ERROR):
    log = logging.getLogger(logger)
    for i in range(count):
        if exception is None:
            log.log(level, "failed %d", i)
            continue
        try:
            raise exception(f"number {i}")
        except exception:
            log.log(level, "failed %d", i, exc_info=True)


@pytest.fixture
def errors():
    log_errors("payments", 3, exception=PaymentDeclined)
    log_errors("payments", 1)
    log_errors("search", 1, exception=KeyError)
    log_errors("orders", 2, exception=ValueError, level=logging.CRITICAL)
    flush_to_database()


DECLINED = f"{PaymentDeclined.__module__}.{PaymentDeclined.__qualname__}"


def groups(metric: str, group_by: tuple[str, ...], matchers=()) -> dict:
    reader = MetricReader()
    return {
        tuple(sorted(g.labels.items())): g.reading.value
        for g in reader.read_groups(CATALOGUE[metric], 5, "sum", tuple(matchers), group_by)
    }


def test_errors_are_series_by_logger_and_exception(errors):
    assert groups("error_count", ("logger",)) == {
        (("logger", "orders"),): 2, (("logger", "payments"),): 4, (("logger", "search"),): 1,
    }
    assert groups("error_count", ("exception",)) == {
        (): 1,  # logged without an exception: no exception label
        (("exception", DECLINED),): 3, (("exception", "KeyError"),): 1,
        (("exception", "ValueError"),): 2,
    }
    # critical_errors counts only CRITICAL: the loggers that logged none are not its series.
    assert groups("critical_errors", ("logger",)) == {(("logger", "orders"),): 2}


def test_matchers_select_and_without_them_the_total_is_as_before(errors):
    reader = MetricReader()
    count = CATALOGUE["error_count"]

    assert reader.read(count, 5, "sum").value == 7
    assert reader.read(count, 5, "sum", (Matcher("logger", "=~", "pay.*"),)).value == 4
    assert reader.read(count, 5, "sum", (Matcher("exception", "=", ""),)).value == 1
    assert reader.read(count, 5, "sum", (Matcher("logger", "=", "nobody"),)).value == 0  # none: a true 0
    assert groups("error_count", ("logger",), [Matcher("exception", "!=", "")]) == {
        (("logger", "orders"),): 2, (("logger", "payments"),): 3, (("logger", "search"),): 1,
    }


def test_a_grouped_rule_opens_an_alert_per_logger_that_breaches(errors):
    rule = AlertRule.objects.create(
        name="Errors per logger", metric_name="error_count", condition="gte", threshold_value=2,
        time_window_minutes=5, severity="high", group_by=["logger"],
    )

    AlertEngine(now=timezone.now()).run()

    opened = AlertHistory.objects.filter(rule=rule, status="active")
    assert sorted(a.group_labels["logger"] for a in opened) == ["orders", "payments"]
    assert {a.group_labels["logger"]: a.metric_value for a in opened} == {"orders": 2, "payments": 4}


def test_charts_split_by_logger_and_the_labels_endpoint_lists_them(errors, auth_client):
    split = auth_client.get("/api/monitoring/metrics/error_count/series/?minutes=10&split_by=logger&top=2").json()
    only = auth_client.get("/api/monitoring/metrics/error_count/series/?minutes=10&label=logger:search").json()
    labels = auth_client.get("/api/monitoring/metrics/error_count/labels/").json()

    assert [(s["labels"], sum(p["v"] or 0 for p in s["points"])) for s in split["series"]] == [
        ({"logger": "payments"}, 4), ({"logger": "orders"}, 2),
    ]
    assert sum(p["v"] or 0 for p in only["points"]) == 1
    assert labels["labels"]["logger"] == ["orders", "payments", "search"]
    assert labels["labels"]["exception"] == sorted([DECLINED, "KeyError", "ValueError"])


def test_ungrouped_grouped_and_matched_reads_cost_the_one_load(errors, django_assert_num_queries):
    reader = MetricReader()
    count, critical = CATALOGUE["error_count"], CATALOGUE["critical_errors"]
    with django_assert_num_queries(1):
        for i in range(100):  # many rules on the two metrics, with their own windows and matchers
            assert reader.read(count, 1 + i % 5, "sum").value == 7
            assert reader.read(critical, 5, "sum").value == 2
            reader.read(count, 5, "sum", (Matcher("logger", "!=", str(i)),))
            reader.read_groups(count, 1 + i % 5, "sum", (), ("logger", "exception"))
            reader.read_groups(critical, 5, "sum", (Matcher("exception", "=~", ".*Error"),), ("logger",))
    # The groups add up to the ungrouped total.
    assert sum(groups("error_count", ("logger", "exception")).values()) == 7


def test_an_alert_per_group_stays_one_as_ticks_pass_and_a_new_breaching_logger_gets_its_own(errors):
    rule = AlertRule.objects.create(
        name="Errors per logger", metric_name="error_count", condition="gte", threshold_value=2,
        time_window_minutes=5, severity="high", group_by=["logger"],
    )
    AlertEngine(now=timezone.now()).run()

    log_errors("search", 2, exception=KeyError)
    flush_to_database()
    AlertEngine(now=timezone.now()).run()

    opened = AlertHistory.objects.filter(rule=rule, status="active")
    assert sorted(a.group_labels["logger"] for a in opened) == ["orders", "payments", "search"]
    assert {a.group_labels["logger"]: a.metric_value for a in opened}["search"] == 3


def test_critical_errors_chart_and_labels_see_only_the_series_that_logged_critical(errors, auth_client):
    split = auth_client.get("/api/monitoring/metrics/critical_errors/series/?minutes=10&split_by=exception").json()
    none = auth_client.get("/api/monitoring/metrics/critical_errors/series/?minutes=10&label=logger:payments").json()
    labels = auth_client.get("/api/monitoring/metrics/critical_errors/labels/").json()

    assert [(s["labels"], sum(p["v"] or 0 for p in s["points"])) for s in split["series"]] == [
        ({"exception": "ValueError"}, 2),
    ]
    assert sum(p["v"] or 0 for p in none["points"]) == 0
    assert labels["labels"] == {"exception": ["ValueError"], "logger": ["orders"], "service": ["resee"]}
