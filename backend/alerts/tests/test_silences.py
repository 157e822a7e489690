"""Silences and maintenance windows (docs/architecture.md §10), on the engine's clock and against a
real local Slack receiver: a silenced alert is opened and recorded, its deliveries written as
skipped with the silence, nothing arrives; when the silence ends and the alert is still open, one
message goes out (however many sweeps race); a resolve during the silence is not sent."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection

from alerts.models import AlertHistory, MaintenanceWindow, NotificationDelivery, Silence
from alerts.services import alert_engine, lifecycle
from alerts.services.alert_engine import AlertEngine
from monitoring.models import MetricSample

from .factories import make_rule

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
HISTORY = "/api/alerts/history/"


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def clock(slack_server, celery_eager, django_capture_on_commit_callbacks):
    """Ticks of the engine at a given time, their notifications sent to the local Slack receiver."""
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)

    class Clock:
        def tick(self, at: datetime, value: float = 95, metric: str = "cpu_usage"):
            MetricSample.objects.create(name=metric, value=value, timestamp=at - timedelta(seconds=30))
            with django_capture_on_commit_callbacks(execute=True):
                return AlertEngine(now=at).run()

        def release(self, at: datetime) -> int:
            with django_capture_on_commit_callbacks(execute=True):
                return lifecycle.release_held_alerts(now=at)

        def arrived(self) -> list[str]:
            return [r.json["text"] for r in slack_server.requests]

    return Clock()


def silence(start: datetime, end: datetime, *matchers, comment="Deploying the payments API") -> Silence:
    return Silence.objects.create(
        matchers=[{"label": label, "op": op, "value": value} for label, op, value in matchers],
        starts_at=start, ends_at=end, comment=comment,
    )


def deliveries():
    return list(NotificationDelivery.objects.order_by("pk").values_list("event", "status", "last_error"))


FIRING = ":rotating_light: *[HIGH] High CPU Usage*"
REMINDER = ":repeat: *[HIGH] High CPU Usage* is still firing (reminder)"
RESOLVED = ":white_check_mark: *[HIGH] High CPU Usage* resolved"


def test_a_silenced_trigger_is_recorded_as_skipped_nothing_arrives_and_the_api_shows_the_silence(
    clock, auth_client,
):
    make_rule(slack_enabled=True, labels={"team": "payments"})
    # Until an hour from now, as the API's clock reads it.
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    held = silence(T0 - minutes(1), until, ("team", "=", "payments"))

    assert clock.tick(T0).counts["fired"] == 1

    alert = AlertHistory.objects.get()
    assert alert.status == "active" and alert.held_by_silence
    assert clock.arrived() == []
    assert deliveries() == [("trigger", "skipped", f"Silenced by silence #{held.pk} until {until:%Y-%m-%d %H:%M:%S} "
                                                   "UTC: Deploying the payments API")]
    listed = auth_client.get(HISTORY).json()["results"][0]
    assert listed["silenced_by"] == {"silences": [held.pk], "maintenance_windows": []}
    assert auth_client.get(f"{HISTORY}{alert.pk}/").json()["silenced_by"]["silences"] == [held.pk]


def test_when_the_silence_ends_one_trigger_goes_out_and_the_next_reminder_is_a_cooldown_later(clock):
    make_rule(slack_enabled=True, cooldown_minutes=30)
    silence(T0 - minutes(1), T0 + minutes(45), ("category", "=", "system"))
    clock.tick(T0)
    clock.tick(T0 + minutes(31))  # the reminder is held too
    assert [(event, status) for event, status, _ in deliveries()] == [("trigger", "skipped"), ("reminder", "skipped")]

    assert clock.release(T0 + minutes(44)) == 0  # still silenced
    assert clock.release(T0 + minutes(46)) == 1
    assert clock.release(T0 + minutes(46)) == 0  # a second sweep sends nothing
    clock.tick(T0 + minutes(47))

    # Its channels never heard of it: the trigger, once.
    assert clock.arrived() == [FIRING]
    assert AlertHistory.objects.get().held_by_silence is False
    clock.tick(T0 + minutes(75))
    assert clock.arrived() == [FIRING]
    clock.tick(T0 + minutes(77))
    assert clock.arrived() == [FIRING, REMINDER]


def test_a_reminder_during_a_silence_is_skipped_and_one_reminder_follows_its_end(clock, user):
    make_rule(slack_enabled=True, cooldown_minutes=30)
    clock.tick(T0)
    assert clock.arrived() == [FIRING]
    later = silence(T0 + minutes(10), T0 + minutes(50), ("rule", "=", "High CPU Usage"))

    clock.tick(T0 + minutes(31))
    assert clock.arrived() == [FIRING]
    reminder = NotificationDelivery.objects.get(event="reminder")
    assert reminder.status == "skipped" and reminder.last_error.startswith(f"Silenced by silence #{later.pk} until ")

    # The engine may tick at the very minute the sweep runs: one reminder, not two.
    assert clock.release(T0 + minutes(51)) == 1
    clock.tick(T0 + minutes(51))
    clock.tick(T0 + minutes(62))
    assert clock.arrived() == [FIRING, REMINDER]


def test_an_acknowledgement_during_a_silence_is_recorded_not_sent_and_no_reminder_follows(clock, user):
    make_rule(slack_enabled=True, cooldown_minutes=30)
    clock.tick(T0)
    silence(T0 + minutes(10), T0 + minutes(50), ("severity", "=", "high"))
    clock.tick(T0 + minutes(31))  # a reminder, held
    lifecycle.acknowledge(alert=AlertHistory.objects.get(), user=user, comment="mine", now=T0 + minutes(35))

    assert clock.release(T0 + minutes(51)) == 1
    assert clock.arrived() == [FIRING]  # someone has it: no reminder
    assert NotificationDelivery.objects.get(event="acknowledge").status == "skipped"


def test_a_resolve_during_a_silence_is_recorded_not_sent_and_nothing_goes_out_when_it_ends(clock):
    make_rule(slack_enabled=True)
    clock.tick(T0)
    silence(T0 + minutes(1), T0 + minutes(30), ("metric", "=", "cpu_usage"))

    clock.tick(T0 + minutes(5), value=10)

    alert = AlertHistory.objects.get()
    assert alert.status == "resolved"
    assert [(e, s) for e, s, _ in deliveries()] == [("trigger", "sent"), ("resolve", "skipped")]
    assert clock.release(T0 + minutes(31)) == 0
    assert clock.arrived() == [FIRING]


def test_an_alert_fired_and_resolved_within_a_silence_is_never_sent(clock):
    make_rule(slack_enabled=True)
    silence(T0 - minutes(1), T0 + minutes(30), ("metric", "=", "cpu_usage"))
    clock.tick(T0)
    clock.tick(T0 + minutes(5), value=10)

    assert clock.release(T0 + minutes(31)) == 0
    clock.tick(T0 + minutes(32), value=10)
    assert clock.arrived() == []
    assert [(e, s) for e, s, _ in deliveries()] == [("trigger", "skipped"), ("resolve", "skipped")]


def test_matchers_on_labels_and_category_hold_only_what_they_match(clock):
    make_rule(name="Payments CPU", slack_enabled=True, labels={"team": "payments"})
    make_rule(name="Search CPU", slack_enabled=True, labels={"team": "search"})
    make_rule(name="Checkout errors", metric_name="checkout_errors", slack_enabled=True, labels={"team": "payments"})
    MetricSample.objects.create(name="checkout_errors", value=95, timestamp=T0 - timedelta(seconds=30))
    silence(T0 - minutes(1), T0 + minutes(60), ("team", "=~", "pay.*"), ("category", "=", "system"))

    clock.tick(T0)

    statuses = dict(NotificationDelivery.objects.values_list("alert__rule_name", "status"))
    assert statuses == {"Payments CPU": "skipped", "Search CPU": "sent", "Checkout errors": "sent"}
    assert set(clock.arrived()) == {":rotating_light: *[HIGH] Search CPU*", ":rotating_light: *[HIGH] Checkout errors*"}


def test_negative_matchers_and_an_expired_or_pending_silence(clock):
    make_rule(name="Payments CPU", slack_enabled=True, labels={"team": "payments"})
    make_rule(name="Search CPU", slack_enabled=True, labels={"team": "search"})
    silence(T0 - minutes(1), T0 + minutes(60), ("team", "!=", "search"), ("rule", "!~", ".*Search.*"))
    silence(T0 - minutes(60), T0 - minutes(1), ("team", "=", "search"))  # expired
    silence(T0 + minutes(1), T0 + minutes(60), ("team", "=", "search"))  # pending

    clock.tick(T0)

    assert clock.arrived() == [":rotating_light: *[HIGH] Search CPU*"]


def test_expiring_a_silence_by_hand_sends_the_held_trigger_at_once(
    slack_server, celery_eager, django_capture_on_commit_callbacks, auth_client, user,
):
    rule = make_rule(slack_enabled=True)
    response = auth_client.post("/api/alerts/silences/", {
        "matchers": [{"label": "rule", "op": "=", "value": rule.name}],
        "ends_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(), "comment": "noisy",
    }, format="json")
    assert response.status_code == 201, response.json()
    with django_capture_on_commit_callbacks(execute=True):
        alert = lifecycle.trigger_by_hand(rule=rule, user=user)
    assert slack_server.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        expired = auth_client.post(f"/api/alerts/silences/{response.json()['id']}/expire/", {}, format="json")

    assert expired.status_code == 200 and expired.json()["state"] == "expired"
    assert [r.json["text"] for r in slack_server.requests] == [FIRING]
    assert AlertHistory.objects.get(pk=alert.pk).held_by_silence is False
    assert auth_client.get(f"{HISTORY}{alert.pk}/").json()["silenced_by"] == {"silences": [],
                                                                             "maintenance_windows": []}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_in_threads_send_one_trigger(slack_server, celery_eager):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions (PostgreSQL)")
    rule = make_rule(slack_enabled=True)
    silence(T0 - minutes(1), T0 + minutes(10), ("rule", "=", rule.name))
    alert = lifecycle.open_alert(rule=rule, now=T0, message="", context={}, value=95)
    assert AlertHistory.objects.get(pk=alert.pk).held_by_silence
    barrier = threading.Barrier(4)
    released, errors = [], []

    def sweep():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            released.append(lifecycle.release_held_alerts(now=T0 + minutes(11)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(released) == [0, 0, 0, 1]
    assert [r.json["text"] for r in slack_server.requests] == [FIRING]
    assert list(NotificationDelivery.objects.order_by("pk").values_list("event", "status")) == [
        ("trigger", "skipped"), ("trigger", "sent")]


# --- maintenance windows --------------------------------------------------------------------------

SUNDAY = 6


def sunday_night_berlin(**fields) -> MaintenanceWindow:
    values = {"matchers": [{"label": "category", "op": "=", "value": "system"}], "weekdays": [SUNDAY],
              "start_time": time(2, 0), "end_time": time(4, 0), "time_zone": "Europe/Berlin",
              "comment": "Sunday patching"}
    values.update(fields)
    return MaintenanceWindow.objects.create(**values)


@pytest.mark.parametrize("day, start, end", [
    (date(2026, 3, 22), datetime(2026, 3, 22, 1, 0), datetime(2026, 3, 22, 3, 0)),  # CET: UTC+1
    # Clocks jump from 02:00 to 03:00: the window is 03:00-04:00 CEST, one hour.
    (date(2026, 3, 29), datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 2, 0)),
    (date(2026, 4, 5), datetime(2026, 4, 5, 0, 0), datetime(2026, 4, 5, 2, 0)),  # CEST: UTC+2
    # Clocks go back from 03:00 to 02:00: 02:00 CEST to 04:00 CET, three hours.
    (date(2026, 10, 25), datetime(2026, 10, 25, 0, 0), datetime(2026, 10, 25, 3, 0)),
    (date(2026, 11, 1), datetime(2026, 11, 1, 1, 0), datetime(2026, 11, 1, 3, 0)),
])
def test_a_sunday_window_in_berlin_keeps_its_local_hours_across_dst(day, start, end):
    window = sunday_night_berlin()

    assert window.occurrence_on(day) == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))
    assert window.occurrence_on(day - timedelta(days=1)) is None  # a Saturday
    inside, after = start.replace(tzinfo=UTC) + minutes(30), end.replace(tzinfo=UTC)
    assert window.occurrence_at(inside) is not None
    assert window.occurrence_at(after) is None
    assert window.occurrence_at(start.replace(tzinfo=UTC) - timedelta(seconds=1)) is None
    assert window.next_start(start.replace(tzinfo=UTC) - minutes(1)) == start.replace(tzinfo=UTC)
    next_sunday = window.occurrence_on(day + timedelta(days=7))
    assert next_sunday is not None and window.next_start(inside) == next_sunday[0]


def test_a_window_across_midnight_its_dates_and_its_next_start():
    # Sunday 22:00 to Monday 01:00 UTC, from 2026-11-01 to 2026-11-15.
    window = sunday_night_berlin(start_time=time(22, 0), end_time=time(1, 0), time_zone="UTC",
                                 starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 15))

    assert window.occurrence_at(datetime(2026, 11, 9, 0, 30, tzinfo=UTC)) == (
        datetime(2026, 11, 8, 22, 0, tzinfo=UTC), datetime(2026, 11, 9, 1, 0, tzinfo=UTC))
    assert window.occurrence_at(datetime(2026, 10, 26, 0, 30, tzinfo=UTC)) is None  # before starts_on
    assert window.occurrence_at(datetime(2026, 11, 23, 0, 30, tzinfo=UTC)) is None  # after ends_on
    assert window.next_start(datetime(2026, 10, 1, tzinfo=UTC)) == datetime(2026, 11, 1, 22, 0, tzinfo=UTC)
    assert window.next_start(datetime(2026, 11, 15, 23, 0, tzinfo=UTC)) is None
    every_day = sunday_night_berlin(weekdays=list(range(7)), start_time=time(0, 0), end_time=time(0, 0),
                                    time_zone="UTC")
    assert every_day.occurrence_at(datetime(2026, 11, 4, 12, 0, tzinfo=UTC)) == (
        datetime(2026, 11, 4, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC))  # equal times: all day


def test_an_alert_in_the_berlin_window_on_the_night_the_clocks_go_back_is_held_until_04_00_cet(clock):
    make_rule(slack_enabled=True)
    make_rule(name="Checkout errors", metric_name="checkout_errors", slack_enabled=True)  # custom, not system
    window = sunday_night_berlin()
    fell_back = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET, the second hour 02:00-03:00 is past
    MetricSample.objects.create(name="checkout_errors", value=95, timestamp=fell_back - timedelta(seconds=30))

    clock.tick(fell_back)

    cpu = NotificationDelivery.objects.get(alert__rule_name="High CPU Usage")
    assert cpu.status == "skipped"
    assert cpu.last_error == (f"Silenced by maintenance window #{window.pk} until 2026-10-25 03:00:00 UTC: "
                              "Sunday patching")
    assert clock.arrived() == [":rotating_light: *[HIGH] Checkout errors*"]
    assert clock.release(datetime(2026, 10, 25, 2, 59, tzinfo=UTC)) == 0
    assert clock.release(datetime(2026, 10, 25, 3, 0, tzinfo=UTC)) == 1
    assert clock.arrived() == [":rotating_light: *[HIGH] Checkout errors*", FIRING]


def test_the_minute_s_task_releases_on_the_notifications_queue(slack_server, celery_eager,
                                                              django_capture_on_commit_callbacks, settings):
    from alerts.tasks import release_silenced_alerts

    rule = make_rule(slack_enabled=True)
    now = datetime.now(UTC)
    held = silence(now - minutes(10), now + minutes(10), ("rule", "=", rule.name))
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.open_alert(rule=rule, now=now, message="", context={}, value=95)
    assert release_silenced_alerts() == {"released": 0}
    Silence.objects.filter(pk=held.pk).update(ends_at=now)

    with django_capture_on_commit_callbacks(execute=True):
        assert release_silenced_alerts() == {"released": 1}

    assert [r.json["text"] for r in slack_server.requests] == [FIRING]
    assert settings.CELERY_TASK_ROUTES["alerts.tasks.release_silenced_alerts"] == {"queue": "notifications"}
