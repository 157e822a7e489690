"""A channel's URL is a user's input: with private targets not allowed (the default), one that
reaches loopback, private, link-local or reserved addresses is refused before any connection,
however it is written, and a redirect is never followed."""

import pytest

from alerts.models import DeliveryStatus, NotificationChannel
from alerts.services import notifications

from .receivers import Reply, WebhookServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = WebhookServer().start()
    yield server
    server.stop()


def sent(channel: NotificationChannel):
    """A test send through `channel`: its outcome and its delivery."""
    outcome = notifications.send_test_to_channel(channel=channel)
    assert outcome.delivery is not None
    return outcome, outcome.delivery


def webhook(url: str) -> NotificationChannel:
    return NotificationChannel.objects.create(kind="webhook", name=url[:100], secrets={"url": url})


@pytest.mark.parametrize("host", [
    "127.0.0.1", "[::1]", "10.0.0.7", "169.254.169.254", "2130706433", "0x7f000001", "0177.0.0.1", "localhost",
    "[::ffff:127.0.0.1]", "192.168.1.1", "[fd00::1]", "0.0.0.0",
])
def test_a_private_target_is_refused_and_nothing_is_sent(settings, receiver, host):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    port = receiver.port if host in ("127.0.0.1", "localhost", "2130706433", "0x7f000001", "0177.0.0.1") else 9
    channel = webhook(f"http://{host}:{port}/hook/secret-path")

    outcome, delivery = sent(channel)

    assert delivery.status == DeliveryStatus.FAILED
    assert "loopback, private, link-local or reserved" in outcome.detail
    assert "secret-path" not in outcome.detail
    assert delivery.attempts == 1
    assert receiver.requests == []


def test_with_private_targets_allowed_the_same_channel_is_reached(settings, receiver):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True

    outcome = notifications.send_test_to_channel(channel=webhook(receiver.url("/hook")))

    assert outcome.ok, outcome.detail
    assert [request.path for request in receiver.requests] == ["/hook"]


def test_a_redirect_to_localhost_is_not_followed(settings, receiver):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    receiver.replies.append(Reply(307, "", headers={"Location": "http://localhost:9/admin"}))

    outcome, delivery = sent(webhook(receiver.url("/hook")))

    assert delivery.status == DeliveryStatus.FAILED
    assert "Redirects are not followed" in outcome.detail
    assert [request.path for request in receiver.requests] == ["/hook"]


def test_a_name_that_resolves_to_loopback_is_refused(settings, receiver, monkeypatch):
    """DNS answering 127.0.0.1 for a public-looking name (e.g. a rebinding service)."""
    import socket

    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):
        return real("127.0.0.1" if host == "hooks.rebind.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False

    outcome, delivery = sent(webhook(f"http://hooks.rebind.example:{receiver.port}/x"))

    assert delivery.status == DeliveryStatus.FAILED
    assert "loopback, private, link-local or reserved" in outcome.detail
    assert receiver.requests == []
