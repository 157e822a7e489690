"""Helpers for the tests of channel kinds whose channels are rows: a receiver on 127.0.0.1 that
user-configured channels may reach, a channel row, an alert message, and one delivery sent through
the delivery service."""

from datetime import UTC, datetime

import pytest

from alerts.models import NotificationChannel, NotificationDelivery
from alerts.services import notifications
from alerts.services.messages import build_alert_message

from .factories import make_alert, make_rule
from .receivers import WebhookServer

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def receiver(settings):
    """A WebhookServer on 127.0.0.1, which channels users configure may reach only while
    OUTBOUND_ALLOW_PRIVATE_TARGETS is on (as it is here; a test that switches it off sees the
    refusal)."""
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    server = WebhookServer().start()
    yield server
    server.stop()


def make_channel(kind: str, *, settings=None, secrets=None, name: str = "") -> NotificationChannel:
    return NotificationChannel.objects.create(
        kind=kind, name=name or f"{kind} channel", settings=settings or {}, secrets=secrets or {}
    )


def trigger_message(*, alert_fields=None, **rule_fields):
    values = {"name": "High CPU Usage", "severity": "high"}
    values.update(rule_fields)
    alert = make_alert(make_rule(**values), metric_value=91.5, triggered_at=T0,
                       context={"window_minutes": 5, "aggregation": "avg"}, **(alert_fields or {}))
    return alert, build_alert_message(alert=alert, event="trigger")


def deliver_one(
    channel: NotificationChannel, target: str = "", *, retry: bool = True, **rule_fields
) -> NotificationDelivery:
    """A trigger written as a delivery to `channel` and attempted once through
    notifications.deliver; the row after that attempt."""
    alert, message = trigger_message(**rule_fields)
    (delivery,) = notifications.create_deliveries(
        message=message, targets=[(channel, target)], alert=alert, queue=False
    )
    notifications.deliver(delivery_id=delivery.pk, now=T0, retry=retry, jitter=0.0)
    delivery.refresh_from_db()
    return delivery
