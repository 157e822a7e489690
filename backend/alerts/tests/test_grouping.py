"""Notification grouping (docs/architecture.md §10), Alertmanager's semantics, on a controlled
clock: group_wait, group_interval, repeat_interval, resolves, silences, and the routes a policy
without group_by (or the rule itself) still sends one by one. Every message is delivered to a
real receiver on 127.0.0.1 and read back from it."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection

from alerts.models import (
    AlertHistory,
    DeliveryStatus,
    NotificationDelivery,
    NotificationEvent,
    NotificationGroup,
    NotificationGroupAlert,
    NotificationPolicy,
    Silence,
)
from alerts.services import grouping, lifecycle, notifications

from . import channel_testing
from .channel_testing import T0, make_channel
from .conftest import SITE_URL
from .factories import make_rule

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

HOOK = "/services/T0GROUP/B0GROUP/grouptoken"


def slack_channel(server, name="Team Slack"):
    return make_channel("slack", name=name, settings={"channel": "#team"},
                        secrets={"webhook_url": server.url(HOOK)})


def grouping_policy(*channels, **fields):
    values = {"name": "Per rule", "matchers": [], "group_by": ["rule"], "group_wait_seconds": 30,
              "group_interval_seconds": 300, "repeat_interval_seconds": 3600}
    values.update(fields)
    policy = NotificationPolicy.objects.create(**values)
    policy.channels.set(channels)
    return policy


def route_rule(**fields):
    values = {"name": "Error rate per route", "metric_name": "api_error_rate", "condition": "gt",
              "threshold_value": 5.0, "severity": "high", "group_by": ["route"], "cooldown_minutes": 10}
    values.update(fields)
    return make_rule(**values)


def fire(rule, route: str, at, value: float = 12.0) -> AlertHistory:
    return lifecycle.open_alert(rule=rule, now=at, value=value, message=f"{route} is failing",
                                context={"window_minutes": 5, "aggregation": "avg"}, group_labels={"route": route})


def resolve(alert: AlertHistory, at, value: float = 1.0) -> None:
    assert lifecycle.resolve_by_system(alert=alert, now=at, value=value, notes="back to normal")


def flush(at) -> list[NotificationDelivery]:
    """Flush what is due at `at` and deliver each group message written; those deliveries."""
    before = NotificationDelivery.objects.filter(event=NotificationEvent.GROUP).count()
    grouping.flush_due_groups(now=at)
    for delivery in NotificationDelivery.objects.filter(event=NotificationEvent.GROUP, status=DeliveryStatus.PENDING):
        notifications.deliver(delivery_id=delivery.pk, now=at, jitter=0.0)
    return list(NotificationDelivery.objects.filter(event=NotificationEvent.GROUP).order_by("pk")[before:])


def arrived(server) -> list[dict]:
    return [request.json for request in server.requests]


def subjects(server) -> list[str]:
    return [payload["attachments"][0]["fallback"] for payload in arrived(server)]


def test_one_message_for_the_group_after_group_wait_not_one_per_alert(receiver):
    policy = grouping_policy(slack_channel(receiver))
    rule = route_rule()
    alerts = [fire(rule, f"/api/r{n}/", T0) for n in range(20)]

    assert NotificationDelivery.objects.count() == 0  # nothing per alert
    assert flush(T0 + timedelta(seconds=29)) == []
    (delivery,) = flush(T0 + timedelta(seconds=30))

    assert delivery.status == DeliveryStatus.SENT and delivery.alert is None
    (payload,) = arrived(receiver)
    assert payload["channel"] == "#team"
    assert payload["text"] == ":rotating_light: *[FIRING:20] Error rate per route (rule=Error rate per route)*"
    body = payload["attachments"][0]["text"]
    assert body.startswith("20 firing, 0 resolved.\nFiring:\n")
    for alert in alerts:
        assert f"<{SITE_URL}/alerts/{alert.pk}|#{alert.pk}>" in body
    assert ('- [HIGH] Error rate per route {route="/api/r0/"}: 12% (threshold &gt; 5%), '
            'firing since 2025-03-01 12:00:00 UTC') in body
    # Each alert the message listed counts it as one of its notifications.
    assert set(AlertHistory.objects.values_list("notification_count", "last_notified_at")) == {
        (1, T0 + timedelta(seconds=30))}
    group = NotificationGroup.objects.get()
    assert (group.policy, group.labels) == (policy, {"rule": "Error rate per route"})
    assert sorted(group.sent_firing) == sorted(alert.pk for alert in alerts)
    assert group.next_flush_at == T0 + timedelta(seconds=330)


def test_an_alert_joining_waits_for_the_next_group_interval(receiver):
    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    fire(rule, "/a/", T0)
    flush(T0 + timedelta(seconds=30))
    late = fire(rule, "/b/", T0 + timedelta(seconds=60))

    assert flush(T0 + timedelta(seconds=60)) == []
    assert flush(T0 + timedelta(seconds=329)) == []
    (delivery,) = flush(T0 + timedelta(seconds=330))

    assert subjects(receiver) == ["[FIRING:1] Error rate per route (rule=Error rate per route)",
                                  "[FIRING:2] Error rate per route (rule=Error rate per route)"]
    assert f"/alerts/{late.pk}|" in arrived(receiver)[1]["attachments"][0]["text"]
    assert delivery.payload["group"]["reason"] == "alerts changed"


def test_nothing_changed_nothing_sent_until_repeat_interval(receiver):
    grouping_policy(slack_channel(receiver), repeat_interval_seconds=3600)
    rule = route_rule()
    fire(rule, "/a/", T0)
    flush(T0 + timedelta(seconds=30))

    at = T0 + timedelta(seconds=30)
    for _ in range(11):  # every group interval up to 55 min after the message: nothing to say
        at += timedelta(seconds=300)
        assert flush(at) == []
    at += timedelta(seconds=300)  # 60 min after the message
    (reminder,) = flush(at)

    assert reminder.payload["group"]["reason"] == "repeat interval elapsed"
    assert subjects(receiver) == ["[FIRING:1] Error rate per route (rule=Error rate per route)"] * 2


def test_per_alert_reminders_are_not_sent_to_a_grouping_policy(receiver):
    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    alert = fire(rule, "/a/", T0)

    assert lifecycle.remind(alert=alert, now=T0 + timedelta(minutes=10), value=13.0)
    assert NotificationDelivery.objects.count() == 0


def test_no_reminder_while_every_firing_alert_is_acknowledged(receiver, user):
    grouping_policy(slack_channel(receiver), repeat_interval_seconds=600)
    rule = route_rule()
    alert = fire(rule, "/a/", T0)
    flush(T0 + timedelta(seconds=30))
    lifecycle.acknowledge(alert=alert, user=user, now=T0 + timedelta(seconds=40))

    assert NotificationDelivery.objects.exclude(event=NotificationEvent.GROUP).count() == 0
    assert flush(T0 + timedelta(seconds=630)) == []
    other = fire(rule, "/b/", T0 + timedelta(seconds=700))
    (delivery,) = flush(T0 + timedelta(seconds=930))
    lines = arrived(receiver)[1]["attachments"][0]["text"]
    assert f"acknowledged by {user.get_username()}" in lines
    assert {entry["alert_id"] for entry in delivery.payload["group"]["alerts"]} == {alert.pk, other.pk}


def test_resolves_go_out_as_one_message_and_the_group_closes(receiver):
    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    alerts = [fire(rule, f"/r{n}/", T0) for n in range(3)]
    flush(T0 + timedelta(seconds=30))
    resolve(alerts[0], T0 + timedelta(seconds=100))
    (partly,) = flush(T0 + timedelta(seconds=330))
    for alert in alerts[1:]:
        resolve(alert, T0 + timedelta(seconds=400))
    (resolved,) = flush(T0 + timedelta(seconds=630))

    assert subjects(receiver) == [
        "[FIRING:3] Error rate per route (rule=Error rate per route)",
        "[FIRING:2] Error rate per route (rule=Error rate per route)",
        "[RESOLVED] Error rate per route (rule=Error rate per route)",
    ]
    assert [entry["status"] for entry in partly.payload["group"]["alerts"]] == ["firing", "firing", "resolved"]
    last = arrived(receiver)[2]["attachments"][0]
    assert last["color"] == "#2eb67d"
    assert last["text"].startswith("0 firing, 2 resolved.\nResolved:\n")
    assert "resolved at" in last["text"]
    group = NotificationGroup.objects.get()
    assert (group.next_flush_at, group.sent_firing) == (None, [])
    assert not NotificationGroupAlert.objects.exists()
    assert flush(T0 + timedelta(hours=10)) == []

    # The next alert opens the group again, after group_wait.
    fire(rule, "/r0/", T0 + timedelta(hours=11))
    assert flush(T0 + timedelta(hours=11, seconds=29)) == []
    assert len(flush(T0 + timedelta(hours=11, seconds=30))) == 1


def test_an_alert_that_fired_and_resolved_within_group_wait_is_not_told(receiver):
    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    alert = fire(rule, "/a/", T0)
    resolve(alert, T0 + timedelta(seconds=10))

    assert flush(T0 + timedelta(seconds=30)) == []
    assert receiver.requests == []
    assert NotificationGroup.objects.get().next_flush_at is None


def test_a_rule_with_notify_on_resolve_off_is_never_listed_resolved(receiver):
    grouping_policy(slack_channel(receiver))
    rule = route_rule(notify_on_resolve=False)
    alert = fire(rule, "/a/", T0)
    flush(T0 + timedelta(seconds=30))
    resolve(alert, T0 + timedelta(seconds=60))

    assert flush(T0 + timedelta(seconds=330)) == []
    assert len(receiver.requests) == 1


def test_the_rules_own_channels_and_policies_without_group_by_send_one_by_one(receiver, slack_server):
    grouping_policy(slack_channel(receiver), continue_matching=True)
    plain = NotificationPolicy.objects.create(name="Everything", matchers=[], position=1)
    plain.channels.set([make_channel("webhook", name="Plain hook", secrets={"url": receiver.url("/plain")})])
    rule = route_rule(slack_enabled=True, slack_channel="#ops")
    alert = fire(rule, "/a/", T0)

    per_alert = NotificationDelivery.objects.filter(alert=alert).order_by("pk")
    assert [(d.event, d.channel_name, d.target) for d in per_alert] == [
        ("trigger", "Slack (default)", "#ops"), ("trigger", "Plain hook", ""),
    ]
    for delivery in per_alert:
        notifications.deliver(delivery_id=delivery.pk, now=T0)
    assert len(slack_server.requests) == 1 and [r.path for r in receiver.requests] == ["/plain"]
    assert len(flush(T0 + timedelta(seconds=30))) == 1
    assert [r.path for r in receiver.requests] == ["/plain", HOOK]


def test_silenced_alerts_are_left_out_and_a_group_of_only_them_sends_nothing(receiver, user):
    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    silence = Silence.objects.create(
        matchers=[{"label": "route", "op": "=", "value": "/quiet/"}], starts_at=T0 - timedelta(minutes=1),
        ends_at=T0 + timedelta(minutes=20), comment="deploying", created_by=user,
    )
    quiet = fire(rule, "/quiet/", T0)

    (skipped,) = NotificationDelivery.objects.filter(alert=quiet)
    assert (skipped.event, skipped.status, skipped.channel_name) == ("trigger", "skipped", "Team Slack")
    assert skipped.last_error.startswith(f"Silenced by silence #{silence.pk} until")
    assert flush(T0 + timedelta(seconds=30)) == []

    loud = fire(rule, "/loud/", T0 + timedelta(seconds=60))
    (delivery,) = flush(T0 + timedelta(seconds=330))
    assert [entry["alert_id"] for entry in delivery.payload["group"]["alerts"]] == [loud.pk]
    assert subjects(receiver) == ["[FIRING:1] Error rate per route (rule=Error rate per route)"]

    # Once the silence is over, the next look at the group lists it: something new fires.
    (later,) = flush(T0 + timedelta(minutes=20, seconds=30))
    assert {entry["alert_id"] for entry in later.payload["group"]["alerts"]} == {quiet.pk, loud.pk}


def test_group_by_every_label_and_separate_groups_per_key(receiver):
    grouping_policy(slack_channel(receiver), group_by=["route"])
    rule = route_rule()
    fire(rule, "/a/", T0)
    fire(route_rule(name="Latency per route", metric_name="api_latency_p95"), "/a/", T0)
    fire(rule, "/b/", T0)

    deliveries = flush(T0 + timedelta(seconds=30))

    assert sorted(subjects(receiver)) == ["[FIRING:1] Error rate per route (route=/b/)",
                                          "[FIRING:2] Per rule (route=/a/)"]
    assert len(deliveries) == 2
    NotificationGroup.objects.all().delete()
    receiver.requests.clear()
    NotificationPolicy.objects.update(group_by=["..."])
    fire(rule, "/c/", T0 + timedelta(hours=1))
    flush(T0 + timedelta(hours=1, seconds=30))
    assert subjects(receiver) == ["[FIRING:1] Error rate per route (category=api metric=api_error_rate "
                                  "route=/c/ rule=Error rate per route severity=high)"]


def test_every_target_of_the_policys_channels_gets_the_group_message(receiver, smtp_server):
    email = make_channel("email", name="Ops mail", settings={
        "recipients": ["a@example.com", "b@example.com"], "from_email": "alerts@example.com",
        "host": "127.0.0.1", "port": smtp_server.port, "use_tls": False})
    grouping_policy(slack_channel(receiver), email)
    rule = route_rule()
    fire(rule, "/a/", T0)
    fire(rule, "/b/", T0)

    deliveries = flush(T0 + timedelta(seconds=30))

    assert sorted((d.channel_name, d.target, d.status) for d in deliveries) == [
        ("Ops mail", "a@example.com", "sent"), ("Ops mail", "b@example.com", "sent"), ("Team Slack", "#team", "sent"),
    ]
    assert [m["Subject"] for m in smtp_server.messages] == ["[FIRING:2] Error rate per route "
                                                            "(rule=Error rate per route)"] * 2


def test_an_undelivered_older_group_message_is_superseded_by_the_next(receiver):
    from .receivers import Reply

    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    fire(rule, "/a/", T0)
    receiver.default_reply = Reply(503, "busy")
    (first,) = flush(T0 + timedelta(seconds=30))
    first.refresh_from_db()
    assert first.status == DeliveryStatus.PENDING  # waiting for its retry
    receiver.default_reply = Reply()
    fire(rule, "/b/", T0 + timedelta(seconds=60))
    (second,) = flush(T0 + timedelta(seconds=330))

    first.refresh_from_db()
    assert (first.status, first.last_error) == (DeliveryStatus.SKIPPED, grouping.SUPERSEDED_GROUP)
    assert second.status == DeliveryStatus.SENT
    assert subjects(receiver)[-1] == "[FIRING:2] Error rate per route (rule=Error rate per route)"


def test_a_policy_whose_group_by_changed_closes_its_groups(receiver):
    policy = grouping_policy(slack_channel(receiver))
    fire(route_rule(), "/a/", T0)
    NotificationPolicy.objects.filter(pk=policy.pk).update(group_by=["route"])

    assert flush(T0 + timedelta(seconds=30)) == []
    assert NotificationGroup.objects.get().next_flush_at is None
    assert not NotificationGroupAlert.objects.exists()


def test_two_flushes_of_one_group_send_one_message(receiver):
    grouping_policy(slack_channel(receiver))
    fire(route_rule(), "/a/", T0)
    group = NotificationGroup.objects.get()
    at = T0 + timedelta(seconds=30)

    assert len(grouping.flush_group(group.pk, now=at)) == 1
    assert grouping.flush_group(group.pk, now=at) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_flushing_at_once_send_one_message(receiver):
    """Two threads, two database connections, flushing the same due group at the same moment."""
    grouping_policy(slack_channel(receiver))
    fire(route_rule(), "/a/", T0)
    group = NotificationGroup.objects.get()
    at = T0 + timedelta(seconds=30)
    start = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait()
            written.append(len(grouping.flush_group(group.pk, now=at)))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    if connection.vendor == "sqlite":
        # The write lock serialises them; a writer that timed out on it has sent nothing.
        assert sum(written) == 1, (written, errors)
    else:
        assert (sorted(written), errors) == ([0, 1], [])
    assert NotificationDelivery.objects.filter(event=NotificationEvent.GROUP).count() == 1


def test_old_group_messages_are_cleaned_up_with_the_history(receiver, settings):
    from alerts.services.history_cleanup import cleanup_old_alert_history

    settings.ALERT_HISTORY_RETENTION_DAYS = 30
    grouping_policy(slack_channel(receiver))
    fire(route_rule(), "/a/", T0)
    (old,) = flush(T0 + timedelta(seconds=30))
    # Forty days later: the group's reminder, and a new group's first message.
    fire(route_rule(name="Latency per route"), "/a/", T0 + timedelta(days=40))
    recent = flush(T0 + timedelta(days=40, seconds=30))
    assert len(recent) == 2

    counts = cleanup_old_alert_history(now=T0 + timedelta(days=45))

    assert counts["other_deliveries"] == 1
    assert sorted(NotificationDelivery.objects.filter(event=NotificationEvent.GROUP), key=lambda d: d.pk) == recent
    assert not NotificationDelivery.objects.filter(pk=old.pk).exists()


def test_a_groups_emails_thread_under_its_first_until_it_closes(smtp_server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    email = make_channel("email", name="Ops mail", settings={
        "recipients": ["ops@example.com"], "from_email": "alerts@example.com", "host": "127.0.0.1",
        "port": smtp_server.port, "use_tls": False})
    grouping_policy(email)
    rule = route_rule()
    alert = fire(rule, "/a/", T0)
    flush(T0 + timedelta(seconds=30))
    resolve(alert, T0 + timedelta(seconds=60))
    flush(T0 + timedelta(seconds=330))
    fire(rule, "/a/", T0 + timedelta(hours=1))
    flush(T0 + timedelta(hours=1, seconds=30))

    first, resolved, again = smtp_server.messages
    assert first["Message-ID"].startswith("<resee-group-")
    assert (resolved["In-Reply-To"], resolved["References"]) == (first["Message-ID"], first["Message-ID"])
    assert resolved["Subject"] == "[RESOLVED] Error rate per route (rule=Error rate per route)"
    assert again["Message-ID"] not in (None, first["Message-ID"]) and again["In-Reply-To"] is None


def test_an_alerts_timeline_lists_the_group_messages_that_listed_it(receiver):
    from alerts.services.timeline import alert_timeline

    grouping_policy(slack_channel(receiver))
    rule = route_rule()
    first = fire(rule, "/a/", T0)
    flush(T0 + timedelta(seconds=30))
    late = fire(rule, "/b/", T0 + timedelta(seconds=60))
    resolve(first, T0 + timedelta(seconds=90))
    flush(T0 + timedelta(seconds=330))
    other = fire(route_rule(name="Latency per route"), "/a/", T0 + timedelta(seconds=400))
    flush(T0 + timedelta(seconds=430))

    def groups(alert):
        alert.refresh_from_db()
        return [(entry["text"], entry["at"]) for entry in alert_timeline(alert)["entries"] if entry["event"] == "group"]

    assert groups(first) == [("Group sent to Team Slack (#team)", T0 + timedelta(seconds=30)),
                             ("Group sent to Team Slack (#team)", T0 + timedelta(seconds=330))]
    assert groups(late) == [("Group sent to Team Slack (#team)", T0 + timedelta(seconds=330))]
    assert groups(other) == [("Group sent to Team Slack (#team)", T0 + timedelta(seconds=430))]
