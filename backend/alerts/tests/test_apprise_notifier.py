"""Apprise channels, sending with the real Apprise library through its json:// and form:// services
to a real HTTP server on 127.0.0.1."""

import json
from urllib.parse import parse_qs

import pytest

from alerts.services.apprise_notifier import AppriseNotifier, host_refusal, split_urls
from alerts.services.messages import build_test_message
from alerts.services.notifier_base import clean_channel

from . import channel_testing
from .channel_testing import deliver_one, make_channel, trigger_message
from .conftest import SITE_URL
from .receivers import Reply, closed_port

pytestmark = pytest.mark.django_db
receiver = channel_testing.receiver  # the fixture

SECRET_PATH = "/notify/k3yInThePath9"
PASSWORD = "appr1seP4ssw0rd"


def apprise_url(server, scheme: str = "json", path: str = SECRET_PATH, credentials: str = "") -> str:
    return f"{scheme}://{credentials}127.0.0.1:{server.port}{path}"


def apprise_channel(*urls: str):
    channel = make_channel("apprise", secrets={"urls": "\n".join(urls)})
    return channel, AppriseNotifier(channel)


def test_a_trigger_arrives_through_apprises_json_service(receiver):
    _, notifier = apprise_channel(apprise_url(receiver, credentials=f"ops:{PASSWORD}@"))
    alert, message = trigger_message(severity="critical")

    result = notifier.send(message, target="")

    assert result.ok
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", SECRET_PATH)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Resee Alerts"
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.json == {
        "version": "1.0",
        "title": "[CRITICAL] High CPU Usage",
        "message": f"cpu_usage is 91.5%, threshold > 80%.\nWindow: 5 min (avg)\n{SITE_URL}/alerts/{alert.pk}",
        "attachments": [],
        "type": "failure",
    }


def test_every_url_of_the_channel_gets_the_message(receiver, user):
    _, notifier = apprise_channel(apprise_url(receiver), apprise_url(receiver, "form", "/form/hook"))

    assert notifier.send(build_test_message(text="Hello", user=user), target="").ok

    by_path = {request.path: request for request in receiver.requests}
    assert set(by_path) == {SECRET_PATH, "/form/hook"}
    form = {key: values[0] for key, values in parse_qs(by_path["/form/hook"].body.decode()).items()}
    assert form == {"version": "1.0", "title": "[TEST] Resee Alerts test notification",
                    "message": f"Hello\nRequested by oncall.\n{SITE_URL}", "type": "info"}
    assert by_path["/form/hook"].headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_resolve_is_a_success_and_a_medium_trigger_a_warning(receiver):
    from alerts.services.messages import build_alert_message

    from .factories import make_alert, make_rule

    _, notifier = apprise_channel(apprise_url(receiver))
    resolved = make_alert(make_rule(), status="resolved", last_value=10.0)

    notifier.send(build_alert_message(alert=resolved, event="resolve"), target="")
    notifier.send(trigger_message(severity="medium")[1], target="")

    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["success", "warning"]


def test_urls_are_split_by_lines_commas_and_spaces():
    assert split_urls("json://a/x\n\n form://b/y, jsons://c/z ") == ["json://a/x", "form://b/y", "jsons://c/z"]


def test_urls_apprise_does_not_know_are_refused_when_saved_without_echoing_them():
    cleaned = clean_channel(AppriseNotifier, settings_in={},
                            secrets_in={"urls": "json://example.com/x\nnosuchservice://s3cr3t/value"})

    assert cleaned.errors == {"secrets": {"urls": ["URL 2 is not one Apprise knows (check its scheme and form)."]}}
    assert clean_channel(AppriseNotifier, settings_in={}, secrets_in={"urls": "json://example.com/x"}).errors == {}
    assert "urls" in clean_channel(AppriseNotifier, settings_in={}, secrets_in={}).errors["secrets"]


def test_apprise_takes_no_target():
    assert AppriseNotifier().validate_target("") == ""


# --- failures -------------------------------------------------------------------------------------


def test_a_failure_is_transient_with_what_apprise_logged(receiver):
    receiver.default_reply = Reply(500, "boom")
    _, notifier = apprise_channel(apprise_url(receiver))

    result = notifier.send(trigger_message()[1], target="")

    assert (result.ok, result.transient, result.response_code) == (False, True, None)
    assert result.error.startswith("Apprise: 1 of 1 service failed (JSON): Failed to send JSON POST notification")
    assert "500" in result.error
    assert result.error.endswith("(Apprise does not say whether a retry could succeed.)")


def test_one_url_failing_fails_the_send_and_names_it(receiver):
    dead = f"form://127.0.0.1:{closed_port()}/gone"
    _, notifier = apprise_channel(apprise_url(receiver), dead)

    result = notifier.send(trigger_message()[1], target="")

    assert (result.ok, result.transient) == (False, True)
    assert result.error.startswith("Apprise: 1 of 2 services failed (Form): ")
    assert [request.path for request in receiver.requests] == [SECRET_PATH]


def test_secrets_in_the_urls_never_appear_in_an_error(receiver):
    port = closed_port()
    url = f"json://ops:{PASSWORD}@127.0.0.1:{port}{SECRET_PATH}?token=qu3ryT0k3nValue"
    _, notifier = apprise_channel(url)

    result = notifier.send(trigger_message()[1], target="")

    assert not result.ok and result.transient
    for secret in (PASSWORD, "k3yInThePath9", "qu3ryT0k3nValue", url):
        assert secret not in result.error
    # Whatever Apprise might have quoted is scrubbed the same way.
    quoted = notifier.scrub(f"posting to {url} as {PASSWORD} at {SECRET_PATH} with qu3ryT0k3nValue")
    assert PASSWORD not in quoted and "k3yInThePath9" not in quoted and "qu3ryT0k3nValue" not in quoted


def test_a_delivery_through_the_service_ends_sent(receiver):
    channel, _ = apprise_channel(apprise_url(receiver))

    delivery = deliver_one(channel)

    assert (delivery.status, delivery.last_error) == ("sent", "")
    assert (delivery.channel, delivery.notification_channel_id) == ("apprise", channel.pk)
    assert [request.path for request in receiver.requests] == [SECRET_PATH]


def test_a_failed_delivery_is_retried_later(receiver):
    receiver.default_reply = Reply(503, "busy")
    channel, _ = apprise_channel(apprise_url(receiver))

    delivery = deliver_one(channel)

    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at is not None and "Apprise: 1 of 1 service failed" in delivery.last_error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "10.0.0.5", "169.254.169.254"])
def test_a_private_host_is_refused_unless_allowed(receiver, settings, host):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    url = f"json://{host}:{receiver.port}{SECRET_PATH}"
    channel, _ = apprise_channel(f"json://example.com{SECRET_PATH}", url)

    delivery = deliver_one(channel)

    assert delivery.status == "failed"
    assert delivery.last_error.startswith("Apprise URL 2: Refused: ")
    assert "loopback, private, link-local or reserved" in delivery.last_error
    assert "k3yInThePath9" not in delivery.last_error
    assert receiver.requests == []


def test_an_email_urls_smtp_server_is_checked_too(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    _, notifier = apprise_channel(f"mailto://ops:{PASSWORD}@example.com?smtp=127.0.0.1&to=ops@example.com")

    result = notifier.send(trigger_message()[1], target="")

    assert (result.ok, result.transient) == (False, False)
    # The SMTP host is part of the secret URL, so it is redacted too.
    assert result.error.startswith("Apprise URL 1: Refused: [redacted] resolves to a loopback")
    assert PASSWORD not in result.error


def test_a_host_that_does_not_resolve_is_a_services_key_not_a_server():
    # discord://<webhook id>/<token>: the "host" is the webhook's id.
    assert host_refusal("112233445566778899") == ""
    assert host_refusal("no-such-host.invalid") == ""
    assert host_refusal("127.0.0.1") != ""
