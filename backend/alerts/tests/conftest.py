"""Fixtures for the alerts tests: real local receivers for Slack and email, settings that keep
every test off the network unless it starts one, and ways to run or record Celery tasks."""

import pytest

from .receivers import SMTPReceiver, WebhookServer

# The secret part of the webhook URL: it must never show up in a stored error.
WEBHOOK_TOKEN = "s3cr3tW3bh00kT0k3n"
WEBHOOK_PATH = f"/services/T0TEST/B0TEST/{WEBHOOK_TOKEN}"
SITE_URL = "https://alerts.resee.test"
FROM_EMAIL = "alerts@resee.test"


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    settings.SITE_URL = SITE_URL
    settings.SLACK_WEBHOOK_URL = ""
    settings.SLACK_DEFAULT_CHANNEL = "#alerts"
    settings.SLACK_BOT_NAME = "Resee Alert Bot"
    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30.0
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 900.0
    settings.NOTIFICATION_TIMEOUT_SECONDS = 5.0
    settings.ALERT_SUMMARY_RECIPIENTS = []
    settings.ALERT_HISTORY_RETENTION_DAYS = 90
    settings.EMAIL_HOST_PASSWORD = ""


@pytest.fixture
def slack_server(settings):
    server = WebhookServer().start()
    settings.SLACK_WEBHOOK_URL = server.url(WEBHOOK_PATH)
    yield server
    server.stop()


@pytest.fixture
def smtp_server(settings):
    receiver = SMTPReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = receiver.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = f"Resee Alerts <{FROM_EMAIL}>"
    yield receiver
    receiver.stop()


@pytest.fixture
def celery_eager():
    """Tasks queued with apply_async run at once, in this process (retries too, without waiting)."""
    from resee.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def queued_tasks(monkeypatch):
    """Records the send_notification tasks put on the queue instead of sending them to a broker."""
    from alerts.tasks import send_notification

    queued = []
    monkeypatch.setattr(send_notification, "apply_async", lambda *args, **kwargs: queued.append(kwargs["kwargs"]))
    return queued
