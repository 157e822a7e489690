"""The long tail of services, through the Apprise library: one channel holds one or more Apprise
URLs (https://github.com/caronc/apprise/wiki: `gotify://host/token`, `pover://user@token`,
`mailto://user:pass@example.com`, `json://host/path`, ...) and each message goes to all of them.

The URLs carry their services' credentials: they are the channel's secret, and every error text is
scrubbed of each of them and of their parts (user, password, path segments, query values).

The SSRF guard, and its limits. Apprise makes its own connections (through requests, or smtplib
for email), not through core.outbound: they are not pinned to a checked address, they follow the
library's own rules on redirects and proxies, and they are bounded by Apprise's own timeouts (the
whole call by NOTIFICATION_TIMEOUT_SECONDS). So before each send every URL's host (and an email
URL's SMTP server) is resolved and refused when any address it has is loopback, private,
link-local or reserved (core.outbound.refused_address), unless OUTBOUND_ALLOW_PRIVATE_TARGETS. A
host that does not resolve is taken to be a service's key (Apprise writes `discord://<id>/<token>`)
and let through; a second lookup by Apprise that answers differently (DNS rebinding) is not
prevented, nor are servers that a URL names in other parameters. Kinds with a notifier of their
own (Slack, Discord, Telegram, ntfy, webhooks...) have none of these limits: prefer them.

Apprise tells only whether each service took the message, not why one did not: the delivery's
error is what Apprise logged about the failure (its own capture of the "apprise" logger, at
WARNING), scrubbed. Every failure to send is transient (retried), since nothing says it would fail
again; when only some of the URLs failed, a retry sends to all of them again. A URL Apprise does
not know, or a refused host, is permanent."""

import ipaddress
import socket
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise
from django.conf import settings

from core import outbound

from ..models import NotificationEvent
from .messages import NotificationMessage
from .notifier_base import Notifier, SendResult, Setting

MAX_URLS = 20
MAX_LOG_LINES = 5


def split_urls(text: str) -> list[str]:
    """The URLs of a channel: one a line (commas and spaces separate them too, as in Apprise)."""
    return [part for line in str(text or "").splitlines() for part in line.replace(",", " ").split() if part]


def _hosts(service) -> Iterator[str]:
    """The servers a parsed Apprise URL names: its host, and an email URL's SMTP server."""
    for attribute in ("host", "smtp_host"):
        value = getattr(service, attribute, None)
        if isinstance(value, str) and value.strip("[]"):
            yield value.strip("[]")


def host_refusal(host: str) -> str:
    """Why `host` may not be reached from here, or "" (it is public, or it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        return ""
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if outbound.refused_address(address):
            return (
                f"Refused: {host} resolves to a loopback, private, link-local or reserved address. "
                "Set OUTBOUND_ALLOW_PRIVATE_TARGETS=true to allow targets on private networks."
            )
    return ""


_NOTIFY_TYPES: dict[str, apprise.NotifyType] = {  # keyed by NotificationEvent, looked up by its value
    NotificationEvent.RESOLVE: apprise.NotifyType.SUCCESS,
    NotificationEvent.TEST: apprise.NotifyType.INFO,
    NotificationEvent.SUMMARY: apprise.NotifyType.INFO,
}


def notify_type(message: NotificationMessage) -> apprise.NotifyType:
    if message.kind in _NOTIFY_TYPES:
        return _NOTIFY_TYPES[message.kind]
    if message.severity in ("critical", "high"):
        return apprise.NotifyType.FAILURE
    return apprise.NotifyType.WARNING


def apprise_body(message: NotificationMessage) -> str:
    if message.is_alert:
        lines = [message.headline, message.summary_line, message.text]
        if message.window_text:
            lines.append(f"Window: {message.window_text}")
        if message.labels_text:
            lines.append(f"Labels: {message.labels_text}")
        if message.runbook_url:
            lines.append(f"Runbook: {message.runbook_url}")
    else:
        lines = [message.text]
        if message.requested_by:
            lines.append(f"Requested by {message.requested_by}.")
    if message.link:
        lines.append(message.link)
    return "\n".join(line for line in lines if line) or message.subject


class AppriseNotifier(Notifier):
    name = "apprise"
    label = "Apprise"
    description = "Any of the services the Apprise library knows (Gotify, Pushover, Matrix, email, ...), by URL."
    settings_schema = (
        Setting("urls", "Apprise URLs", type="text", required=True, secret=True, max_length=5000,
                placeholder="gotify://gotify.example.com/AbCdEf123",
                help="One Apprise URL a line (see the Apprise wiki for each service's form); every message goes "
                     "to all of them. Stored encrypted; never shown again."),
    )

    @classmethod
    def check_settings(cls, settings_, secrets) -> dict[str, str]:
        urls = split_urls(secrets.get("urls", ""))
        if len(urls) > MAX_URLS:
            return {"urls": f"At most {MAX_URLS} URLs."}
        for number, url in enumerate(urls, start=1):
            if apprise.Apprise.instantiate(url) is None:
                # Not the URL itself: it is a secret.
                return {"urls": f"URL {number} is not one Apprise knows (check its scheme and form)."}
        return {}

    def urls(self) -> list[str]:
        return split_urls(self.secrets.get("urls", ""))

    def secret_values(self) -> list[str]:
        values = super().secret_values()
        for url in self.urls():
            values.append(url)
            parts = urlsplit(url)
            pieces = [parts.netloc, parts.username or "", parts.password or "", parts.path]
            pieces += parts.path.split("/")
            pieces += [value for _, value in parse_qsl(parts.query)]
            values += [piece for piece in pieces if len(piece) >= 6]
            values += [unquote(piece) for piece in pieces if len(unquote(piece)) >= 6]
        return values

    def refusal(self, services) -> str:
        if settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
            return ""
        for number, service in enumerate(services, start=1):
            for host in _hosts(service):
                problem = host_refusal(host)
                if problem:
                    return f"{self.label} URL {number}: {problem}"
        return ""

    def send(self, message: NotificationMessage, *, target: str) -> SendResult:
        urls = self.urls()
        asset = apprise.AppriseAsset(app_id="Resee Alerts", app_desc="Resee Alerts", app_url=settings.SITE_URL)
        services = []
        for number, url in enumerate(urls, start=1):
            service = apprise.Apprise.instantiate(url, asset=asset)
            if service is None:
                return self.failed(f"{self.label} URL {number} is not one Apprise knows.")
            services.append(service)
        if not services:
            return self.failed(f"{self.label} is not configured: no URL.")
        refused = self.refusal(services)
        if refused:
            return self.failed(refused)

        sender = apprise.Apprise(asset=asset)
        for service in services:
            sender.add(service)
        result = sender.notify(
            body=apprise_body(message), title=message.subject, notify_type=notify_type(message),
            body_format=apprise.NotifyFormat.TEXT, timeout=float(settings.NOTIFICATION_TIMEOUT_SECONDS),
        )
        if result:
            return SendResult.sent()
        return self.failed(self.failure_text(result, total=len(services)), transient=True)

    def failure_text(self, result, *, total: int) -> str:
        failed = [service for service in result if not service]
        names = ", ".join(dict.fromkeys(str(service.name) for service in failed)) or "no service"
        status = getattr(result.status, "name", str(result.status)).lower()
        what = f"{len(failed)} of {total} service{'s' if total != 1 else ''} failed ({names})"
        if status == "timeout":
            what += f", not done within {float(settings.NOTIFICATION_TIMEOUT_SECONDS):g} s"
        lines = [" ".join(str(entry.message).split()) for service in failed for entry in service.logs()]
        lines = [line for line in dict.fromkeys(lines) if line][:MAX_LOG_LINES]
        detail = (": " + " | ".join(lines)).rstrip(".") if lines else "; Apprise logged no reason"
        return f"{self.label}: {what}{detail}. (Apprise does not say whether a retry could succeed.)"

    def failed(self, error: str, **kwargs) -> SendResult:
        return SendResult.failed(self.scrub(error), **kwargs)
