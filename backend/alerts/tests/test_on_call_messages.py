"""Every channel kind renders an escalation and a flapping notice: each is sent through a real
channel of every kind to a receiver on 127.0.0.1, and what arrived says what happened."""

import json
from datetime import UTC, datetime

import pytest

from alerts.models import NotificationChannel
from alerts.services import notifications
from alerts.services.messages import build_alert_message, build_flapping_message
from alerts.services.notifiers import NOTIFIERS

from .factories import make_alert, make_rule
from .receivers import Reply, SMTPReceiver, WebhookServer
from .test_channel_secrets import configs

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
NOTICE = "Checkout is flapping: 6 state changes in the last 30 min (3 fired, 3 resolved); now firing."


@pytest.fixture
def receivers(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    http = WebhookServer()
    http.default_reply = Reply(200, '{"ok": true, "status": "success", "result": {}}')
    http.start()
    smtp = SMTPReceiver().start()
    yield http, smtp
    http.stop()
    smtp.stop()


def arrived(http, smtp, before: int, mails_before: int) -> str:
    bodies = [r.body.decode() for r in http.requests[before:]]
    mails = [str(m) for m in smtp.messages[mails_before:]]
    return json.dumps(bodies + mails)


@pytest.mark.parametrize("kind", sorted(NOTIFIERS))
def test_every_kind_sends_an_escalation_and_a_flapping_notice(kind, receivers):
    http, smtp = receivers
    settings_, secrets = configs(http.url(""), smtp.port)[kind]
    if kind == "email":  # the receiver takes mail without signing in
        settings_, secrets = {key: value for key, value in settings_.items() if key != "username"}, {}
    channel = NotificationChannel.objects.create(kind=kind, name=f"{kind} channel", settings=settings_,
                                                 secrets=secrets)
    alert = make_alert(make_rule(name="Checkout", severity="critical"), metric_value=91.5, triggered_at=T0)
    target = (NOTIFIERS[kind](channel).default_targets() or [""])[0]
    messages = {
        "escalation": build_alert_message(alert=alert, event="escalation", now=T0, escalated_after_minutes=15),
        "flapping": build_flapping_message(alert=alert, text=NOTICE, now=T0),
    }
    for name, message in messages.items():
        before, mails_before = len(http.requests), len(smtp.messages)
        (delivery,) = notifications.create_deliveries(message=message, targets=[(channel, target)], alert=alert,
                                                      queue=False)
        notifications.deliver(delivery_id=delivery.pk, now=T0, retry=False)
        delivery.refresh_from_db()

        assert delivery.status == "sent", (name, delivery.last_error)
        text = arrived(http, smtp, before, mails_before)
        if name == "escalation":
            assert "not acknowledged for 15 min" in text or kind == "pagerduty" and "ESCALATED" in text, text
            assert "Checkout" in text
        else:
            assert "flapping" in text.lower() and "Checkout" in text, text
