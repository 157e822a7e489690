"""EmailNotifier against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts.services.email_notifier import EmailNotifier
from alerts.services.messages import build_alert_message, build_test_message

from .conftest import FROM_EMAIL, SITE_URL
from .factories import make_alert, make_rule
from .receivers import closed_port

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def parts(received):
    """The plain-text and HTML bodies of a received message."""
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    # SMTP carries CRLF line ends.
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def critical_alert(**rule_fields):
    values = {"name": "High API Error Rate", "metric_name": "api_error_rate", "condition": "gte",
              "threshold_value": 5.0, "time_window_minutes": 10, "severity": "critical", "email_enabled": True,
              "email_recipients": ["dev@resee.com", "ops@resee.com"]}
    values.update(rule_fields)
    return make_alert(make_rule(**values), metric_value=7.25, triggered_at=T0, message="5xx from /api/orders",
                      context={"window_minutes": 10, "aggregation": "avg"})


def test_a_trigger_email_arrives_with_headers_subject_and_both_parts(smtp_server):
    alert = critical_alert()

    result = EmailNotifier().send(build_alert_message(alert=alert, event="trigger"), target="dev@resee.com")

    assert result.ok
    (envelope,) = smtp_server.handler.envelopes
    assert envelope.mail_from == FROM_EMAIL
    assert envelope.rcpt_tos == ["dev@resee.com"]
    (received,) = smtp_server.messages
    assert received["Subject"] == "[CRITICAL] High API Error Rate"
    assert received["From"] == f"Resee Alerts <{FROM_EMAIL}>"
    assert received["To"] == "dev@resee.com"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["X-Resee-Event"] == "trigger"
    assert received["X-Resee-Alert-Id"] == str(alert.pk)
    assert received["Message-ID"] == f"<resee-alert-{alert.pk}@resee.test>"
    text, html = parts(received)
    for expected in ("api_error_rate is 7.25%, threshold >= 5%.", "5xx from /api/orders", "Severity:     CRITICAL",
                     "Window:       10 min (avg)", "Time:         2025-03-01 12:00:00 UTC",
                     f"Open the alert: {SITE_URL}/alerts/{alert.pk}"):
        assert expected in text
    assert f'<a href="{SITE_URL}/alerts/{alert.pk}"' in html
    assert "7.25% (threshold &gt;= 5%)" in html
    assert "border-left:6px solid #d00000" in html


def test_reminders_and_resolves_thread_under_the_trigger(smtp_server, user):
    alert = critical_alert()
    alert.last_value = 12.0
    reminder = build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1))
    alert.status, alert.resolved_at, alert.resolved_by = "resolved", T0 + timedelta(hours=2), user
    alert.last_value, alert.resolution_notes = 1.5, "Rolled back the deploy."
    resolve = build_alert_message(alert=alert, event="resolve")

    EmailNotifier().send(reminder, target="dev@resee.com")
    EmailNotifier().send(resolve, target="dev@resee.com")

    reminder_mail, resolve_mail = smtp_server.messages
    assert reminder_mail["Subject"] == "[CRITICAL] High API Error Rate (still firing)"
    assert "Still firing since 2025-03-01 12:00:00 UTC" in parts(reminder_mail)[0]
    assert resolve_mail["Subject"] == "[RESOLVED] High API Error Rate"
    text, html = parts(resolve_mail)
    assert "Resolved by oncall: api_error_rate is now 1.5% (fires at or above 5%, resolves below 5%)." in text
    assert "Rolled back the deploy." in text
    assert "Resolved by:  oncall" in text
    assert "border-left:6px solid #2eb67d" in html
    for mail in (reminder_mail, resolve_mail):
        assert mail["In-Reply-To"] == f"<resee-alert-{alert.pk}@resee.test>"
        assert mail["References"] == f"<resee-alert-{alert.pk}@resee.test>"


def test_every_value_in_the_html_part_is_escaped(smtp_server):
    alert = critical_alert(name="<script>alert(1)</script>")
    alert.message = '<img src=x onerror="steal()"> & more'

    EmailNotifier().send(build_alert_message(alert=alert, event="trigger"), target="dev@resee.com")

    text, html = parts(smtp_server.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;steal()&quot;&gt; &amp; more" in html
    # Plain text is not HTML: it carries the name as typed.
    assert "Rule:         <script>alert(1)</script>" in text
    assert smtp_server.messages[0]["Subject"] == "[CRITICAL] <script>alert(1)</script>"


def test_a_test_email(smtp_server, user):
    result = EmailNotifier().send(build_test_message(text="Test alert <b>now</b>", user=user), target="me@resee.com")

    assert result.ok
    received = smtp_server.messages[0]
    assert received["Subject"] == "[TEST] Resee Alerts test notification"
    text, html = parts(received)
    assert "Test alert <b>now</b>" in text
    assert "Test alert &lt;b&gt;now&lt;/b&gt;" in html
    assert "at the request of oncall" in html


def test_only_the_configured_sender_is_used(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "noreply@alerts.example.com"

    EmailNotifier().send(build_test_message(text="hi"), target="me@resee.com")

    assert smtp_server.handler.envelopes[0].mail_from == "noreply@alerts.example.com"
    assert smtp_server.messages[0]["From"] == "noreply@alerts.example.com"


# --- failures -------------------------------------------------------------------------------------


def test_a_refused_connection_is_transient(smtp_server, settings):
    port = closed_port()
    settings.EMAIL_PORT = port

    result = EmailNotifier().send(build_test_message(text="hi"), target="me@resee.com")

    assert (result.ok, result.transient, result.response_code) == (False, True, None)
    assert result.error == f"Could not connect to the mail server 127.0.0.1:{port}: Connection refused."


def test_a_permanently_refused_recipient_is_not_retried(smtp_server):
    smtp_server.handler.rcpt_reply = "550 5.1.1 No such user here"

    result = EmailNotifier().send(build_test_message(text="hi"), target="ghost@resee.com")

    assert (result.ok, result.transient, result.response_code) == (False, False, 550)
    assert result.error == "The mail server refused the recipient ghost@resee.com: 550 5.1.1 No such user here"
    assert smtp_server.messages == []


def test_a_temporarily_refused_recipient_is_retried(smtp_server):
    smtp_server.handler.rcpt_reply = "451 4.3.0 Try again later"

    result = EmailNotifier().send(build_test_message(text="hi"), target="busy@resee.com")

    assert (result.ok, result.transient, result.response_code) == (False, True, 451)


def test_a_refused_message_body(smtp_server):
    smtp_server.handler.data_reply = "554 5.7.1 Message rejected as spam"

    result = EmailNotifier().send(build_test_message(text="hi"), target="me@resee.com")

    assert (result.ok, result.transient, result.response_code) == (False, False, 554)
    assert "Message rejected as spam" in result.error


def test_the_smtp_password_never_appears_in_an_error(smtp_server, settings):
    settings.EMAIL_HOST_PASSWORD = "hunter2-very-secret"
    smtp_server.handler.rcpt_reply = "550 relay denied for hunter2-very-secret"

    result = EmailNotifier().send(build_test_message(text="hi"), target="me@resee.com")

    assert "hunter2-very-secret" not in result.error
    assert result.error.endswith("550 relay denied for [redacted]")


def test_targets_and_configuration(settings):
    notifier = EmailNotifier()

    assert notifier.targets_for_rule(make_rule(email_enabled=True, email_recipients=["a@x.io", "b@x.io"])) == [
        "a@x.io", "b@x.io"]
    assert notifier.targets_for_rule(make_rule(email_enabled=False, email_recipients=["a@x.io"])) == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    assert notifier.configuration_problem() == "Email is not configured: EMAIL_HOST is not set."
    settings.EMAIL_HOST = "smtp.example.com"
    settings.DEFAULT_FROM_EMAIL = ""
    assert notifier.configuration_problem() == "Email is not configured: DEFAULT_FROM_EMAIL is not set."
