"""What every notifier is: a small class with a kind name, a declaration of its settings (which
of them are secret, which one names the target), its own checks, and
`send(message, target=...) -> SendResult`. Kinds register in `notifiers.py`.

The declaration (`settings_schema`) is what the API's channel serializer, the admin's channel
form, the dashboard's channel form (through `/api/alerts/channels/kinds/`), the scrubber and the
test send are built from: a new kind declares its settings here and nowhere else.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from core import outbound

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


def scrub_secrets(text: str, *, extra: Sequence[str] = ()) -> str:
    """`text` without the webhook URL, the SMTP password, the `extra` secrets (a channel's), or any
    URL at all, and bounded in length: it is stored in the database and shown by the API and the
    admin."""
    if not text:
        return ""
    secrets = sorted({s for s in [*_configured_secrets(), *extra] if len(s) >= 4}, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, _REDACTED)
    text = _URL_RE.sub("[url]", text)
    text = _SLACK_HOOK_PATH_RE.sub(_REDACTED, text)
    if len(text) > MAX_ERROR_LENGTH:
        text = text[: MAX_ERROR_LENGTH - 1] + "…"
    return text


# --- the settings declaration ---------------------------------------------------------------------

SETTING_TYPES = ("string", "text", "url", "integer", "boolean", "choice", "emails", "headers")
MAX_SETTING_LENGTH = 2000
MAX_HEADERS = 20
_HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
# Headers a channel's custom headers may not set: the client sets them, or they would change
# what the request is.
_RESERVED_HEADERS = {"host", "content-length", "content-type", "transfer-encoding", "connection"}


@dataclass(frozen=True)
class Setting:
    """One setting of a channel kind, as its form shows it and its validation reads it.

    `secret` settings are stored encrypted, never answered (only "set (…ab12)"), and scrubbed from
    every error text. `type` is one of SETTING_TYPES: "emails" is a list of addresses, "headers"
    an object of header names to values."""

    name: str
    label: str
    type: str = "string"
    required: bool = False
    secret: bool = False
    help: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = 500
    placeholder: str = ""

    def __post_init__(self):
        if self.type not in SETTING_TYPES:
            raise ValueError(f"{self.name}: unknown setting type {self.type!r}")

    def as_dict(self) -> dict:
        return {
            "name": self.name, "label": self.label, "type": self.type, "required": self.required,
            "secret": self.secret, "help": self.help, "default": self.default, "choices": list(self.choices),
            "min_value": self.min_value, "max_value": self.max_value, "max_length": self.max_length,
            "placeholder": self.placeholder,
        }

    def clean(self, value: Any) -> Any:
        """`value` as stored, or ValidationError saying what is wrong with it."""
        cleaner = getattr(self, f"_clean_{self.type}")
        return cleaner(value)

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {}

    def _clean_string(self, value: Any, *, lines: bool = False) -> str:
        if not isinstance(value, str):
            raise ValidationError("Enter text.")
        value = value.strip()
        allowed = "\n\t" if lines else ""
        if any((ord(c) < 0x20 and c not in allowed) or ord(c) == 0x7F for c in value):
            raise ValidationError("Must not contain control characters.")
        if len(value) > self.max_length:
            raise ValidationError(f"At most {self.max_length:,} characters.")
        return value

    def _clean_text(self, value: Any) -> str:
        return self._clean_string(value, lines=True)

    def _clean_url(self, value: Any) -> str:
        value = self._clean_string(value)
        try:
            outbound.parse_target(value)
        except outbound.TargetRefused as error:
            raise ValidationError(str(error).removeprefix("Refused: ").capitalize()) from None
        return value

    def _clean_integer(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("Enter a whole number.")
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(f"At least {self.min_value}.")
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(f"At most {self.max_value}.")
        return value

    def _clean_boolean(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Enter true or false.")
        return value

    def _clean_choice(self, value: Any) -> str:
        if value not in self.choices:
            raise ValidationError(f"Choose one of: {', '.join(self.choices)}.")
        return value

    def _clean_emails(self, value: Any) -> list[str]:
        from ..validators import parse_email_recipients, validate_email_recipients

        addresses = parse_email_recipients(value)
        validate_email_recipients(addresses)
        return addresses

    def _clean_headers(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValidationError("Enter an object of header names and values.")
        if len(value) > MAX_HEADERS:
            raise ValidationError(f"At most {MAX_HEADERS} headers.")
        headers = {}
        for name, header_value in value.items():
            if not isinstance(name, str) or not _HEADER_NAME_RE.match(name):
                raise ValidationError(f"{str(name)[:100]!r} is not a header name.")
            if name.lower() in _RESERVED_HEADERS:
                raise ValidationError(f"{name} is set by Resee Alerts and cannot be set here.")
            if not isinstance(header_value, str) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in header_value):
                raise ValidationError(f"The value of {name} must be text without control characters.")
            if len(header_value) > self.max_length:
                raise ValidationError(f"The value of {name} has at most {self.max_length:,} characters.")
            headers[name] = header_value
        return headers


@dataclass
class CleanedChannel:
    """A channel's settings and secrets after `clean_channel`: what to store, or what is wrong."""

    settings: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def clean_channel(
    notifier_class: "type[Notifier]", *, settings_in: Any, secrets_in: Any,
    stored_settings: Mapping[str, Any] | None = None, stored_secrets: Mapping[str, Any] | None = None,
) -> CleanedChannel:
    """Validate a channel's settings and secrets against its kind's declaration.

    `settings_in` replaces the stored settings (None: keep them). `secrets_in` is merged into the
    stored secrets: a key sent with a value replaces it, a key sent as "" or null clears it, a key
    not sent keeps it (secrets are never answered, so a form cannot send them back). Errors are
    keyed "settings" / "secrets", then by setting name; an unknown key is an error on its name."""
    result = CleanedChannel()
    declared = {setting.name: setting for setting in notifier_class.settings_schema}
    plain = {name: setting for name, setting in declared.items() if not setting.secret}
    secret = {name: setting for name, setting in declared.items() if setting.secret}

    def error(part: str, name: str, message: str) -> None:
        result.errors.setdefault(part, {}).setdefault(name, []).append(message)

    for part, given, allowed in (("settings", settings_in, plain), ("secrets", secrets_in, secret)):
        if given is not None and not isinstance(given, dict):
            result.errors[part] = {"non_field_errors": ["Expected an object."]}
            continue
        for name in given or {}:
            if name not in allowed:
                where = "a secret" if name in secret else "a setting" if name in plain else None
                hint = f" ({name} is {where}: send it in {'secrets' if where == 'a secret' else 'settings'})" \
                    if where else ""
                known = ", ".join(allowed) or "none"
                error(part, str(name)[:100], f"Unknown {part[:-1]}{hint}; this kind has: {known}.")

    settings_given = settings_in if isinstance(settings_in, dict) else None
    source = settings_given if settings_given is not None else dict(stored_settings or {})
    for name, setting in plain.items():
        value = source.get(name)
        if setting.is_empty(value):
            if setting.required:
                error("settings", name, "This setting is required.")
            continue
        try:
            result.settings[name] = setting.clean(value)
        except ValidationError as problem:
            for message in problem.messages:
                error("settings", name, message)

    merged = {name: value for name, value in dict(stored_secrets or {}).items() if name in secret}
    for name, value in (secrets_in if isinstance(secrets_in, dict) else {}).items():
        if name not in secret:
            continue
        if value is None or value == "":
            merged.pop(name, None)
            continue
        try:
            merged[name] = secret[name].clean(value)
        except ValidationError as problem:
            for message in problem.messages:
                error("secrets", name, message)
    for name, setting in secret.items():
        if setting.required and not merged.get(name) and name not in result.errors.get("secrets", {}):
            error("secrets", name, "This secret is required.")
    result.secrets = merged
    if not result.errors:
        problems = notifier_class.check_settings(result.settings, result.secrets)
        for name, message in problems.items():
            part = "secrets" if name in secret else "settings"
            error(part, name, message)
    return result


# --- the notifier ---------------------------------------------------------------------------------


class Notifier:
    """Base class of a notification channel kind.

    An instance speaks for one channel: `Notifier(channel)` with a NotificationChannel row, or
    `Notifier()` for the kind's default channel configured by the environment (the product
    document's SLACK_* and EMAIL_* variables)."""

    name: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""
    # What a channel of this kind is configured with (see Setting).
    settings_schema: ClassVar[Sequence[Setting]] = ()
    # The setting that says where a message goes when the channel is named by a rule or a policy
    # (a Slack channel, email addresses), or "" when the channel itself is the destination (a
    # webhook, a PagerDuty service). A rule's own fields and a test send may give another target.
    target_setting: ClassVar[str] = ""
    # Whether the environment configures a default channel of this kind (Slack and email).
    has_environment_default: ClassVar[bool] = False

    def __init__(self, channel=None) -> None:
        self.channel = channel
        self.settings: dict[str, Any] = dict(channel.settings or {}) if channel is not None else {}
        self.secrets: dict[str, Any] = dict(channel.secrets or {}) if channel is not None else {}

    @property
    def from_environment(self) -> bool:
        """Whether this is the kind's default channel, configured by environment variables."""
        return self.channel is None or bool(getattr(self.channel, "builtin", ""))

    @classmethod
    def check_settings(cls, settings_: Mapping[str, Any], secrets: Mapping[str, Any]) -> dict[str, str]:
        """Problems between settings that each look right on its own, by setting name."""
        return {}

    @classmethod
    def declaration(cls) -> dict:
        target = next((s for s in cls.settings_schema if s.name == cls.target_setting), None)
        return {
            "kind": cls.name, "label": cls.label, "description": cls.description,
            "settings": [setting.as_dict() for setting in cls.settings_schema],
            "target_setting": cls.target_setting, "target_label": target.label if target else "",
        }

    def setting(self, name: str) -> Any:
        if name in self.settings:
            return self.settings[name]
        declared = next((s for s in self.settings_schema if s.name == name), None)
        return declared.default if declared is not None else None

    def secret_values(self) -> list[str]:
        """Every secret this channel holds, for scrubbing error texts."""
        values = []
        for value in self.secrets.values():
            if isinstance(value, str) and value:
                values.append(value)
                parts = urlsplit(value)
                if parts.scheme and parts.path and parts.path != "/":
                    values.append(parts.path + (f"?{parts.query}" if parts.query else ""))
                    values.append(parts.path)
        return values

    def scrub(self, text: str) -> str:
        return scrub_secrets(text, extra=self.secret_values())

    def default_targets(self) -> list[str]:
        """Where a message goes when the channel is named without a target."""
        if not self.target_setting:
            return [""]
        value = self.setting(self.target_setting)
        if isinstance(value, list):
            return [str(v) for v in value]
        return [str(value)] if value else []

    def configuration_problem(self) -> str:
        """Why this channel cannot send in this deployment, or "" when it can."""
        for setting in self.settings_schema:
            store = self.secrets if setting.secret else self.settings
            if setting.required and setting.is_empty(store.get(setting.name)):
                return f"{self.label} is not configured: {setting.label} is not set."
        return ""

    def is_configured(self) -> bool:
        return not self.configuration_problem()

    def validate_target(self, target: str) -> str:
        """The target normalised, or django.core.exceptions.ValidationError. A kind without a
        target setting takes only "" (the channel is the destination)."""
        if self.target_setting:
            raise NotImplementedError
        if target:
            raise ValidationError(f"A {self.label} channel takes no target: it sends to its own URL.")
        return ""

    def targets_for_rule(self, rule) -> list[str]:
        """Where the environment's default channel of this kind sends a rule's notifications,
        from the product document's rule fields; [] when the rule does not use it."""
        return []

    def send(self, message, *, target: str) -> SendResult:
        raise NotImplementedError
