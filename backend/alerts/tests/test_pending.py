"""The pending period (for_minutes): the condition must hold on every tick for that long before a
rule fires; meanwhile the rule is `pending`, visible and never notified (docs/architecture.md §4)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from alerts.services.dry_run import evaluate
from monitoring.models import MetricSample

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _clean_engine_cache(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    settings.ALERT_CHECK_INTERVAL_SECONDS = 60
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)


def make_rule(**fields) -> AlertRule:
    defaults = dict(name="Queue backing up", metric_name="queue_depth", condition="gt", threshold_value=100,
                    time_window_minutes=1, aggregation="last", severity="high", slack_enabled=True,
                    cooldown_minutes=60, for_minutes=2)
    return AlertRule.objects.create(**(defaults | fields))


def ticks(rule: AlertRule, values: list[float]) -> list[str]:
    """One tick a minute, each after a sample of the next value; the rule's state after each."""
    states = []
    for i, value in enumerate(values):
        now = T0 + i * MINUTE
        MetricSample.objects.create(name=rule.metric_name, value=value, timestamp=now - timedelta(seconds=5))
        AlertEngine(now=now).run()
        rule.refresh_from_db()
        states.append(rule.state)
    return states


def test_a_condition_that_holds_for_two_of_three_ticks_never_fires():
    rule = make_rule()

    assert ticks(rule, [150, 160, 40]) == ["pending", "pending", "ok"]

    assert AlertHistory.objects.count() == 0
    assert NotificationDelivery.objects.count() == 0


def test_three_of_three_ticks_fire_once_and_only_once():
    rule = make_rule()

    assert ticks(rule, [150, 160, 170, 180, 190]) == ["pending", "pending", "firing", "firing", "firing"]

    alert = AlertHistory.objects.get()
    assert alert.triggered_at == T0 + 2 * MINUTE
    assert alert.metric_value == 170
    assert list(NotificationDelivery.objects.values_list("event", flat=True)) == ["trigger"]


def test_a_break_starts_the_pending_period_again():
    rule = make_rule()

    states = ticks(rule, [150, 160, 40, 150, 160, 170])

    assert states == ["pending", "pending", "ok", "pending", "pending", "firing"]
    assert AlertHistory.objects.get().triggered_at == T0 + 5 * MINUTE


def test_pending_says_since_when_and_until_when():
    rule = make_rule()
    ticks(rule, [150])

    rule.refresh_from_db()
    assert rule.state == "pending"
    assert rule.state_changed_at == T0
    assert "has held since" in rule.state_reason and "pending period 2 min" in rule.state_reason


def test_a_late_tick_still_fires_and_an_early_one_does_not_fire_a_minute_early():
    rule = make_rule()
    MetricSample.objects.create(name="queue_depth", value=150, timestamp=T0 - timedelta(seconds=5))
    AlertEngine(now=T0).run()
    MetricSample.objects.create(name="queue_depth", value=150, timestamp=T0 + MINUTE)
    AlertEngine(now=T0 + MINUTE + timedelta(seconds=20)).run()  # a tick 20 s late: 80 s into 2 min
    assert AlertHistory.objects.count() == 0
    MetricSample.objects.create(name="queue_depth", value=150, timestamp=T0 + 2 * MINUTE - timedelta(seconds=10))
    AlertEngine(now=T0 + 2 * MINUTE - timedelta(seconds=5)).run()  # due at 2 min, 5 s early

    rule.refresh_from_db()
    assert rule.state == "firing"
    assert AlertHistory.objects.count() == 1


def test_without_a_pending_period_the_rule_fires_at_once():
    rule = make_rule(for_minutes=0)

    assert ticks(rule, [150]) == ["firing"]
    assert AlertHistory.objects.count() == 1


def test_the_dry_run_shows_pending_and_does_not_fire():
    rule = make_rule()
    MetricSample.objects.create(name="queue_depth", value=150, timestamp=timezone.now())

    report = evaluate(rule)

    assert (report["state"], report["action"]) == ("pending", "none")
    assert AlertHistory.objects.count() == 0


@pytest.mark.parametrize("value, message", [(-1, "greater than or equal to 0"), (61, "less than or equal to 60"),
                                            (1.5, "valid integer")])
def test_the_api_refuses_a_bad_pending_period(auth_client, value, message):
    body = {"name": "Queue", "metric_name": "queue_depth", "condition": ">", "threshold_value": 100,
            "for_minutes": value}

    response = auth_client.post("/api/alerts/rules/", body, format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()["for_minutes"])
    assert AlertRule.objects.count() == 0


def test_the_api_saves_and_shows_the_pending_period(auth_client):
    body = {"name": "Queue", "metric_name": "queue_depth", "condition": ">", "threshold_value": 100,
            "for_minutes": 5}

    created = auth_client.post("/api/alerts/rules/", body, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["for_minutes"] == 5
    assert AlertRule.objects.get().for_minutes == 5
