"""Escalation (docs/architecture.md §10), on a controlled clock against real receivers: an alert a
policy matches, not acknowledged within escalate_after_minutes, goes once to the policy's
escalation channels; acknowledging or resolving first means none, and the escalation channels
hear the acknowledgement and the resolve of what they were sent."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts.models import (
    AlertEvent,
    AlertHistory,
    NotificationChannel,
    NotificationDelivery,
    NotificationPolicy,
    Silence,
)
from alerts.services import lifecycle
from alerts.services.escalation import escalate
from alerts.services.notifications import deliver

from .factories import make_rule
from .receivers import Reply, WebhookServer

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
POLICIES = "/api/alerts/policies/"


@pytest.fixture
def pager(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    server = WebhookServer().start()
    server.default_reply = Reply(202, '{"status": "success"}')
    yield server
    server.stop()


@pytest.fixture
def on_call(pager, slack_server, celery_eager, django_capture_on_commit_callbacks, user):
    """A critical rule told to Slack; a policy for critical alerts that escalates to PagerDuty after
    15 minutes. `run(fn, ...)` runs fn with its queued sends delivered."""
    pagerduty = NotificationChannel.objects.create(
        kind="pagerduty", name="PagerDuty (secondary)", settings={"events_url": pager.url("/v2/enqueue")},
        secrets={"routing_key": "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12"},
    )
    slack = NotificationChannel.objects.create(
        kind="slack", name="Ops Slack", settings={"channel": "#ops"},
        secrets={"webhook_url": slack_server.url("/hook")},
    )
    policy = NotificationPolicy.objects.create(
        name="Critical", matchers=[{"label": "severity", "op": "=", "value": "critical"}], escalate_after_minutes=15,
    )
    policy.channels.set([slack])
    policy.escalation_channels.set([pagerduty])
    rule = make_rule(name="Checkout errors", severity="critical")

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    def open_alert():
        alert = run(lifecycle.trigger_by_hand, rule=rule, user=user)
        AlertHistory.objects.filter(pk=alert.pk).update(triggered_at=T0)
        alert.refresh_from_db()
        return alert

    return run, open_alert, policy


def pager_events(pager) -> list[tuple[str, str]]:
    return [(r.json["event_action"], r.json.get("payload", {}).get("summary", "")) for r in pager.requests]


def test_an_alert_not_acknowledged_in_time_is_escalated_once_and_its_resolve_follows(on_call, pager, slack_server,
                                                                                     user):
    run, open_alert, policy = on_call
    alert = open_alert()

    assert run(escalate, now=T0 + timedelta(minutes=14, seconds=59)) == 0
    assert pager.requests == []
    assert run(escalate, now=T0 + timedelta(minutes=15)) == 1

    ((action, summary),) = pager_events(pager)
    assert action == "trigger" and summary.startswith("[ESCALATED] [CRITICAL] Checkout errors")
    assert pager.requests[0].json["dedup_key"] == f"resee-alert-{alert.pk}"
    delivery = NotificationDelivery.objects.get(event="escalation")
    assert delivery.status == "sent" and delivery.channel_name == "PagerDuty (secondary)"
    assert delivery.payload["escalated_after_minutes"] == 15
    assert "Escalated: not acknowledged for 15 min; still firing" in str(pager.requests[0].json["payload"])
    event = AlertEvent.objects.get(alert=alert, kind="escalated")
    assert event.key == f"policy:{policy.pk}"
    assert "not acknowledged for 15 min" in event.text and "PagerDuty (secondary)" in event.text

    assert run(escalate, now=T0 + timedelta(minutes=30)) == 0  # once
    run(lifecycle.resolve_by_person, alert=alert, user=user, notes="fixed")
    assert [action for action, _ in pager_events(pager)] == ["trigger", "resolve"]
    assert [r.json["text"] for r in slack_server.requests][-1].startswith(":white_check_mark: *Resolved")


def test_an_acknowledged_alert_is_not_escalated_and_escalation_hears_the_acknowledgement(on_call, pager, user):
    run, open_alert, _ = on_call
    first = open_alert()
    run(lifecycle.acknowledge, alert=first, user=user, comment="mine", now=T0 + timedelta(minutes=5))

    assert run(escalate, now=T0 + timedelta(minutes=20)) == 0
    assert pager.requests == []

    run(lifecycle.resolve_by_person, alert=first, user=user)
    second = open_alert()
    assert run(escalate, now=T0 + timedelta(minutes=16)) == 1
    run(lifecycle.acknowledge, alert=second, user=user, now=T0 + timedelta(minutes=17))
    assert [action for action, _ in pager_events(pager)] == ["trigger", "acknowledge"]


def test_an_escalation_still_on_its_way_when_the_alert_is_acknowledged_is_not_sent(on_call, pager, user):
    _, open_alert, _ = on_call
    alert = open_alert()
    escalate(now=T0 + timedelta(minutes=15))  # queued, not yet sent (no commit here)
    pending = NotificationDelivery.objects.get(event="escalation")
    lifecycle.acknowledge(alert=alert, user=user, now=T0 + timedelta(minutes=16))

    outcome = deliver(delivery_id=pending.pk, now=T0 + timedelta(minutes=16))

    assert outcome.status == "skipped"
    pending.refresh_from_db()
    assert pending.last_error == "Not sent: the alert was acknowledged before its escalation went out."
    assert [r for r in pager.requests if r.json.get("event_action") == "trigger"] == []


def test_a_silenced_alert_is_escalated_only_once_nothing_holds_it(on_call, pager, user):
    run, open_alert, _ = on_call
    alert = open_alert()
    silence = Silence.objects.create(matchers=[{"label": "rule", "op": "=", "value": "Checkout errors"}],
                                     starts_at=T0, ends_at=T0 + timedelta(minutes=30), comment="deploy")

    assert run(escalate, now=T0 + timedelta(minutes=20)) == 0
    assert not AlertEvent.objects.filter(alert=alert, kind="escalated").exists()

    silence.delete()
    assert run(escalate, now=T0 + timedelta(minutes=31)) == 1
    assert [action for action, _ in pager_events(pager)] == ["trigger"]


def test_an_alert_no_escalating_policy_matches_is_never_escalated(on_call, pager, user):
    run, _, _ = on_call
    low = make_rule(name="Disk", severity="low", slack_enabled=True)
    alert = run(lifecycle.trigger_by_hand, rule=low, user=user)
    AlertHistory.objects.filter(pk=alert.pk).update(triggered_at=T0)

    assert run(escalate, now=T0 + timedelta(hours=3)) == 0
    assert pager.requests == []


def test_the_task_escalates(on_call, pager, settings):
    from alerts.tasks import escalate_unacknowledged_alerts

    run, open_alert, policy = on_call
    alert = open_alert()
    AlertHistory.objects.filter(pk=alert.pk).update(triggered_at=T0 - timedelta(days=1))
    assert run(escalate_unacknowledged_alerts) == {"escalated": 1}
    assert "escalate-unacknowledged-alerts" in settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_TASK_ROUTES["alerts.tasks.escalate_unacknowledged_alerts"] == {"queue": "notifications"}


def test_the_escalation_message_says_so_in_slack(slack_server, celery_eager, django_capture_on_commit_callbacks,
                                                 user, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    channel = NotificationChannel.objects.create(kind="slack", name="Managers", settings={"channel": "#managers"},
                                                 secrets={"webhook_url": slack_server.url("/managers")})
    policy = NotificationPolicy.objects.create(name="Everything", escalate_after_minutes=5)
    policy.channels.set([channel])
    policy.escalation_channels.set([channel])
    with django_capture_on_commit_callbacks(execute=True):
        alert = lifecycle.trigger_by_hand(rule=make_rule(name="Queue stuck"), user=user)
    AlertHistory.objects.filter(pk=alert.pk).update(triggered_at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        escalate(now=T0 + timedelta(minutes=5))

    texts = [r.json["text"] for r in slack_server.requests]
    assert texts == [":rotating_light: *[HIGH] Queue stuck*",
                     ":sos: *[HIGH] Queue stuck* escalated: not acknowledged for 5 min"]
    assert "Escalated: not acknowledged for 5 min; still firing" in slack_server.requests[1].json["attachments"][0][
        "text"]


# --- the policy API ---------------------------------------------------------------------------------


def test_a_policy_that_escalates_needs_escalation_channels(auth_client):
    channel = NotificationChannel.objects.create(kind="webhook", name="Hook", secrets={"url": "https://example.com/h"})

    refused = auth_client.post(POLICIES, {"name": "P", "channels": [channel.pk], "escalate_after_minutes": 10},
                               format="json")
    assert refused.status_code == 400
    assert "escalation_channels" in refused.json()
    assert not NotificationPolicy.objects.exists()

    made = auth_client.post(POLICIES, {"name": "P", "channels": [channel.pk], "escalate_after_minutes": 10,
                                       "escalation_channels": [channel.pk]}, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["escalate_after_minutes"], made.json()["escalation_channels"]) == (10, [channel.pk])

    cleared = auth_client.patch(f"{POLICIES}{made.json()['id']}/", {"escalate_after_minutes": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["escalate_after_minutes"] is None
    for bad in (0, 1441, "ten", True):
        response = auth_client.patch(f"{POLICIES}{made.json()['id']}/", {"escalate_after_minutes": bad}, format="json")
        assert response.status_code == 400 and "escalate_after_minutes" in response.json(), bad


def test_the_admin_refuses_an_escalation_without_channels(admin_client):
    channel = NotificationChannel.objects.create(kind="webhook", name="Hook", secrets={"url": "https://example.com/h"})
    form = {"name": "Critical", "position": 0, "matchers": "[]", "channels": [channel.pk], "is_active": "on",
            "escalate_after_minutes": 10}

    refused = admin_client.post("/admin/alerts/notificationpolicy/add/", form)
    assert refused.status_code == 200
    assert "escalation_channels" in refused.context["adminform"].form.errors
    assert not NotificationPolicy.objects.exists()

    saved = admin_client.post("/admin/alerts/notificationpolicy/add/", {**form, "escalation_channels": [channel.pk]})
    assert saved.status_code == 302
    policy = NotificationPolicy.objects.get()
    assert (policy.escalate_after_minutes, list(policy.escalation_channels.all())) == (10, [channel])
    assert (policy.group_wait_seconds, policy.group_interval_seconds) == (30, 300)
