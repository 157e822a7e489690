"""No channel secret in clear text anywhere after a run: a channel of every kind is added through
the API, an alert is fired to all of them and a test sent through each, every receiver refusing
with an answer that quotes the whole request (URL, headers, body) back. Then every table, the
API's answers, the admin's pages and the logs are searched for each secret."""

import logging

import pytest
from django.apps import apps
from django.db import connection

from alerts.models import NotificationChannel, NotificationDelivery
from alerts.services import lifecycle
from alerts.services.notifiers import NOTIFIERS

from .factories import make_rule
from .receivers import Reply, SMTPReceiver, WebhookServer

pytestmark = pytest.mark.django_db


def secret(kind: str, name: str) -> str:
    return f"S3cr3t{kind.title()}{name.title().replace('_', '')}Zq"


def configs(http: str, smtp_port: int) -> dict[str, tuple[dict, dict]]:
    """A valid channel of every kind, (settings, secrets), each secret a marker to search for."""
    return {
        "slack": ({"channel": "#s"}, {"webhook_url": f"{http}/services/T/B/{secret('slack', 'webhook_url')}"}),
        "email": ({"recipients": ["ops@resee.test"], "from_email": "alerts@resee.test", "host": "127.0.0.1",
                   "port": smtp_port, "username": "resee", "use_tls": False},
                  {"password": secret("email", "password")}),
        "webhook": ({"headers": {"X-Team": "ops"}},
                    {"url": f"{http}/hook/{secret('webhook', 'url')}", "authorization": secret("webhook", "auth"),
                     "signing_secret": secret("webhook", "signing_secret")}),
        "pagerduty": ({"events_url": f"{http}/v2/enqueue"}, {"routing_key": secret("pagerduty", "routing_key")}),
        "opsgenie": ({"api_url": http}, {"api_key": secret("opsgenie", "api_key")}),
        "teams": ({}, {"webhook_url": f"{http}/workflows/{secret('teams', 'webhook_url')}"}),
        "mattermost": ({}, {"webhook_url": f"{http}/hooks/{secret('mattermost', 'webhook_url')}"}),
        "rocketchat": ({}, {"webhook_url": f"{http}/hooks/{secret('rocketchat', 'webhook_url')}"}),
        "discord": ({}, {"webhook_url": f"{http}/api/webhooks/1/{secret('discord', 'webhook_url')}"}),
        "telegram": ({"chat_id": "-100123", "base_url": http},
                     {"bot_token": f"123456:{secret('telegram', 'bot_token')}AAAAAAAAAA"}),
        "ntfy": ({"server_url": http, "topic": "resee"}, {"access_token": secret("ntfy", "access_token")}),
        "apprise": ({}, {"urls": f"json://{http.removeprefix('http://')}/apprise/{secret('apprise', 'urls')}"}),
    }


@pytest.fixture
def receivers(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    http = WebhookServer()
    http.default_reply = Reply(400, "", echo=True)
    http.start()
    smtp = SMTPReceiver().start()
    yield http, smtp
    http.stop()
    smtp.stop()


def test_no_secret_of_any_channel_is_stored_shown_or_logged_in_clear(
    auth_client, admin_client, receivers, caplog, user, django_capture_on_commit_callbacks, celery_eager,
):
    http, smtp = receivers
    caplog.set_level(logging.DEBUG)
    kinds = configs(http.url(""), smtp.port)
    assert set(kinds) == set(NOTIFIERS), "a new kind needs a configuration here"
    markers = [secret_value for _, secrets in kinds.values() for secret_value in secrets.values()]
    answers = []
    ids = []
    for kind, (settings_, secrets) in kinds.items():
        response = auth_client.post("/api/alerts/channels/", {"kind": kind, "name": kind, "settings": settings_,
                                                              "secrets": secrets}, format="json")
        assert response.status_code == 201, (kind, response.json())
        ids.append(response.json()["id"])
        answers.append(response.content)

    rule = make_rule(name="Everything", slack_enabled=False)
    rule.channels.set(NotificationChannel.objects.filter(pk__in=ids))
    with django_capture_on_commit_callbacks(execute=True):
        alert = lifecycle.trigger_by_hand(rule=rule, user=user, message="")
    for channel_id in ids:
        answers.append(auth_client.post(f"/api/alerts/channels/{channel_id}/test/", {}, format="json").content)

    deliveries = NotificationDelivery.objects.exclude(notification_channel__builtin__in=["slack", "email"])
    assert deliveries.filter(status="failed").count() >= len(ids), "every receiver refused: errors were written"
    assert http.requests, "the receivers were reached"
    for url in ("/api/alerts/channels/", *(f"/api/alerts/channels/{i}/" for i in ids),
                *(f"/api/alerts/channels/{i}/deliveries/" for i in ids), f"/api/alerts/history/{alert.pk}/",
                "/api/alerts/stats/", "/api/alerts/channels/kinds/", "/api/schema/"):
        answers.append(auth_client.get(url).content)
    for url in ("/admin/alerts/notificationchannel/", *(f"/admin/alerts/notificationchannel/{i}/change/" for i in ids),
                "/admin/alerts/notificationdelivery/",
                *(f"/admin/alerts/notificationdelivery/{d}/change/" for d in deliveries.values_list("pk", flat=True))):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        answers.append(response.content)

    tables = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            tables.append((model._meta.db_table, repr(cursor.fetchall())))
    logs = "\n".join(f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records)

    for marker in markers:
        for table, rows in tables:
            assert marker not in rows, f"{marker} in table {table}"
        for answer in answers:
            assert marker.encode() not in answer, marker
        assert marker not in logs, marker
