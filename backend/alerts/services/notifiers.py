"""The notification channels: name -> notifier class. Model choices, the API and the admin read
this registry. Adding a channel is one module with a Notifier subclass plus one line here."""

from .email_notifier import EmailNotifier
from .notifier_base import Notifier
from .slack_notifier import SlackNotifier

NOTIFIERS: dict[str, type[Notifier]] = {
    SlackNotifier.name: SlackNotifier,
    EmailNotifier.name: EmailNotifier,
}


def get_notifier(name: str) -> Notifier | None:
    notifier_class = NOTIFIERS.get(name)
    return notifier_class() if notifier_class else None


def all_notifiers() -> list[Notifier]:
    return [notifier_class() for notifier_class in NOTIFIERS.values()]


def channel_choices() -> list[tuple[str, str]]:
    return [(name, notifier_class.label) for name, notifier_class in NOTIFIERS.items()]
