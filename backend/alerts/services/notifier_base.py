"""What every notifier is: a small class with a name, its own configuration and target checks,
and `send(message, target=...) -> SendResult`. Channels register in `notifiers.py`."""

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings

MAX_ERROR_LENGTH = 1000
_REDACTED = "[redacted]"
_URL_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)
# The secret part of a Slack webhook even when an error message quotes only the path.
_SLACK_HOOK_PATH_RE = re.compile(r"/services/[A-Za-z0-9_/-]+")


@dataclass(frozen=True)
class SendResult:
    """The outcome of one attempt. `transient` failures are worth retrying (timeouts, connection
    errors, 5xx, 429); the others will fail the same way again."""

    ok: bool
    error: str = ""
    response_code: int | None = None
    transient: bool = False
    # Seconds the receiver asked us to wait (HTTP Retry-After), if it said.
    retry_after: float | None = None

    @classmethod
    def sent(cls, *, response_code: int | None = None) -> "SendResult":
        return cls(ok=True, response_code=response_code)

    @classmethod
    def failed(
        cls, error: str, *, response_code: int | None = None, transient: bool = False,
        retry_after: float | None = None,
    ) -> "SendResult":
        return cls(
            ok=False, error=scrub_secrets(error), response_code=response_code, transient=transient,
            retry_after=retry_after,
        )


def _configured_secrets() -> list[str]:
    secrets = []
    webhook = getattr(settings, "SLACK_WEBHOOK_URL", "")
    if webhook:
        secrets.append(webhook)
        parts = urlsplit(webhook)
        # requests and urllib3 quote only the path (and query) in some errors.
        if parts.path and parts.path != "/":
            secrets.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            secrets.append(parts.path)
    password = getattr(settings, "EMAIL_HOST_PASSWORD", "")
    if password:
        secrets.append(password)
    # Longest first, so a secret containing another is replaced whole.
    return sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)


def scrub_secrets(text: str) -> str:
    """`text` without the webhook URL, the SMTP password, or any URL at all, and bounded in length:
    it is stored in the database and shown by the API and the admin."""
    if not text:
        return ""
    for secret in _configured_secrets():
        text = text.replace(secret, _REDACTED)
    text = _URL_RE.sub("[url]", text)
    text = _SLACK_HOOK_PATH_RE.sub(_REDACTED, text)
    if len(text) > MAX_ERROR_LENGTH:
        text = text[: MAX_ERROR_LENGTH - 1] + "…"
    return text


class Notifier:
    """Base class of a notification channel."""

    name: ClassVar[str]
    label: ClassVar[str]

    def configuration_problem(self) -> str:
        """Why this channel cannot send in this deployment, or "" when it can."""
        return ""

    def is_configured(self) -> bool:
        return not self.configuration_problem()

    def validate_target(self, target: str) -> str:
        """The target normalised, or django.core.exceptions.ValidationError."""
        raise NotImplementedError

    def targets_for_rule(self, rule) -> list[str]:
        """Where this channel sends a rule's notifications; [] when the rule does not use it."""
        raise NotImplementedError

    def send(self, message, *, target: str) -> SendResult:
        raise NotImplementedError
