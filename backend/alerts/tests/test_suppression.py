"""A limit that holds a new alert back is never silent: the rule says `suppressed` with the reason,
and its channels hear it once per episode (issue 10)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from alerts.services.lifecycle import resolve_by_person
from alerts.services.notifications import deliver
from monitoring.models import MetricSample

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_engine_cache():
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)


def make_rule(**fields) -> AlertRule:
    defaults = dict(
        name="High CPU Usage", metric_name="cpu_usage", condition="gt", threshold_value=80.0,
        time_window_minutes=1, aggregation="last", severity="high", slack_enabled=True, cooldown_minutes=60,
    )
    return AlertRule.objects.create(**(defaults | fields))


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def tick(minute: float, value: float):
    MetricSample.objects.create(name="cpu_usage", value=value, timestamp=at(minute) - timedelta(seconds=20))
    return AlertEngine(now=at(minute)).run()


def notices() -> list[NotificationDelivery]:
    return list(NotificationDelivery.objects.filter(event="suppressed").order_by("id"))


def test_a_rule_over_its_hourly_limit_is_suppressed_says_why_and_tells_its_channels_once(slack_server):
    rule = make_rule(max_alerts_per_hour=2)
    tick(0, 95)
    tick(5, 20)  # resolved
    tick(10, 95)  # the second alert
    tick(15, 20)

    report = tick(20, 95)  # a third would be over the limit

    rule.refresh_from_db()
    assert report.counts["fired"] == 0
    assert rule.state == "suppressed"
    assert rule.state_reason == (
        "2 alerts in the last hour; further alerts held back until 2026-11-27 13:00:30 UTC "
        "(max_alerts_per_hour is 2)."
    )
    (notice,) = notices()
    latest = AlertHistory.objects.first()
    assert latest is not None
    assert (notice.channel, notice.target, notice.alert_id) == ("slack", "#alerts", latest.pk)
    assert deliver(delivery_id=notice.pk).status == "sent"
    payload = slack_server.requests[-1].json
    assert "held back" in payload["text"]
    assert rule.state_reason in payload["attachments"][0]["text"]

    for minute in range(21, 60):  # the condition keeps holding: told once, not every tick
        tick(minute, 95)
    assert len(notices()) == 1
    assert AlertHistory.objects.count() == 2

    tick(60.5, 95)  # the first alert is over an hour old: the limit lifts, the alert opens normally
    rule.refresh_from_db()
    assert rule.state == "firing"
    assert rule.state_reason == ""
    assert AlertHistory.objects.filter(status="active").count() == 1


def test_the_rule_api_the_dry_run_and_check_alerts_say_suppressed_with_the_reason(auth_client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    rule = make_rule(max_alerts_per_hour=1)
    tick(0, 95)
    tick(5, 20)
    tick(10, 95)

    shown = auth_client.get(f"/api/alerts/rules/{rule.pk}/").json()
    assert shown["state"] == "suppressed"
    assert shown["open_alert_id"] is None
    # Times in messages say their zone (TIME_ZONE).
    assert shown["state_reason"] == (
        "1 alert in the last hour; further alerts held back until 2026-11-27 14:00:30 CET "
        "(max_alerts_per_hour is 1)."
    )

    engine = AlertEngine(now=at(11))
    MetricSample.objects.create(name="cpu_usage", value=95, timestamp=at(11) - timedelta(seconds=20))
    (decision,) = engine.plan([rule])
    assert (decision.state, decision.action, decision.reason) == ("suppressed", "suppressed", shown["state_reason"])



def test_check_alerts_says_suppressed_with_the_reason():
    from io import StringIO

    from django.utils import timezone

    from .factories import make_alert

    now = timezone.now()
    rule = make_rule(max_alerts_per_hour=1)
    make_alert(rule, status="resolved", triggered_at=now - timedelta(minutes=10))
    MetricSample.objects.create(name="cpu_usage", value=95, timestamp=now - timedelta(seconds=20))

    out = StringIO()
    call_command("check_alerts", "--dry-run", stdout=out)

    (line,) = [line for line in out.getvalue().splitlines() if line.startswith(f"#{rule.pk} ")]
    assert "suppressed" in line
    assert "1 alert in the last hour; further alerts held back until" in line


def test_the_cooldown_after_a_manual_resolve_is_a_suppression_too(user):
    rule = make_rule(cooldown_minutes=30)
    tick(0, 95)
    resolve_by_person(alert=AlertHistory.objects.get(), user=user, notes="Restarted the worker.")
    AlertHistory.objects.update(resolved_at=at(2))

    tick(3, 95)

    rule.refresh_from_db()
    assert rule.state == "suppressed"
    assert rule.state_reason == (
        "Resolved by hand at 2026-11-27 12:02:30 UTC; a new alert is held back until 2026-11-27 12:32:30 UTC "
        "(the rule's cooldown of 30 min)."
    )
    assert len(notices()) == 1
    tick(4, 20)  # back to normal, then breaching again within the same cooldown: the same episode
    tick(5, 95)
    assert len(notices()) == 1

    tick(33, 95)
    rule.refresh_from_db()
    assert rule.state == "firing"
    assert AlertHistory.objects.filter(status="active").count() == 1
