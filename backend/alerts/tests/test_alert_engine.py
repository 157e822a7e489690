"""The rule state machine of docs/architecture.md §4, tick by tick, on a controllable clock."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine, condition_holds, latest_evaluations, run_tick
from alerts.services.lifecycle import AlertAlreadyActive, AlertAlreadyResolved, resolve_by_person, trigger_by_hand
from monitoring.models import AIUsage, MetricSample
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_engine_cache(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)


def make_rule(**fields) -> AlertRule:
    defaults = dict(
        name="High CPU Usage", metric_name="cpu_usage", condition="gt", threshold_value=80.0,
        time_window_minutes=5, severity="high", slack_enabled=True, email_enabled=True,
        email_recipients=["ops@resee.com"], cooldown_minutes=60,
    )
    return AlertRule.objects.create(**(defaults | fields))


def cpu(value: float, at: datetime, name: str = "cpu_usage") -> None:
    MetricSample.objects.create(name=name, value=value, timestamp=at)


def tick(at: datetime):
    return AlertEngine(now=at).run()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def deliveries(event: str) -> list[tuple[str, str]]:
    return sorted(NotificationDelivery.objects.filter(event=event).values_list("channel", "target"))


def test_fires_once_then_not_again_before_the_cooldown():
    rule = make_rule()
    cpu(95, T0 - minutes(1))

    first = tick(T0)

    alert = AlertHistory.objects.get()
    assert first.counts["fired"] == 1
    assert (alert.status, alert.metric_value, alert.severity, alert.threshold_value) == ("active", 95.0, "high", 80.0)
    assert alert.message == "cpu_usage (avg over 5 min) is 95 %, > 80 %"
    assert alert.context["window_minutes"] == 5
    assert alert.context["aggregation"] == "avg"
    assert [v for _, v in alert.context["points"]] == [95.0]
    assert deliveries("trigger") == [("email", "ops@resee.com"), ("slack", "#alerts")]
    rule.refresh_from_db()
    assert rule.state == "firing"

    for i in range(1, 60):
        cpu(96, T0 + minutes(i) - minutes(0.5))
        report = tick(T0 + minutes(i))
        assert report.counts["fired"] == 0
        assert report.counts["reminded"] == 0
    assert AlertHistory.objects.count() == 1
    assert NotificationDelivery.objects.count() == 2
    # The open alert's latest value is kept with the rule's evaluation, not written every tick.
    assert latest_evaluations()[rule.id].value == 96.0


def test_reminds_after_the_cooldown_and_then_waits_again():
    make_rule(cooldown_minutes=30)
    cpu(95, T0 - minutes(1))
    tick(T0)

    cpu(95, T0 + minutes(29))
    assert tick(T0 + minutes(29.5)).counts["reminded"] == 0
    cpu(95, T0 + minutes(30))
    assert tick(T0 + minutes(30.5)).counts["reminded"] == 1
    assert deliveries("reminder") == [("email", "ops@resee.com"), ("slack", "#alerts")]
    cpu(95, T0 + minutes(31))
    assert tick(T0 + minutes(31.5)).counts["reminded"] == 0
    cpu(95, T0 + minutes(60))
    assert tick(T0 + minutes(60.5)).counts["reminded"] == 1
    assert len(deliveries("reminder")) == 4


def test_cooldown_zero_never_reminds():
    make_rule(cooldown_minutes=0)
    for i in range(0, 200, 10):
        cpu(95, T0 + minutes(i) - minutes(0.5))
        tick(T0 + minutes(i))

    assert deliveries("reminder") == []
    assert AlertHistory.objects.count() == 1


def test_auto_resolves_and_says_so():
    rule = make_rule()
    cpu(95, T0 - minutes(1))
    tick(T0)

    cpu(20, T0 + minutes(5))
    report = tick(T0 + minutes(5.5))

    alert = AlertHistory.objects.get()
    assert report.counts["resolved"] == 1
    assert (alert.status, alert.resolved_by, alert.last_value) == ("resolved", None, 20.0)
    assert alert.resolved_at == T0 + minutes(5.5)
    assert alert.resolution_notes.startswith("Resolved automatically")
    assert deliveries("resolve") == [("email", "ops@resee.com"), ("slack", "#alerts")]
    rule.refresh_from_db()
    assert rule.state == "ok"


def test_no_resolve_message_when_the_rule_does_not_want_one():
    make_rule(notify_on_resolve=False)
    cpu(95, T0 - minutes(1))
    tick(T0)
    cpu(20, T0 + minutes(5))
    tick(T0 + minutes(5.5))

    assert AlertHistory.objects.get().status == "resolved"
    assert deliveries("resolve") == []


def test_without_auto_resolve_the_alert_waits_for_a_person():
    rule = make_rule(auto_resolve=False)
    cpu(95, T0 - minutes(1))
    tick(T0)
    cpu(20, T0 + minutes(5))
    tick(T0 + minutes(5.5))

    assert AlertHistory.objects.get().status == "active"
    rule.refresh_from_db()
    assert rule.state == "ok"


def test_manual_resolve_then_fires_again_only_after_the_cooldown(django_user_model):
    person = django_user_model.objects.create_user("oncall")
    make_rule(cooldown_minutes=30)
    cpu(95, T0 - minutes(1))
    tick(T0)
    alert = AlertHistory.objects.get()

    resolved = resolve_by_person(alert=alert, user=person, notes="restarted the worker")

    assert (resolved.status, resolved.resolved_by, resolved.resolution_notes) == (
        "resolved", person, "restarted the worker"
    )
    assert deliveries("resolve") == [("email", "ops@resee.com"), ("slack", "#alerts")]
    with pytest.raises(AlertAlreadyResolved):
        resolve_by_person(alert=alert, user=person, notes="again")

    # Resolved "now" (the wall clock): the engine's clock starts from there.
    resolved_at = resolved.resolved_at
    assert resolved_at is not None
    cpu(95, resolved_at + minutes(5))
    report = AlertEngine(now=resolved_at + minutes(5.5)).run()
    assert report.counts["fired"] == 0
    assert report.counts["suppressed"] == 1
    cpu(95, resolved_at + minutes(30))
    assert AlertEngine(now=resolved_at + minutes(30.5)).run().counts["fired"] == 1
    assert AlertHistory.objects.filter(status="active").count() == 1


def test_hysteresis_keeps_the_alert_until_past_the_resolve_threshold():
    make_rule(threshold_value=80, resolve_threshold=70)
    cpu(85, T0 - minutes(1))
    tick(T0)

    cpu(75, T0 + minutes(5))  # below 80, above 70: still firing
    tick(T0 + minutes(5.5))
    assert AlertHistory.objects.get().status == "active"
    assert AlertRule.objects.get().state == "firing"

    cpu(69, T0 + minutes(10))
    tick(T0 + minutes(10.5))
    assert AlertHistory.objects.get().status == "resolved"


def test_hysteresis_for_a_below_threshold_rule():
    make_rule(metric_name="celery_workers", condition="lt", threshold_value=1, resolve_threshold=2)
    cpu(0, T0 - minutes(1), name="celery_workers")
    tick(T0)
    cpu(1, T0 + minutes(5), name="celery_workers")
    tick(T0 + minutes(5.5))
    assert AlertHistory.objects.get().status == "active"
    cpu(2, T0 + minutes(10), name="celery_workers")
    tick(T0 + minutes(10.5))
    assert AlertHistory.objects.get().status == "resolved"


def test_no_data_is_its_own_state_and_no_alert():
    rule = make_rule()

    report = tick(T0)

    rule.refresh_from_db()
    assert rule.state == "no_data"
    assert report.counts["no_data"] == 1
    assert AlertHistory.objects.count() == 0


def test_no_data_alerts_when_the_rule_asks_for_it():
    make_rule(alert_on_no_data=True)

    tick(T0)

    alert = AlertHistory.objects.get()
    assert alert.metric_value is None
    assert alert.message == "cpu_usage has had no data for 5 min"
    assert AlertRule.objects.get().state == "no_data"

    cpu(20, T0 + minutes(1))  # data again, and fine
    tick(T0 + minutes(1.5))
    assert AlertHistory.objects.get().status == "resolved"


def test_an_open_alert_stays_open_while_data_is_missing():
    make_rule()
    cpu(95, T0 - minutes(1))
    tick(T0)

    tick(T0 + minutes(20))  # no samples for 20 minutes

    assert AlertHistory.objects.get().status == "active"
    assert AlertRule.objects.get().state == "no_data"


def test_one_failing_rule_does_not_stop_the_others():
    # A name no metric can have (saved before names were checked): a custom metric without
    # samples yet is no data, not an error (see test_rule_ahead_of_its_data...).
    broken = make_rule(name="Gone metric", metric_name="Vanished-Metric")
    make_rule(name="CPU")
    cpu(95, T0 - minutes(1))

    report = tick(T0)

    broken.refresh_from_db()
    assert broken.state == "error"
    assert "Vanished-Metric" in broken.last_error
    assert broken.state_reason == broken.last_error
    assert report.counts["errors"] == 1
    rule = AlertHistory.objects.get().rule
    assert rule is not None
    assert rule.name == "CPU"


def test_max_alerts_per_hour_caps_new_alerts():
    make_rule(max_alerts_per_hour=2)
    value = 95
    fired = 0
    for i in range(14):  # flapping every five minutes for over an hour
        cpu(value, T0 + minutes(5 * i) - minutes(0.5))
        fired += tick(T0 + minutes(5 * i)).counts["fired"]
        value = 20 if value == 95 else 95

    assert fired == 2 + 1  # two in the first hour, a third once the first is an hour old


@pytest.mark.parametrize(
    "condition, value, threshold, holds",
    [("gt", 80.1, 80, True), ("gt", 80, 80, False), ("gte", 80, 80, True), ("lt", 0.5, 1, True),
     ("lte", 1, 1, True), ("eq", 0.1 + 0.2, 0.3, True), ("eq", 0.31, 0.3, False), ("ne", 0.1 + 0.2, 0.3, False),
     ("ne", 5, 0, True)],
)
def test_conditions(condition, value, threshold, holds):
    assert condition_holds(condition, value, threshold) is holds


def test_unchanged_rules_are_not_written_every_tick():
    rule = make_rule()
    cpu(20, T0 - minutes(1))
    tick(T0)
    rule.refresh_from_db()
    updated_at, changed_at = rule.updated_at, rule.state_changed_at

    for i in range(1, 5):
        cpu(20 + i, T0 + minutes(i) - minutes(0.5))
        tick(T0 + minutes(i))

    rule.refresh_from_db()
    assert (rule.updated_at, rule.state_changed_at) == (updated_at, changed_at)
    # The latest value is in the cache, where the API reads it.
    assert latest_evaluations()[rule.id].value == 22.5  # 21..24, the last five minutes
    assert latest_evaluations()[rule.id].evaluated_at == (T0 + minutes(4)).isoformat()


def test_a_tick_still_running_makes_the_next_one_skip(settings):
    make_rule()
    cache.add(alert_engine.TICK_LOCK_KEY, "another tick", timeout=60)

    assert run_tick(now=T0).skipped

    cache.delete(alert_engine.TICK_LOCK_KEY)
    report = run_tick(now=T0)
    assert not report.skipped
    assert cache.get(alert_engine.TICK_LOCK_KEY) is None


def test_manual_trigger_opens_a_manual_alert_that_the_engine_does_not_auto_resolve(django_user_model):
    person = django_user_model.objects.create_user("oncall")
    rule = make_rule()

    alert = trigger_by_hand(rule=rule, user=person, message="testing the pager")

    assert (alert.manual, alert.message, alert.status) == (True, "testing the pager", "active")
    assert deliveries("trigger") == [("email", "ops@resee.com"), ("slack", "#alerts")]
    with pytest.raises(AlertAlreadyActive) as error:
        trigger_by_hand(rule=rule, user=person)
    assert error.value.alert_id == alert.id

    cpu(10, T0 - minutes(1))
    tick(T0)
    assert AlertHistory.objects.get().status == "active"


class TestProductDocumentRules:
    """The product document's example rules, as written there, fire on data that breaches them."""

    def test_high_cpu_usage(self):
        make_rule(name="High CPU Usage", metric_name="cpu_usage", condition="gt", threshold_value=80.0,
                  time_window_minutes=5, severity="high", slack_channel="#system-alerts")
        for i, value in enumerate((85, 90, 82)):
            cpu(value, T0 - minutes(i + 0.5))

        tick(T0)

        alert = AlertHistory.objects.get()
        assert alert.metric_value == pytest.approx(85.6667, abs=1e-3)
        assert ("slack", "#system-alerts") in deliveries("trigger")

    def test_high_api_error_rate(self):
        make_rule(name="High API Error Rate", metric_name="api_error_rate", condition="gte", threshold_value=5.0,
                  time_window_minutes=10, severity="critical", email_recipients=["dev@resee.com", "ops@resee.com"])
        minute = T0.replace(second=0) - minutes(3)
        store_rollup(minute, count=100, status_5xx=6)

        tick(T0)

        alert = AlertHistory.objects.get()
        assert (alert.metric_value, alert.severity) == (6.0, "critical")
        assert deliveries("trigger") == [("email", "dev@resee.com"), ("email", "ops@resee.com"), ("slack", "#alerts")]

    def test_daily_ai_cost_limit(self):
        make_rule(name="Daily AI Cost Limit", metric_name="ai_cost_daily", condition="gt", threshold_value=100.0,
                  time_window_minutes=60, severity="medium", slack_enabled=False,
                  email_recipients=["finance@resee.com"])
        AIUsage.objects.create(timestamp=T0 - timedelta(hours=5), provider="openai", model="m", cost_usd=70)
        AIUsage.objects.create(timestamp=T0 - timedelta(hours=2), provider="openai", model="m", cost_usd=40)

        tick(T0)

        assert AlertHistory.objects.get().metric_value == pytest.approx(110.0)
        assert deliveries("trigger") == [("email", "finance@resee.com")]

    def test_alert_system_health(self):
        make_rule(name="Alert System Health", metric_name="celery_failed_tasks", condition="gt", threshold_value=5,
                  time_window_minutes=15, severity="critical", slack_enabled=False, email_enabled=False,
                  email_recipients=[])
        for i in range(6):
            cpu(1, T0 - minutes(i + 1), name="celery_failed_tasks")

        tick(T0)

        assert AlertHistory.objects.get().metric_value == 6.0
        assert NotificationDelivery.objects.count() == 0


def test_check_alerts_command_dry_run_changes_nothing(capsys):
    rule = make_rule()
    MetricSample.objects.create(name="cpu_usage", value=99)

    call_command("check_alerts", "--dry-run")
    dry = capsys.readouterr().out

    assert "would do" in dry
    assert f"#{rule.id} High CPU Usage" in dry
    assert "fire" in dry and "99" in dry
    assert AlertHistory.objects.count() == 0
    rule.refresh_from_db()
    assert rule.state == "ok"

    call_command("check_alerts")
    real = capsys.readouterr().out
    assert "'fired': 1" in real
    assert AlertHistory.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_ticks_racing_open_exactly_one_alert():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions (PostgreSQL)")
    make_rule()
    cpu(95, T0 - minutes(1))
    barrier = threading.Barrier(4)
    errors = []

    def racing_tick():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            AlertEngine(now=T0).run()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=racing_tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert AlertHistory.objects.count() == 1
    assert deliveries("trigger") == [("email", "ops@resee.com"), ("slack", "#alerts")]
