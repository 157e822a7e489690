"""Flapping (docs/architecture.md §10), on the engine's clock against a real Slack receiver: the
change that makes a rule (or a group) flapping is told once as "flapping", further changes are
recorded as skipped, and once it has been stable for its window one notice says it stopped, with
the trigger of an alert still open that nobody heard of."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from alerts.models import AlertEvent, AlertHistory, AlertRule, AlertRuleGroup, NotificationDelivery
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from alerts.services.flapping import end_flapping
from monitoring.models import MetricSample
from monitoring.services import record_metric

from .factories import make_rule

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 7, 12, 0, 30, tzinfo=UTC)
HIGH, LOW = 95, 10


@pytest.fixture
def clock(slack_server, celery_eager, django_capture_on_commit_callbacks):
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)

    def tick(minute: int, value: float, *, run: bool = True, **labels):
        at = T0 + timedelta(minutes=minute)
        if labels:
            record_metric("queue_depth", value, timestamp=at - timedelta(seconds=30), labels=labels)
        else:
            MetricSample.objects.create(name="cpu_usage", value=value, timestamp=at - timedelta(seconds=30))
        if not run:
            return None
        with django_capture_on_commit_callbacks(execute=True):
            return AlertEngine(now=at).run()

    def sweep(minute: int) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return end_flapping(now=T0 + timedelta(minutes=minute))

    tick.sweep = sweep  # type: ignore[attr-defined]
    return tick


def said(slack_server) -> list[str]:
    return [r.json["text"] for r in slack_server.requests]


def skipped() -> list[tuple[str, str]]:
    return list(NotificationDelivery.objects.filter(status="skipped").order_by("pk").values_list("event", "last_error"))


def flappy_rule(**fields):
    values = dict(name="CPU", metric_name="cpu_usage", condition="gt", threshold_value=80, time_window_minutes=1,
                  slack_enabled=True, slack_channel="#ops", flap_threshold=4, flap_window_minutes=10,
                  max_alerts_per_hour=100, cooldown_minutes=60)
    values.update(fields)
    return make_rule(**values)


def test_the_change_that_makes_a_rule_flapping_is_told_once_and_later_changes_are_recorded_not_sent(
    clock, slack_server, auth_client,
):
    rule = flappy_rule()
    for minute, value in enumerate([HIGH, LOW, HIGH]):
        clock(minute, value)
    assert said(slack_server) == [":rotating_light: *[HIGH] CPU*", ":white_check_mark: *Resolved: CPU*",
                                  ":rotating_light: *[HIGH] CPU*"]

    clock(3, LOW)  # the fourth change in ten minutes

    rule.refresh_from_db()
    assert rule.flapping_since == T0 + timedelta(minutes=3)
    assert said(slack_server)[3:] == [":ocean: *[FLAPPING] CPU*"]
    notice = slack_server.requests[3].json["attachments"][0]["text"]
    assert "4 state changes in the last 10 min (2 fired, 2 resolved); now resolved" in notice
    assert "not notified until it has been stable for 10 min" in notice
    assert [event for event, _ in skipped()] == ["resolve"]

    clock(4, HIGH)
    clock(5, LOW)
    clock(6, HIGH)
    assert len(slack_server.requests) == 4, said(slack_server)
    assert [event for event, _ in skipped()] == ["resolve", "trigger", "resolve", "trigger"]
    assert all(reason.startswith("Flapping since 2026-12-07 12:03:30 UTC") for _, reason in skipped())
    open_alert = AlertHistory.objects.get(status="active")
    assert open_alert.flapping
    # The API says so, and filters by it.
    assert auth_client.get(f"/api/alerts/history/{open_alert.pk}/").json()["flapping"] is True
    flapping = [a["id"] for a in auth_client.get("/api/alerts/history/", {"flapping": "true"}).json()["results"]]
    assert open_alert.pk in flapping and AlertHistory.objects.get(status="resolved", triggered_at=T0).pk not in flapping
    assert auth_client.get(f"/api/alerts/rules/{rule.pk}/").json()["flapping_since"] is not None
    started = AlertEvent.objects.get(kind="flapping_started")
    assert started.detail == {"changes": 4, "opened": 2, "resolved": 2, "window_minutes": 10}


def test_stable_for_the_window_it_stops_flapping_says_so_and_sends_the_trigger_nobody_heard(clock, slack_server):
    rule = flappy_rule()
    for minute, value in enumerate([HIGH, LOW, HIGH, LOW, HIGH]):
        clock(minute, value)
    assert len(slack_server.requests) == 4  # three changes, then "flapping"; the fifth change held

    for minute in range(5, 14):
        clock(minute, HIGH)
    assert clock.sweep(13) == 0  # the last change (minute 4) is 9 minutes old
    assert len(slack_server.requests) == 4

    assert clock.sweep(14) == 1
    rule.refresh_from_db()
    assert rule.flapping_since is None
    assert said(slack_server)[4:] == [":ocean: *[FLAPPING] CPU*", ":rotating_light: *[HIGH] CPU*"]
    stopped = slack_server.requests[4].json["attachments"][0]["text"]
    assert "CPU stopped flapping (no state change for 10 min); now firing since 2026-12-07 12:04:30 UTC" in stopped
    assert not AlertHistory.objects.get(status="active").flapping
    assert clock.sweep(15) == 0  # once

    clock(15, LOW)  # and its changes are told again
    assert said(slack_server)[-1] == ":white_check_mark: *Resolved: CPU*"
    kinds = list(AlertEvent.objects.order_by("at", "pk").values_list("kind", flat=True))
    assert "flapping_started" in kinds and "flapping_ended" in kinds


def test_a_rule_that_changes_less_often_than_its_threshold_never_flaps(clock, slack_server):
    rule = flappy_rule(flap_threshold=6, flap_window_minutes=5)
    for minute, value in enumerate([HIGH, HIGH, LOW, LOW, HIGH, HIGH, LOW, LOW, HIGH, HIGH, LOW, LOW]):
        clock(minute, value)

    rule.refresh_from_db()
    assert rule.flapping_since is None
    assert len(said(slack_server)) == 6 and not skipped()


def test_a_threshold_of_zero_never_flaps_and_switching_it_off_ends_flapping(clock, slack_server):
    flappy_rule(flap_threshold=0)
    for minute, value in enumerate([HIGH, LOW] * 4):
        clock(minute, value)
    assert len(said(slack_server)) == 8 and not skipped()

    other = flappy_rule(name="Disk", metric_name="cpu_usage")
    AlertRule.objects.filter(pk=other.pk).update(flapping_since=T0)
    AlertRule.objects.filter(pk=other.pk).update(flap_threshold=0)
    assert clock.sweep(9) == 1
    assert AlertRule.objects.get(pk=other.pk).flapping_since is None


def test_each_group_of_a_grouped_rule_flaps_on_its_own(clock, slack_server):
    flappy_rule(name="Queue", metric_name="queue_depth", aggregation="last", group_by=["queue"])
    for minute, value in enumerate([HIGH, LOW, HIGH, LOW, HIGH]):
        clock(minute, HIGH, run=False, queue="reports")  # opens once and stays open
        clock(minute, value, queue="emails")

    flapping = dict(AlertRuleGroup.objects.values_list("labels__queue", "flapping_since"))
    assert flapping["emails"] == T0 + timedelta(minutes=3)
    assert flapping["reports"] is None
    texts = said(slack_server)
    assert texts.count(':ocean: *[FLAPPING] Queue {queue="emails"}*') == 1
    assert texts.count(':rotating_light: *[HIGH] Queue {queue="reports"}*') == 1


def test_an_alert_opened_by_hand_is_not_counted(user, slack_server, celery_eager, django_capture_on_commit_callbacks):
    from alerts.services.lifecycle import resolve_by_person, trigger_by_hand

    rule = flappy_rule(flap_threshold=2)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            alert = trigger_by_hand(rule=rule, user=user)
        with django_capture_on_commit_callbacks(execute=True):
            resolve_by_person(alert=alert, user=user)

    rule.refresh_from_db()
    assert rule.flapping_since is None
    assert len(slack_server.requests) == 6 and not skipped()
