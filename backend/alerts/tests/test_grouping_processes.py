"""Grouping with real processes (docs/architecture.md §10): beat schedules the ticks and the group
flushes, a worker evaluates a grouped rule whose twenty queues fail at once and sends through a
policy that groups by rule: one message per channel (Slack, a webhook, email), then, when all
twenty are back to normal, one message per channel saying so."""

import pytest
from django.conf import settings

from alerts.models import AlertHistory, AlertRule, NotificationChannel, NotificationDelivery, NotificationPolicy
from core.testing import PYTHON, child_env, wait_for
from monitoring.services import record_metrics

from .receivers import SMTPReceiver, WebhookServer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

METRIC = "grouped_queue_depth"
QUEUES = [f"q{n:02d}" for n in range(20)]
SLACK_PATH = "/services/T0GRP/B0GRP/groupedtoken"
GROUP_INTERVAL = 20


@pytest.fixture
def http_receiver():
    server = WebhookServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_receiver():
    receiver = SMTPReceiver().start()
    yield receiver
    receiver.stop()


def same_secrets() -> dict[str, str]:
    """The keys the channels' secrets were encrypted with here, for the processes that read them."""
    keys = {"SECRET_KEY": settings.SECRET_KEY}
    if settings.SECRETS_ENCRYPTION_KEYS:
        keys["SECRETS_ENCRYPTION_KEYS"] = ",".join(settings.SECRETS_ENCRYPTION_KEYS)
    return keys


def push(depth: float) -> None:
    """One sample of every queue, in one transaction: one tick sees them all."""
    record_metrics([{"name": METRIC, "value": depth, "labels": {"queue": queue}} for queue in QUEUES])


def by_path(server, path: str) -> list[dict]:
    return [request.json for request in list(server.requests) if request.path == path]


def test_twenty_alerts_at_once_are_one_message_per_channel_and_so_are_their_resolves(
        tmp_path, process_group, http_receiver, mail_receiver):
    push(3)
    rule = AlertRule.objects.create(
        name="Queue backing up", metric_name=METRIC, condition="gt", threshold_value=100, time_window_minutes=1,
        aggregation="last", severity="critical", group_by=["queue"], slack_enabled=False, email_enabled=False,
        cooldown_minutes=1, max_alerts_per_hour=100,
    )
    slack = NotificationChannel.objects.create(kind="slack", name="Ops Slack", settings={"channel": "#ops"},
                                               secrets={"webhook_url": http_receiver.url(SLACK_PATH)})
    hook = NotificationChannel.objects.create(kind="webhook", name="Ops hook",
                                              secrets={"url": http_receiver.url("/am")})
    mail = NotificationChannel.objects.create(kind="email", name="Ops mail", settings={
        "recipients": ["oncall@resee.test"], "from_email": "alerts@resee.test", "host": "127.0.0.1",
        "port": mail_receiver.port, "use_tls": False})
    policy = NotificationPolicy.objects.create(name="Per rule", group_by=["rule"], group_wait_seconds=5,
                                               group_interval_seconds=GROUP_INTERVAL, repeat_interval_seconds=3600)
    policy.channels.set([slack, hook, mail])
    env = child_env(tmp_path, ALERT_CHECK_INTERVAL_SECONDS="2", ALERT_TICK_LOCK_SECONDS="1",
                    NOTIFICATION_GROUP_FLUSH_SECONDS="1", OUTBOUND_ALLOW_PRIVATE_TARGETS="true",
                    SITE_URL="https://alerts.resee.test", **same_secrets())
    worker = process_group.start(
        "worker", [PYTHON, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO", "--concurrency", "2"], env)
    # LOG_LEVEL=DEBUG keeps beat's line for each flush it sends (left out of the log otherwise), which
    # the test counts.
    beat = process_group.start("beat", [PYTHON, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO",
                                        "--schedule", str(tmp_path / "beat-schedule")], {**env, "LOG_LEVEL": "DEBUG"})

    def alive():
        assert worker.poll() is None, process_group.log("worker")
        assert beat.poll() is None, process_group.log("beat")

    def messages():
        return len(by_path(http_receiver, SLACK_PATH)), len(by_path(http_receiver, "/am")), len(mail_receiver.messages)

    wait_for(lambda: alive() or "check_alert_rules: {'evaluated': 1" in process_group.log("worker"), timeout=60,
             message="a first tick")
    push(250)
    wait_for(lambda: alive() or AlertHistory.objects.filter(rule=rule, status="active").count() == 20, timeout=60,
             message="twenty alerts open")
    wait_for(lambda: alive() or messages() == (1, 1, 1), timeout=60, message="one group message per channel")

    (firing,) = by_path(http_receiver, SLACK_PATH)
    assert firing["text"] == ":rotating_light: *[FIRING:20] Queue backing up (rule=Queue backing up)*"
    for alert in AlertHistory.objects.filter(rule=rule):
        assert f"https://alerts.resee.test/alerts/{alert.pk}|" in firing["attachments"][0]["text"]
    (am,) = by_path(http_receiver, "/am")
    assert (am["status"], len(am["alerts"])) == ("firing", 20)
    assert mail_receiver.messages[0]["Subject"] == "[FIRING:20] Queue backing up (rule=Queue backing up)"

    # All back to normal right after the message: the next look at the group, a group interval
    # after it, says so once.
    push(12)
    wait_for(lambda: alive() or AlertHistory.objects.filter(rule=rule, status="resolved").count() == 20,
             timeout=60, message="twenty alerts resolved")
    wait_for(lambda: alive() or messages() == (2, 2, 2), timeout=GROUP_INTERVAL + 60,
             message="one resolved group message per channel")
    resolved = by_path(http_receiver, SLACK_PATH)[1]
    assert resolved["text"] == ":white_check_mark: *[RESOLVED] Queue backing up (rule=Queue backing up)*"
    assert resolved["attachments"][0]["text"].startswith("0 firing, 20 resolved.\nResolved:\n")
    am = by_path(http_receiver, "/am")[1]
    assert (am["status"], [a["status"] for a in am["alerts"]]) == ("resolved", ["resolved"] * 20)
    assert mail_receiver.messages[1]["Subject"] == "[RESOLVED] Queue backing up (rule=Queue backing up)"

    # The group is closed: beat keeps flushing, nothing more is sent.
    flushes = process_group.log("beat").count("Sending due task flush-notification-groups")
    wait_for(lambda: alive() or process_group.log("beat").count("Sending due task flush-notification-groups")
             >= flushes + 5, timeout=60, message="five more flushes")
    assert messages() == (2, 2, 2)
    assert sorted(NotificationDelivery.objects.values_list("event", "channel", "status")) == [
        ("group", "email", "sent")] * 2 + [("group", "slack", "sent")] * 2 + [("group", "webhook", "sent")] * 2
