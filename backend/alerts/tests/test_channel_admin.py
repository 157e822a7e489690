"""The admin's channel form is generated from the kind's declaration: its fields are the kind's
settings, its secrets are password inputs never filled in, and what it saves passes the same
checks as the API."""

import pytest

from alerts.models import NotificationChannel, NotificationPolicy
from alerts.services.channels import default_channel

pytestmark = pytest.mark.django_db

TOKEN = "discordWebhookT0kenNeverShown"
URL = f"https://discord.com/api/webhooks/123/{TOKEN}"


def test_the_add_form_has_the_kind_s_settings(admin_client):
    page = admin_client.get("/admin/alerts/notificationchannel/add/?kind=discord").content.decode()

    assert 'name="secret__webhook_url"' in page and 'type="password"' in page
    assert 'name="setting__username"' in page
    assert 'name="setting__channel"' not in page  # a Slack setting, not Discord's


def test_a_channel_added_in_the_admin_is_stored_encrypted_and_never_shown(admin_client):
    response = admin_client.post("/admin/alerts/notificationchannel/add/?kind=discord", {
        "name": "Discord #alerts", "is_active": "on", "secret__webhook_url": URL, "setting__username": "Resee",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    channel = NotificationChannel.objects.get(name="Discord #alerts")
    assert (channel.kind, channel.settings, channel.secrets["webhook_url"]) == ("discord", {"username": "Resee"}, URL)
    page = admin_client.get(f"/admin/alerts/notificationchannel/{channel.pk}/change/").content.decode()
    assert TOKEN not in page
    assert f"set (…{TOKEN[-4:]})" in page


def test_a_blank_secret_keeps_the_stored_one(admin_client):
    channel = NotificationChannel.objects.create(kind="discord", name="D", secrets={"webhook_url": URL})

    response = admin_client.post(f"/admin/alerts/notificationchannel/{channel.pk}/change/", {
        "name": "D renamed", "is_active": "on", "secret__webhook_url": "", "setting__username": "",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert (channel.name, channel.secrets["webhook_url"]) == ("D renamed", URL)


def test_the_admin_refuses_what_the_api_refuses_at_the_field(admin_client):
    response = admin_client.post("/admin/alerts/notificationchannel/add/?kind=discord", {
        "name": "Bad", "is_active": "on", "secret__webhook_url": "ftp://discord.example/x",
    })

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "secret__webhook_url" in errors
    assert not NotificationChannel.objects.filter(name="Bad").exists()


def test_the_default_channels_cannot_be_deleted_in_the_admin(admin_client):
    channel = default_channel("slack")

    response = admin_client.post(f"/admin/alerts/notificationchannel/{channel.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert NotificationChannel.objects.filter(pk=channel.pk).exists()


def test_a_policy_s_matchers_are_checked(admin_client):
    channel = NotificationChannel.objects.create(kind="discord", name="D", secrets={"webhook_url": URL})

    bad = admin_client.post("/admin/alerts/notificationpolicy/add/", {
        "name": "Critical", "position": 0, "matchers": '[{"label": "severity", "op": "~", "value": "x"}]',
        "channels": [channel.pk], "is_active": "on",
    })
    good = admin_client.post("/admin/alerts/notificationpolicy/add/", {
        "name": "Critical", "position": 0, "matchers": '[{"label": "severity", "op": "=", "value": "critical"}]',
        "channels": [channel.pk], "is_active": "on",
    })

    assert bad.status_code == 200 and "matchers" in bad.context["adminform"].form.errors
    assert good.status_code == 302
    assert NotificationPolicy.objects.get().matchers == [{"label": "severity", "op": "=", "value": "critical"}]
