"""A value that overflows is an error of its rule, said as one: never a silent firing without an
alert, never an infinity stored or answered; and only the one-active-alert race is taken for
"already has an active alert" (issue 10)."""

import logging
import math
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine, latest_evaluations

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

RULES = "/api/alerts/rules/"


@pytest.fixture(autouse=True)
def _clean_engine_cache():
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)


def push_huge(name: str, now) -> None:
    from monitoring.models import MetricSample

    for seconds in (90, 150):
        MetricSample.objects.create(name=name, value=1e308, timestamp=now - timedelta(seconds=seconds))


def test_two_huge_samples_summed_put_the_rule_in_error_not_firing_without_an_alert(auth_client):
    now = timezone.now()
    push_huge("order_value", now)
    rule = make_rule(name="Order value", metric_name="order_value", aggregation="sum", condition="gt",
                     threshold_value=0, time_window_minutes=5)

    report = AlertEngine(now=now).run()

    rule.refresh_from_db()
    assert rule.state == "error"
    assert "value overflowed" in rule.state_reason
    assert "value overflowed" in rule.last_error
    assert rule.last_value is None
    assert not AlertHistory.objects.exists()
    assert report.counts["errors"] == 1
    cached = latest_evaluations()[rule.id]
    assert (cached.value, cached.state) == (None, "error")

    listed = auth_client.get(RULES)
    assert listed.status_code == 200
    (shown,) = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
    assert (shown["state"], shown["last_value"]) == ("error", None)
    assert "value overflowed" in shown["state_reason"]

    dry_run = auth_client.post(f"{RULES}{rule.id}/evaluate/")
    assert dry_run.status_code == 200
    assert (dry_run.json()["value"], dry_run.json()["state"]) == (None, "error")
    assert "value overflowed" in dry_run.json()["error"]
    draft = auth_client.post(f"{RULES}evaluate/", {
        "name": "Draft", "metric_name": "order_value", "aggregation": "sum", "condition": "gt",
        "threshold_value": 0, "time_window_minutes": 5,
    }, format="json")
    assert draft.status_code == 200
    assert draft.json()["state"] == "error"


def test_a_non_finite_value_from_the_reader_is_refused_by_the_engine_itself():
    # Whatever the reader gives back, the engine never compares, stores or caches an infinity.
    rule = make_rule(metric_name="cpu_usage")
    engine = AlertEngine()
    reading = engine.collector.get_reading("cpu_usage", 5, None)
    reading.value = math.inf  # past the reader's own guard, as a future reader bug could

    (decision,) = engine.plan([rule])

    assert (decision.state, decision.action, decision.value) == ("error", "none", None)
    assert "value overflowed" in decision.error


def test_stored_infinities_make_no_read_endpoint_fail(auth_client):
    rule = make_rule()
    AlertRule.objects.filter(pk=rule.pk).update(last_value=math.inf)
    alert = make_alert(rule, metric_value=math.inf, last_value=-math.inf)
    cache.set(alert_engine.EVALUATIONS_CACHE_KEY, {rule.id: (math.inf, timezone.now().isoformat(), "firing", "")})

    listed = auth_client.get(RULES)
    history = auth_client.get(f"/api/alerts/history/{alert.pk}/")

    assert listed.status_code == 200
    body = listed.json()
    (shown,) = body["results"] if isinstance(body, dict) else body
    assert shown["last_value"] is None
    assert history.status_code == 200
    assert (history.json()["value"], history.json()["last_value"]) == (None, None)


def _install_failing_trigger():
    """A real database error on inserting an alert that is not the one-active-alert constraint
    (what a full disk, a permission or a constraint added later would raise)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_alert BEFORE INSERT ON alerts_alerthistory "
                "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_alert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                "'refused by a test trigger' USING ERRCODE = 'check_violation'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_alert BEFORE INSERT ON alerts_alerthistory "
                "FOR EACH ROW EXECUTE FUNCTION refuse_alert()"
            )


def test_a_database_error_opening_an_alert_is_an_error_not_already_active(caplog):
    from monitoring.models import MetricSample

    now = timezone.now()
    rule = make_rule()
    MetricSample.objects.create(name="cpu_usage", value=95, timestamp=now - timedelta(seconds=30))
    _install_failing_trigger()

    with caplog.at_level(logging.INFO, logger="alerts.services.alert_engine"):
        report = AlertEngine(now=now).run()

    assert report.counts["fired"] == 0
    assert report.counts["errors"] == 1
    assert not any("already has an active alert" in r.getMessage() for r in caplog.records)
    assert any(r.levelno == logging.ERROR and f"rule {rule.id}" in r.getMessage() for r in caplog.records)
    rule.refresh_from_db()
    # Not "firing" with no alert: an error, saying what failed, and the next tick tries again.
    assert rule.state == "error"
    assert "refused by a test trigger" in rule.state_reason


def test_the_one_active_alert_race_is_still_taken_quietly(caplog):
    from monitoring.models import MetricSample

    now = timezone.now()
    rule = make_rule()
    MetricSample.objects.create(name="cpu_usage", value=95, timestamp=now - timedelta(seconds=30))
    engine = AlertEngine(now=now)
    decisions = engine.plan([rule])
    make_alert(rule)  # another tick opened it meanwhile

    with caplog.at_level(logging.INFO, logger="alerts.services.alert_engine"):
        counts = engine.apply(decisions)

    assert (counts["fired"], counts["errors"]) == (0, 0)
    assert AlertHistory.objects.filter(rule=rule, status="active").count() == 1
    assert any("already has an active alert" in r.getMessage() for r in caplog.records)
