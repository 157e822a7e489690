"""Email through Django's email backend (SMTP settings from the environment): one message per
recipient, with a plain-text part and an HTML part."""

import smtplib
import ssl
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from ..models import NotificationEvent
from ..validators import validate_email_address
from .messages import NotificationMessage
from .notifier_base import Notifier, SendResult

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

_TEMPLATES: dict[str, str] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.TEST: "alerts/email/test",
    NotificationEvent.SUMMARY: "alerts/email/summary",
    NotificationEvent.SUPPRESSED: "alerts/email/suppressed",
}


def _reply_text(raw) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    return str(raw or "")


def _smtp_reply_result(code: int, reply, what: str) -> SendResult:
    """An SMTP reply: 4xx is "try again later", 5xx is final."""
    text = " ".join(_reply_text(reply).split())
    error = f"The mail server {what}: {code} {text}".rstrip()
    return SendResult.failed(error, response_code=code if code > 0 else None, transient=not 500 <= code < 600)


class EmailNotifier(Notifier):
    name = "email"
    label = "Email"

    def configuration_problem(self) -> str:
        if not settings.DEFAULT_FROM_EMAIL:
            return "Email is not configured: DEFAULT_FROM_EMAIL is not set."
        if settings.EMAIL_BACKEND == SMTP_BACKEND and not settings.EMAIL_HOST:
            return "Email is not configured: EMAIL_HOST is not set."
        return ""

    def validate_target(self, target: str) -> str:
        if not target:
            raise ValidationError("Enter an email address.", code="required")
        validate_email_address(target)
        return target

    def targets_for_rule(self, rule) -> list[str]:
        return list(rule.email_recipients or []) if rule.email_enabled else []

    def render(self, message: NotificationMessage) -> tuple[str, str, str]:
        """Subject, plain text and HTML. The HTML templates escape every value (Django's
        autoescape), so a rule named <script> arrives as text."""
        template = _TEMPLATES.get(message.kind, "alerts/email/alert")
        context = {"message": message, "summary": message.summary or {}}
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        return message.subject, text, html

    def _headers(self, message: NotificationMessage) -> dict:
        headers = {
            # RFC 3834: out-of-office replies and the like should not answer an alert.
            "Auto-Submitted": "auto-generated",
            "X-Resee-Event": message.kind,
        }
        if message.alert_id is not None:
            headers["X-Resee-Alert-Id"] = str(message.alert_id)
            # Reminders and the resolve message thread under the trigger email.
            domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
            thread_id = f"<resee-alert-{message.alert_id}@{domain}>"
            if message.kind == NotificationEvent.TRIGGER:
                headers["Message-ID"] = thread_id
            else:
                headers["In-Reply-To"] = thread_id
                headers["References"] = thread_id
        return headers

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        subject, text, html = self.render(message)
        try:
            connection = get_connection(fail_silently=False)
            email = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[target],
                headers=self._headers(message),
                connection=connection,
            )
            email.attach_alternative(html, "text/html")
            email.send()
        # smtplib's exceptions are OSErrors: the specific ones come first.
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (0, b""))
            return _smtp_reply_result(code, reply, f"refused the recipient {target}")
        except smtplib.SMTPAuthenticationError as exc:
            return _smtp_reply_result(exc.smtp_code, exc.smtp_error, "refused the login (EMAIL_HOST_USER)")
        except smtplib.SMTPResponseException as exc:
            return _smtp_reply_result(exc.smtp_code, exc.smtp_error, "refused the message")
        except smtplib.SMTPServerDisconnected:
            return SendResult.failed("The mail server closed the connection.", transient=True)
        except smtplib.SMTPException as exc:
            # e.g. STARTTLS asked for but not offered: a configuration problem, not a passing one.
            return SendResult.failed(f"Email could not be sent: {exc}")
        except ssl.SSLCertVerificationError as exc:
            return SendResult.failed(f"The mail server's TLS certificate was not accepted: {exc.verify_message}")
        except TimeoutError:
            return SendResult.failed(
                f"The mail server did not answer within {settings.EMAIL_TIMEOUT} s.", transient=True
            )
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return SendResult.failed(
                f"Could not connect to the mail server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {reason}.",
                transient=True,
            )
        except (BadHeaderError, ValueError) as exc:
            return SendResult.failed(f"Email could not be built: {exc}")
        return SendResult.sent()
