"""/api/alerts/channels/: channels as data. Settings are checked against the kind's declaration,
secrets are write-only and encrypted, the default Slack and email channels are the environment's,
and a test send goes through the one delivery path to a real local receiver."""

import json

import pytest
from django.db import connection

from alerts.models import NotificationChannel, NotificationDelivery
from alerts.services.channels import BUILTIN_NAMES

from .receivers import Reply, WebhookServer

pytestmark = pytest.mark.django_db

CHANNELS = "/api/alerts/channels/"
SECOND_TOKEN = "workspaceTwoS3cretT0ken"
SECOND_PATH = f"/services/T0TWO/B0TWO/{SECOND_TOKEN}"


@pytest.fixture
def second_workspace(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    server = WebhookServer().start()
    yield server
    server.stop()


def create(client, **body):
    return client.post(CHANNELS, body, format="json")


def slack_body(server, **extra):
    return {"kind": "slack", "name": "Product workspace", "settings": {"channel": "#product"},
            "secrets": {"webhook_url": server.url(SECOND_PATH)}, **extra}


def test_a_second_slack_workspace_is_a_channel_whose_webhook_is_never_answered(auth_client, second_workspace):
    response = create(auth_client, **slack_body(second_workspace))

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "slack"
    assert data["settings"] == {"channel": "#product"}
    assert data["secrets"] == {"webhook_url": f"set (…{SECOND_TOKEN[-4:]})"}
    assert data["configured"] is True and data["problem"] == ""
    assert data["targets"] == ["#product"]
    assert SECOND_TOKEN not in json.dumps(data)
    channel = NotificationChannel.objects.get(pk=data["id"])
    assert channel.secrets["webhook_url"] == second_workspace.url(SECOND_PATH)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM alerts_notificationchannel WHERE id = %s", [channel.pk])
        (stored,) = cursor.fetchone()
    assert SECOND_TOKEN not in stored and "127.0.0.1" not in stored


def test_the_test_send_goes_through_the_channel_to_its_own_webhook(auth_client, second_workspace, slack_server):
    channel_id = create(auth_client, **slack_body(second_workspace)).json()["id"]

    response = auth_client.post(f"{CHANNELS}{channel_id}/test/", {"message": "hello product"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["detail"] == "Test message sent to Product workspace (#product)."
    (request,) = second_workspace.requests
    assert request.path == SECOND_PATH
    assert request.json["channel"] == "#product"
    assert request.json["attachments"][0]["text"] == "hello product"
    assert slack_server.requests == []  # the environment's workspace heard nothing
    delivery = NotificationDelivery.objects.get()
    assert (delivery.notification_channel_id, delivery.channel_name, delivery.status) == (
        channel_id, "Product workspace", "sent")
    assert response.json()["delivery"]["channel_id"] == channel_id


def test_a_refused_test_send_is_a_502_whose_detail_never_quotes_the_webhook(auth_client, second_workspace):
    channel_id = create(auth_client, **slack_body(second_workspace)).json()["id"]
    second_workspace.replies.append(Reply(404, f"no_service at {second_workspace.url(SECOND_PATH)} {SECOND_PATH}"))

    response = auth_client.post(f"{CHANNELS}{channel_id}/test/", {}, format="json")

    assert response.status_code == 502
    assert response.json()["status"] == "failed"
    assert response.json()["detail"].startswith("Slack answered HTTP 404: no_service at")
    assert SECOND_TOKEN not in response.json()["detail"]
    assert SECOND_TOKEN not in NotificationDelivery.objects.get().last_error


@pytest.mark.parametrize(
    "body,errors",
    [
        ({"kind": "carrier-pigeon", "name": "x"}, {"kind"}),
        ({"kind": "slack", "name": "x"}, {"secrets"}),
        ({"kind": "slack", "name": "x", "secrets": {"webhook_url": "ftp://example.com/hook"}}, {"secrets"}),
        ({"kind": "slack", "name": "x", "secrets": {"webhook_url": "https://hooks.example.com/x"},
          "settings": {"channel": "no-hash"}}, {"settings"}),
        ({"kind": "slack", "name": "x", "secrets": {"webhook_url": "https://hooks.example.com/x"},
          "settings": {"colour": "red"}}, {"settings"}),
        ({"kind": "slack", "name": "x", "settings": {"webhook_url": "https://hooks.example.com/x"}},
         {"settings", "secrets"}),
        ({"kind": "email", "name": "x", "settings": {"recipients": ["not-an-address"], "from_email": "a@b.example",
                                                     "host": "smtp.example.com"}}, {"settings"}),
        ({"kind": "email", "name": "x", "settings": {"recipients": ["a@b.example"], "from_email": "a@b.example",
                                                     "host": "smtp.example.com", "use_tls": True,
                                                     "use_ssl": True}}, {"settings"}),
        ({"kind": "slack", "name": "", "secrets": {"webhook_url": "https://hooks.example.com/x"}}, {"name"}),
        ({"kind": "slack", "name": "x", "settings": "channel=#a"}, {"settings"}),
    ],
)
def test_bad_channels_are_400s_per_field_and_nothing_is_saved(auth_client, body, errors):
    before = NotificationChannel.objects.count()

    response = create(auth_client, **body)

    assert response.status_code == 400, response.json()
    assert set(response.json()) == errors
    assert NotificationChannel.objects.count() == before


def test_a_setting_sent_as_a_secret_is_told_where_it_belongs(auth_client):
    response = create(auth_client, kind="slack", name="x",
                      settings={"webhook_url": "https://hooks.example.com/x"})

    assert "send it in secrets" in response.json()["settings"]["webhook_url"][0]


def test_secrets_are_kept_when_not_sent_replaced_when_sent_and_required_ones_cannot_be_cleared(
    auth_client, second_workspace,
):
    channel_id = create(auth_client, **slack_body(second_workspace)).json()["id"]
    url = f"{CHANNELS}{channel_id}/"

    assert auth_client.patch(url, {"settings": {"channel": "#other"}}, format="json").status_code == 200
    channel = NotificationChannel.objects.get(pk=channel_id)
    assert channel.settings == {"channel": "#other"}
    assert channel.secrets["webhook_url"] == second_workspace.url(SECOND_PATH)

    response = auth_client.patch(url, {"secrets": {"webhook_url": "https://hooks.example.com/new-one"}},
                                 format="json")
    assert response.json()["secrets"] == {"webhook_url": "set (…-one)"}
    assert NotificationChannel.objects.get(pk=channel_id).settings == {"channel": "#other"}

    response = auth_client.patch(url, {"secrets": {"webhook_url": ""}}, format="json")
    assert response.status_code == 400
    assert response.json() == {"secrets": {"webhook_url": ["This secret is required."]}}
    assert NotificationChannel.objects.get(pk=channel_id).secrets["webhook_url"] == "https://hooks.example.com/new-one"


def test_a_channel_keeps_its_kind(auth_client, second_workspace):
    channel_id = create(auth_client, **slack_body(second_workspace)).json()["id"]

    response = auth_client.patch(f"{CHANNELS}{channel_id}/", {"kind": "email"}, format="json")

    assert response.status_code == 400
    assert "cannot be changed" in response.json()["kind"][0]


def test_a_name_taken_is_a_409_on_the_name(auth_client, second_workspace):
    create(auth_client, **slack_body(second_workspace))

    response = create(auth_client, **slack_body(second_workspace))

    assert response.status_code == 409
    assert list(response.json()) == ["name"]


def test_the_default_channels_are_listed_configured_by_the_environment_and_cannot_be_deleted(
    auth_client, slack_server,
):
    response = auth_client.get(CHANNELS)

    assert response.status_code == 200
    rows = {row["builtin"]: row for row in response.json()["results"] if row["builtin"]}
    assert set(rows) == {"slack", "email"}
    assert rows["slack"]["name"] == BUILTIN_NAMES["slack"]
    assert rows["slack"]["configured"] is True
    assert rows["slack"]["targets"] == ["#alerts"]
    assert "SLACK_WEBHOOK_URL" in rows["slack"]["settings"]["configured_by"]
    assert rows["slack"]["secrets"] == {}
    assert "T0TEST" not in json.dumps(response.json())

    slack_id = rows["slack"]["id"]
    assert auth_client.delete(f"{CHANNELS}{slack_id}/").status_code == 409
    response = auth_client.patch(f"{CHANNELS}{slack_id}/", {"secrets": {"webhook_url": "https://x.example/y"}},
                                 format="json")
    assert response.status_code == 400
    assert "configured by the environment" in response.json()["secrets"][0]
    assert auth_client.patch(f"{CHANNELS}{slack_id}/", {"is_active": False}, format="json").status_code == 200


def test_viewers_see_channels_but_not_even_the_last_characters_of_a_secret_and_cannot_change_them(
    auth_client, viewer_client, second_workspace,
):
    channel_id = create(auth_client, **slack_body(second_workspace)).json()["id"]

    response = viewer_client.get(f"{CHANNELS}{channel_id}/")

    assert response.status_code == 200
    assert response.json()["secrets"] == {"webhook_url": "set"}
    assert viewer_client.patch(f"{CHANNELS}{channel_id}/", {"name": "y"}, format="json").status_code == 403
    assert create(viewer_client, **slack_body(second_workspace, name="z")).status_code == 403
    assert viewer_client.post(f"{CHANNELS}{channel_id}/test/", {}, format="json").status_code == 403
    assert viewer_client.delete(f"{CHANNELS}{channel_id}/").status_code == 403


def test_the_kinds_are_their_notifiers_declarations(auth_client):
    response = auth_client.get(f"{CHANNELS}kinds/")

    assert response.status_code == 200
    kinds = {row["kind"]: row for row in response.json()}
    assert {"slack", "email"} <= set(kinds)
    slack = {setting["name"]: setting for setting in kinds["slack"]["settings"]}
    assert slack["webhook_url"]["secret"] is True and slack["webhook_url"]["required"] is True
    assert slack["channel"]["secret"] is False
    assert kinds["slack"]["target_setting"] == "channel"
    email = {setting["name"]: setting for setting in kinds["email"]["settings"]}
    assert email["password"]["secret"] is True
    assert email["port"]["type"] == "integer" and email["port"]["default"] == 587


def test_a_channel_s_deliveries_and_stats(auth_client, second_workspace):
    channel_id = create(auth_client, **slack_body(second_workspace)).json()["id"]
    second_workspace.replies.append(Reply(500, "down"))
    auth_client.post(f"{CHANNELS}{channel_id}/test/", {}, format="json")
    auth_client.post(f"{CHANNELS}{channel_id}/test/", {}, format="json")

    stats = auth_client.get(f"{CHANNELS}{channel_id}/").json()["stats"]
    deliveries = auth_client.get(f"{CHANNELS}{channel_id}/deliveries/").json()["deliveries"]

    assert (stats["sent"], stats["failed"], stats["failure_rate"]) == (1, 1, 0.5)
    assert [d["status"] for d in deliveries] == ["sent", "failed"]
    assert all(d["channel_id"] == channel_id for d in deliveries)


def test_a_switched_off_channel_records_its_deliveries_as_skipped(auth_client, second_workspace):
    channel_id = create(auth_client, **slack_body(second_workspace, is_active=False)).json()["id"]

    response = auth_client.post(f"{CHANNELS}{channel_id}/test/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "The channel 'Product workspace' is switched off."
    assert second_workspace.requests == []


def test_a_channel_at_a_private_address_is_refused_unless_the_deployment_allows_it(auth_client, settings):
    server = WebhookServer().start()
    try:
        settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
        channel_id = create(auth_client, **slack_body(server)).json()["id"]

        response = auth_client.post(f"{CHANNELS}{channel_id}/test/", {}, format="json")

        assert response.status_code == 502
        assert "loopback, private" in response.json()["detail"]
        assert SECOND_TOKEN not in response.json()["detail"]
        assert server.requests == []
    finally:
        server.stop()
