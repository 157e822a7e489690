"""POST /api/alerts/test/slack/ and /test/email/: sent now, answered with the outcome, recorded as a
delivery. The product document's curl bodies against a real local Slack receiver and SMTP server."""

import pytest

from alerts.models import NotificationDelivery
from core import throttling

from .conftest import WEBHOOK_PATH, WEBHOOK_TOKEN
from .receivers import Reply, closed_port

pytestmark = pytest.mark.django_db

SLACK = "/api/alerts/test/slack/"
EMAIL = "/api/alerts/test/email/"
# The product document's curl bodies, verbatim.
CURL_SLACK = '{"message": "Test alert from Resee"}'
CURL_EMAIL = '{"recipient": "test@example.com", "message": "Test alert"}'


def post_raw(client, url, raw):
    return client.generic("POST", url, raw, content_type="application/json")


def test_the_curl_slack_example_sends(auth_client, slack_server):
    response = post_raw(auth_client, SLACK, CURL_SLACK)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "sent"
    assert data["detail"] == "Test message sent to #alerts."
    (request,) = slack_server.requests
    assert request.path == WEBHOOK_PATH
    assert request.json["channel"] == "#alerts"
    assert request.json["attachments"][0]["text"] == "Test alert from Resee"
    delivery = NotificationDelivery.objects.get()
    assert data["delivery"]["id"] == delivery.pk
    assert (delivery.event, delivery.channel, delivery.status) == ("test", "slack", "sent")
    assert data["delivery"]["response_code"] == 200


def test_slack_to_a_channel(auth_client, slack_server):
    response = auth_client.post(SLACK, {"message": "hi", "channel": "#ops"}, format="json")

    assert response.status_code == 200
    assert slack_server.requests[0].json["channel"] == "#ops"


def test_the_curl_email_example_sends(auth_client, smtp_server):
    response = post_raw(auth_client, EMAIL, CURL_EMAIL)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "sent"
    (received,) = smtp_server.messages
    assert received["To"] == "test@example.com"
    assert "Test alert" in received.get_body(preferencelist=("plain",)).get_content()
    assert NotificationDelivery.objects.get().status == "sent"


def test_slack_not_configured_is_a_400_recorded_as_skipped(auth_client, settings):
    settings.SLACK_WEBHOOK_URL = ""

    response = post_raw(auth_client, SLACK, CURL_SLACK)

    assert response.status_code == 400
    assert response.json()["status"] == "not_configured"
    assert response.json()["detail"] == "Slack is not configured: SLACK_WEBHOOK_URL is not set."
    assert NotificationDelivery.objects.get().status == "skipped"


def test_slack_refusing_is_a_502_with_its_answer_but_never_the_url(auth_client, slack_server):
    slack_server.default_reply = Reply(404, f"no_service at /services/T0TEST/B0TEST/{WEBHOOK_TOKEN}")

    response = post_raw(auth_client, SLACK, CURL_SLACK)

    assert response.status_code == 502
    data = response.json()
    assert data["status"] == "failed"
    assert data["detail"].startswith("Slack answered HTTP 404: no_service")
    assert WEBHOOK_TOKEN not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()
    assert NotificationDelivery.objects.get().status == "failed"


def test_smtp_refusing_is_a_502(auth_client, smtp_server, settings):
    settings.EMAIL_HOST_PASSWORD = "smtp-pa55word"
    smtp_server.handler.rcpt_reply = "550 5.1.1 No such user smtp-pa55word"

    response = post_raw(auth_client, EMAIL, CURL_EMAIL)

    assert response.status_code == 502
    assert "550" in response.json()["detail"]
    assert "smtp-pa55word" not in response.content.decode()


def test_smtp_unreachable_is_a_502(auth_client, smtp_server, settings):
    settings.EMAIL_PORT = closed_port()

    response = post_raw(auth_client, EMAIL, CURL_EMAIL)

    assert response.status_code == 502
    assert "Connection refused" in response.json()["detail"]


@pytest.mark.parametrize(
    "url, body, field",
    [
        (SLACK, {"channel": "alerts"}, "channel"),
        (SLACK, {"channel": "#Not A Channel"}, "channel"),
        (SLACK, {"message": "x" * 2001}, "message"),
        (SLACK, {"message": ["x"]}, "message"),
        (EMAIL, {"recipient": "not-an-address", "message": "hi"}, "recipient"),
        (EMAIL, {"recipient": "a@b.com\nBcc: c@d.com"}, "recipient"),
        (EMAIL, {"message": "hi"}, "recipient"),
        (EMAIL, {"recipient": None}, "recipient"),
        (EMAIL, {"recipient": 42}, "recipient"),
        (EMAIL, {"recipient": "test@example.com", "message": "x" * 2001}, "message"),
    ],
)
def test_invalid_input_is_a_400_per_field_and_nothing_is_sent(auth_client, slack_server, smtp_server, url, body,
                                                                field):
    response = auth_client.post(url, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert slack_server.requests == [] and smtp_server.messages == []
    assert not NotificationDelivery.objects.exists()


def test_sends_are_limited_per_user(auth_client, user, slack_server, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "alert_actions": "3/minute"}
    throttling.reset("alert_actions", f"user-{user.pk}")

    codes = [auth_client.post(SLACK, {"message": f"m{i}"}, format="json").status_code for i in range(4)]

    assert codes == [200, 200, 200, 429]
    response = auth_client.post(EMAIL, {"recipient": "a@b.com"}, format="json")
    assert response.status_code == 429  # one budget for test sends and triggers
    assert 1 <= int(response["Retry-After"]) <= 60
    assert len(slack_server.requests) == 3
    throttling.reset("alert_actions", f"user-{user.pk}")
