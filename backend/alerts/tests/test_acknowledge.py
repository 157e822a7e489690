"""Acknowledge (docs/architecture.md §10): who has an alert. Recorded, told once to its channels
(PagerDuty and Opsgenie acknowledge it with the trigger's key), reminders stop until it is given
back, the resolve is still sent, and never out of order with the trigger."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from alerts.models import AlertHistory, NotificationChannel, NotificationDelivery
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from alerts.services.lifecycle import acknowledge, resolve_by_person
from alerts.services.notifications import SUPERSEDED_ACKNOWLEDGE, deliver, queue_alert_notifications
from monitoring.models import MetricSample

from .factories import make_alert, make_rule
from .receivers import Reply, WebhookServer

pytestmark = pytest.mark.django_db

HISTORY = "/api/alerts/history/"
T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def pager(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    server = WebhookServer().start()
    server.default_reply = Reply(202, '{"status": "success"}')
    yield server
    server.stop()


def on_call_rule(pager, **fields):
    channels = {
        "pagerduty": NotificationChannel.objects.create(
            kind="pagerduty", name="PagerDuty", settings={"events_url": pager.url("/v2/enqueue")},
            secrets={"routing_key": "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12"},
        ),
        "opsgenie": NotificationChannel.objects.create(
            kind="opsgenie", name="Opsgenie", settings={"api_url": pager.url("")},
            secrets={"api_key": "0psgenie-key-0psgenie-key"},
        ),
    }
    rule = make_rule(name="Checkout errors", severity="critical", slack_enabled=True, slack_channel="#ops",
                     **fields)
    rule.channels.set(channels.values())
    return rule


def fire(rule, user, capture):
    from alerts.services.lifecycle import trigger_by_hand

    with capture(execute=True):
        return trigger_by_hand(rule=rule, user=user)


def test_acknowledging_tells_every_channel_once_and_pagerduty_acknowledges_the_trigger_s_key(
    auth_client, user, slack_server, pager, celery_eager, django_capture_on_commit_callbacks,
):
    alert = fire(on_call_rule(pager), user, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {"comment": "Looking at the DB"},
                                    format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["acknowledged_by"], data["acknowledged_comment"]) == ("oncall", "Looking at the DB")
    assert data["acknowledged_at"] is not None
    texts = [r.json["text"] for r in slack_server.requests]
    assert texts == [":rotating_light: *[CRITICAL] Checkout errors*",
                     ":eyes: *[CRITICAL] Checkout errors* acknowledged by oncall"]
    assert "Looking at the DB" in slack_server.requests[1].json["attachments"][0]["text"]
    events = [r.json for r in pager.requests if r.path == "/v2/enqueue"]
    assert [(e["event_action"], e["dedup_key"]) for e in events] == [
        ("trigger", f"resee-alert-{alert.pk}"), ("acknowledge", f"resee-alert-{alert.pk}")]
    paths = [r.path for r in pager.requests if r.path.startswith("/v2/alerts")]
    assert paths == ["/v2/alerts", f"/v2/alerts/resee-alert-{alert.pk}/acknowledge?identifierType=alias"]

    again = auth_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {"comment": "me too"}, format="json")
    assert again.status_code == 200
    assert again.json()["acknowledged_comment"] == "Looking at the DB"
    assert NotificationDelivery.objects.filter(event="acknowledge").count() == 3


def test_a_resolved_alert_cannot_be_acknowledged_or_given_back(auth_client, user):
    alert = make_alert(make_rule(), status="resolved", resolved_by=user)

    for action in ("acknowledge", "unacknowledge"):
        response = auth_client.post(f"{HISTORY}{alert.pk}/{action}/", {}, format="json")
        assert response.status_code == 409, action
        assert "is resolved (by oncall" in response.json()["detail"]
    assert AlertHistory.objects.get(pk=alert.pk).acknowledged_at is None


def test_viewers_cannot_acknowledge(viewer_client):
    alert = make_alert(make_rule())

    assert viewer_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {}, format="json").status_code == 403
    assert viewer_client.post(f"{HISTORY}{alert.pk}/unacknowledge/", {}, format="json").status_code == 403


def test_a_comment_too_long_is_a_400_and_nothing_is_acknowledged(auth_client):
    alert = make_alert(make_rule())

    response = auth_client.post(f"{HISTORY}{alert.pk}/acknowledge/", {"comment": "x" * 10_001}, format="json")

    assert response.status_code == 400 and "comment" in response.json()
    assert AlertHistory.objects.get(pk=alert.pk).acknowledged_at is None


def test_the_history_filters_by_acknowledged(auth_client, user):
    rule = make_rule()
    mine = make_alert(rule)
    acknowledge(alert=mine, user=user)
    nobody = make_alert(make_rule(name="Other"))

    def ids(value):
        return [a["id"] for a in auth_client.get(HISTORY, {"acknowledged": value}).json()["results"]]

    assert ids("true") == [mine.pk]
    assert ids("false") == [nobody.pk]
    assert auth_client.get(HISTORY, {"acknowledged": "maybe"}).status_code == 400


# --- reminders, on the engine's clock --------------------------------------------------------------


@pytest.fixture
def engine_clock(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)
    cache.delete(alert_engine.TICK_LOCK_KEY)


def tick(at: datetime, value: float = 95):
    MetricSample.objects.create(name="cpu_usage", value=value, timestamp=at - timedelta(seconds=30))
    return AlertEngine(now=at).run()


def events():
    return list(NotificationDelivery.objects.filter(channel="slack").order_by("pk").values_list("event", flat=True))


def test_an_acknowledged_alert_is_not_reminded_but_its_resolve_is_sent_and_giving_it_back_resumes_reminders(
    engine_clock, user, auth_client,
):
    make_rule(cooldown_minutes=30, slack_enabled=True)
    tick(T0)
    alert = AlertHistory.objects.get()
    acknowledge(alert=alert, user=user, comment="mine", now=T0 + timedelta(minutes=5))

    assert tick(T0 + timedelta(minutes=31)).counts["reminded"] == 0
    assert tick(T0 + timedelta(minutes=90)).counts["reminded"] == 0
    assert events() == ["trigger", "acknowledge"]

    assert auth_client.post(f"{HISTORY}{alert.pk}/unacknowledge/", {}, format="json").status_code == 200
    given_back = AlertHistory.objects.get().reminded_at
    assert given_back is not None
    assert tick(given_back + timedelta(minutes=29)).counts["reminded"] == 0
    assert tick(given_back + timedelta(minutes=31)).counts["reminded"] == 1

    acknowledge(alert=AlertHistory.objects.get(), user=user)
    tick(given_back + timedelta(minutes=40), value=10)
    assert events() == ["trigger", "acknowledge", "reminder", "acknowledge", "resolve"]


# --- order ------------------------------------------------------------------------------------------


def test_an_acknowledgement_waits_for_its_trigger_and_is_dropped_once_the_alert_resolved(slack_server, user):
    alert = make_alert(make_rule(name="Checkout errors", slack_enabled=True, slack_channel="#ops"))
    queue_alert_notifications(alert=alert, event="trigger")
    trigger = NotificationDelivery.objects.get(event="trigger")
    slack_server.replies.append(Reply(503, "busy"))
    assert deliver(delivery_id=trigger.pk, jitter=0).status == "pending"  # retrying

    acknowledge(alert=alert, user=user, comment="on it")
    ack = NotificationDelivery.objects.get(event="acknowledge")
    waiting = deliver(delivery_id=ack.pk)
    assert waiting.status == "pending" and waiting.retry_in is not None and waiting.retry_in >= 1
    assert [r.json["text"] for r in slack_server.requests] == [":rotating_light: *[HIGH] Checkout errors*"]

    assert deliver(delivery_id=trigger.pk).status == "sent"
    assert deliver(delivery_id=ack.pk).status == "sent"
    assert [r.json["text"] for r in slack_server.requests][1:] == [
        ":rotating_light: *[HIGH] Checkout errors*", ":eyes: *[HIGH] Checkout errors* acknowledged by oncall"]

    # Given back and taken again, then resolved before that acknowledgement went out: not sent.
    from alerts.services.lifecycle import unacknowledge

    unacknowledge(alert=alert, user=user)
    acknowledge(alert=alert, user=user)
    late = NotificationDelivery.objects.filter(event="acknowledge").latest("pk")
    resolve_by_person(alert=alert, user=user, notes="fixed")
    assert deliver(delivery_id=late.pk).status == "skipped"
    late.refresh_from_db()
    assert late.last_error == SUPERSEDED_ACKNOWLEDGE


def test_the_history_says_how_an_alert_was_acknowledged(auth_client, user, client):
    from alerts.services import action_links

    by_api, by_link, nobody = (make_alert(make_rule(name=name)) for name in ("API", "Link", "Nobody"))
    assert auth_client.post(f"{HISTORY}{by_api.pk}/acknowledge/", {}, format="json").status_code == 200
    path = action_links.action_url(by_link.pk, "acknowledge").split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post(f"/{path}", {"csrfmiddlewaretoken": token}).status_code == 200

    listed = {a["rule_name"]: a for a in auth_client.get(HISTORY).json()["results"]}
    assert (listed["API"]["acknowledged_via"], listed["API"]["acknowledged_by"]) == ("api", "oncall")
    assert (listed["Link"]["acknowledged_via"], listed["Link"]["acknowledged_by"]) == ("link", None)
    assert listed["Nobody"]["acknowledged_via"] is None
    assert auth_client.get(f"{HISTORY}{by_link.pk}/").json()["acknowledged_via"] == "link"
