"""One-click action links (docs/architecture.md §10): the Acknowledge, Silence 1 h and Resolve links
of an open alert's messages. A link's token is signed with the project's signing key (Django
signing, a salt of its own), names one alert and one action, and expires ACTION_LINK_MAX_AGE_SECONDS
after it was made. It opens a confirmation page that acts only on its POST (alerts.views_actions);
what the POST does is link_actions.perform."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "resee.alerts.action-link"

ACKNOWLEDGE = "acknowledge"
SILENCE_1H = "silence_1h"
RESOLVE = "resolve"
# Each action with its label, in the order messages show them.
ACTIONS: dict[str, str] = {ACKNOWLEDGE: "Acknowledge", SILENCE_1H: "Silence 1 h", RESOLVE: "Resolve"}


class InvalidLink(Exception):
    """Not a token this deployment signed (or altered, or for another purpose)."""


class ExpiredLink(InvalidLink):
    """A genuine token, older than ACTION_LINK_MAX_AGE_SECONDS."""


@dataclass(frozen=True)
class ActionLink:
    alert_id: int
    action: str
    fingerprint: str  # a short digest of the token, to record which link was used

    @property
    def label(self) -> str:
        return ACTIONS[self.action]


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def make_token(alert_id: int, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not an action link")
    return signing.dumps({"alert": int(alert_id), "action": action}, salt=SALT)


def verify(token: str) -> ActionLink:
    """The alert and action `token` names: ExpiredLink when it is older than the setting allows,
    InvalidLink when it is not one of ours (a token for another alert or action cannot be made
    from it: both are inside what is signed)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.ACTION_LINK_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise ExpiredLink("This link has expired.") from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise InvalidLink("This link is not valid.") from None
    if not isinstance(data, dict):
        raise InvalidLink("This link is not valid.")
    alert_id, action = data.get("alert"), data.get("action")
    if not isinstance(alert_id, int) or isinstance(alert_id, bool) or action not in ACTIONS:
        raise InvalidLink("This link is not valid.")
    return ActionLink(alert_id=alert_id, action=action, fingerprint=fingerprint(token))


def action_url(alert_id: int, action: str) -> str:
    return f"{settings.SITE_URL}/actions/{make_token(alert_id, action)}/"


def alert_actions(alert_id: int) -> tuple[tuple[str, str], ...]:
    """The (label, url) pairs of an open alert's messages: Acknowledge, Silence 1 h, Resolve."""
    return tuple((label, action_url(alert_id, action)) for action, label in ACTIONS.items())
