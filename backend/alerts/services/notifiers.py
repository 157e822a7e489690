"""The notification channels: name -> notifier class. The API and the admin read this registry,
and the model's choices read the kinds it registers (alerts.channel_kinds). Adding a channel is
one module with a Notifier subclass plus one line here."""

from .. import channel_kinds
from .apprise_notifier import AppriseNotifier
from .discord_notifier import DiscordNotifier
from .email_notifier import EmailNotifier
from .mattermost_notifier import MattermostNotifier, RocketChatNotifier
from .notifier_base import Notifier
from .ntfy_notifier import NtfyNotifier
from .opsgenie_notifier import OpsgenieNotifier
from .pagerduty_notifier import PagerDutyNotifier
from .slack_notifier import SlackNotifier
from .teams_notifier import TeamsNotifier
from .telegram_notifier import TelegramNotifier
from .webhook_notifier import WebhookNotifier

NOTIFIERS: dict[str, type[Notifier]] = {
    SlackNotifier.name: SlackNotifier,
    EmailNotifier.name: EmailNotifier,
    WebhookNotifier.name: WebhookNotifier,
    PagerDutyNotifier.name: PagerDutyNotifier,
    OpsgenieNotifier.name: OpsgenieNotifier,
    TeamsNotifier.name: TeamsNotifier,
    MattermostNotifier.name: MattermostNotifier,
    RocketChatNotifier.name: RocketChatNotifier,
    DiscordNotifier.name: DiscordNotifier,
    TelegramNotifier.name: TelegramNotifier,
    NtfyNotifier.name: NtfyNotifier,
    AppriseNotifier.name: AppriseNotifier,
}

for _notifier_class in NOTIFIERS.values():
    channel_kinds.register(_notifier_class.name, _notifier_class.label)


def get_notifier(name: str) -> Notifier | None:
    notifier_class = NOTIFIERS.get(name)
    return notifier_class() if notifier_class else None


def all_notifiers() -> list[Notifier]:
    return [notifier_class() for notifier_class in NOTIFIERS.values()]


def channel_choices() -> list[tuple[str, str]]:
    return [(name, notifier_class.label) for name, notifier_class in NOTIFIERS.items()]
