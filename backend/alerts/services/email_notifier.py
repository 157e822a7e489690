"""Email: one message per recipient, with a plain-text part and an HTML part. The default email
channel sends through Django's email backend (the SMTP settings of the environment, the product
document's EMAIL_* variables); every other email channel has its own SMTP server and sender."""

import ipaddress
import smtplib
import socket
import ssl
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from core import outbound

from ..models import NotificationEvent
from ..validators import validate_email_address
from .messages import NotificationMessage
from .notifier_base import Notifier, SendResult, Setting

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

_TEMPLATES: dict[str, str] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.TEST: "alerts/email/test",
    NotificationEvent.SUMMARY: "alerts/email/summary",
    NotificationEvent.SUPPRESSED: "alerts/email/suppressed",
    NotificationEvent.GROUP: "alerts/email/group",
    NotificationEvent.FLAPPING: "alerts/email/flapping",
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


def group_thread_headers(group: dict, from_email: str) -> dict[str, str]:
    """A notification group's messages of one round (from its first alert until all resolved)
    thread under the round's first one."""
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    round_ = "".join(ch for ch in str(group.get("opened_at") or "") if ch.isdigit())
    thread_id = f"<resee-group-{group.get('group_id')}-{round_}@{domain}>"
    if group.get("first"):
        return {"Message-ID": thread_id}
    return {"In-Reply-To": thread_id, "References": thread_id}


class _Refused(Exception):
    """The channel's mail server may not be reached from here."""


class EmailNotifier(Notifier):
    name = "email"
    label = "Email"
    description = "Email through an SMTP server: the environment's (EMAIL_*), or one of its own per channel."
    has_environment_default = True
    settings_schema = (
        Setting("recipients", "Recipients", type="emails", required=True,
                help="The addresses a named channel sends to (a rule's email_recipients go to the default "
                     "email channel)."),
        Setting("from_email", "From", required=True, max_length=254, placeholder="alerts@example.com",
                help="The sender address (or \"Name <address>\")."),
        Setting("host", "SMTP host", required=True, max_length=253, placeholder="smtp.example.com"),
        Setting("port", "SMTP port", type="integer", default=587, min_value=1, max_value=65535),
        Setting("username", "SMTP user name", max_length=254, help="Blank: no login."),
        Setting("password", "SMTP password", secret=True, max_length=500),
        Setting("use_tls", "STARTTLS", type="boolean", default=True, help="Upgrade the connection with STARTTLS."),
        Setting("use_ssl", "Implicit TLS", type="boolean", default=False,
                help="TLS from the first byte (usually port 465); either this or STARTTLS."),
    )
    target_setting = "recipients"

    @classmethod
    def check_settings(cls, settings_, secrets) -> dict[str, str]:
        problems = {}
        if settings_.get("use_tls", True) and settings_.get("use_ssl", False):
            problems["use_ssl"] = "Either implicit TLS or STARTTLS, not both."
        sender = parseaddr(str(settings_.get("from_email", "")))[1]
        try:
            validate_email_address(sender)
        except ValidationError:
            problems["from_email"] = "Enter a valid email address."
        if settings_.get("username") and not secrets.get("password"):
            problems["password"] = "A login needs a password."
        return problems

    def from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL if self.from_environment else str(self.setting("from_email") or "")

    def server(self) -> tuple[str, int]:
        if self.from_environment:
            return settings.EMAIL_HOST, settings.EMAIL_PORT
        return str(self.setting("host") or ""), int(self.setting("port") or 587)

    def configuration_problem(self) -> str:
        if not self.from_environment:
            return super().configuration_problem()
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

    def _connection(self):
        if self.from_environment:
            return get_connection(fail_silently=False)
        host, port = self.server()
        self._check_host(host, port)
        return get_connection(
            SMTP_BACKEND, fail_silently=False, host=host, port=port,
            username=str(self.setting("username") or ""), password=str(self.secrets.get("password") or ""),
            use_tls=bool(self.setting("use_tls")), use_ssl=bool(self.setting("use_ssl")),
            timeout=settings.EMAIL_TIMEOUT,
        )

    def _check_host(self, host: str, port: int) -> None:
        """A channel's SMTP server is refused on a private address as an HTTP target is, unless
        the deployment allows private targets (core.outbound)."""
        if settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
            return
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise _Refused(f"Could not resolve the mail server {host}.") from None
        for info in infos:
            if outbound.refused_address(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])):
                raise _Refused(
                    f"Refused: the mail server {host} resolves to a loopback, private, link-local or reserved "
                    "address. Set OUTBOUND_ALLOW_PRIVATE_TARGETS=true to allow targets on private networks."
                )

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
            domain = parseaddr(self.from_email())[1].rpartition("@")[2] or "localhost"
            thread_id = f"<resee-alert-{message.alert_id}@{domain}>"
            if message.kind == NotificationEvent.TRIGGER:
                headers["Message-ID"] = thread_id
            else:
                headers["In-Reply-To"] = thread_id
                headers["References"] = thread_id
        elif message.kind == NotificationEvent.GROUP and message.group:
            headers.update(group_thread_headers(message.group, self.from_email()))
        return headers

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        subject, text, html = self.render(message)
        host, port = self.server()
        try:
            connection = self._connection()
            email = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=self.from_email(),
                to=[target],
                headers=self._headers(message),
                connection=connection,
            )
            email.attach_alternative(html, "text/html")
            email.send()
        # smtplib's exceptions are OSErrors: the specific ones come first.
        except _Refused as exc:
            return SendResult.failed(str(exc))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (0, b""))
            return _smtp_reply_result(code, reply, f"refused the recipient {target}")
        except smtplib.SMTPAuthenticationError as exc:
            login = "EMAIL_HOST_USER" if self.from_environment else "the SMTP user name"
            return _smtp_reply_result(exc.smtp_code, exc.smtp_error, f"refused the login ({login})")
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
                f"Could not connect to the mail server {host}:{port}: {reason}.",
                transient=True,
            )
        except (BadHeaderError, ValueError) as exc:
            return SendResult.failed(f"Email could not be built: {exc}")
        return SendResult.sent()
