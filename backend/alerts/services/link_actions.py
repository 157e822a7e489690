"""What an action link's confirmation does (docs/architecture.md §10): acknowledge, silence for an
hour or resolve its one alert, through lifecycle, recorded on the alert's timeline with the link
(a short fingerprint of its token) and who used it (the signed-in user, or nobody). A link acts
once: used again, or on an alert resolved meanwhile, it says so and does nothing."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import AlertEvent, AlertEventVia, AlertHistory, AlertStatus, Silence
from . import lifecycle
from .action_links import ACKNOWLEDGE, RESOLVE, SILENCE_1H, ActionLink
from .messages import format_time

logger = logging.getLogger(__name__)

# What the API needs for each action, asked of a signed-in user when ACTION_LINKS_REQUIRE_SIGN_IN.
PERMISSIONS = {
    ACKNOWLEDGE: "alerts.change_alerthistory",
    RESOLVE: "alerts.change_alerthistory",
    SILENCE_1H: "alerts.add_silence",
}
RESOLVE_NOTES = "Resolved from an action link"
SILENCE_MINUTES = 60
# Labels a silence matches on that are not the alert's own (channels.routing_labels adds them).
_ROUTING_NAMES = {"severity", "metric", "rule", "category"}


@dataclass(frozen=True)
class Outcome:
    done: bool  # whether this use changed something
    message: str


def previous_use(alert: AlertHistory, link: ActionLink) -> AlertEvent | None:
    """The event this very link recorded when it was used, if it was."""
    return (AlertEvent.objects.filter(alert=alert, via=AlertEventVia.LINK, detail__token=link.fingerprint)
            .order_by("at", "id").first())


def state_sentence(alert: AlertHistory) -> str:
    if alert.status != AlertStatus.ACTIVE:
        who = alert.resolved_by.get_username() if alert.resolved_by else "the system"
        if alert.resolved_by is None and alert.events.filter(kind="resolved", via=AlertEventVia.LINK).exists():
            who = "an action link"
        return f"Alert #{alert.pk} was resolved by {who} at {format_time(alert.resolved_at)}."
    if alert.acknowledged_at is not None:
        who = alert.acknowledged_by.get_username() if alert.acknowledged_by else "an action link"
        return f"Alert #{alert.pk} is open, acknowledged by {who} at {format_time(alert.acknowledged_at)}."
    return f"Alert #{alert.pk} is open; nobody has acknowledged it."


def used_sentence(event: AlertEvent) -> str:
    who = event.actor_name or "someone who was not signed in"
    return f"This link was used already, by {who} at {format_time(event.at)}: nothing more was done."


def silence_matchers(alert: AlertHistory) -> list[dict]:
    """The rule (its name) and its group's labels: a silence of this alert and of no other."""
    matchers = [{"label": "rule", "op": "=", "value": alert.rule_name}]
    group = alert.group_labels if isinstance(alert.group_labels, dict) else {}
    for name, value in sorted(group.items()):
        if name not in _ROUTING_NAMES and value != "":
            matchers.append({"label": str(name), "op": "=", "value": str(value)})
    return matchers


def perform(*, link: ActionLink, user) -> Outcome:
    """Do what `link` says to its alert, once. `user`: who is signed in (an anonymous user or None:
    the link alone). The alert row is locked meanwhile, so two confirmations never both act. A use
    that acts is an event on the alert's timeline; one that changes nothing is logged."""
    outcome = _perform(link=link, user=user)
    if not outcome.done:
        who = user.get_username() if user is not None and user.is_authenticated else "nobody signed in"
        logger.info("action link %s (%s of alert %s) used by %s, nothing done: %s", link.fingerprint,
                    link.action, link.alert_id, who, outcome.message)
    return outcome


def _perform(*, link: ActionLink, user) -> Outcome:
    detail = {"token": link.fingerprint, "action": link.action}
    with transaction.atomic():
        alert = AlertHistory.objects.select_for_update().filter(pk=link.alert_id).first()
        if alert is None:
            return Outcome(False, f"Alert #{link.alert_id} does not exist any more: nothing was done.")
        used = previous_use(alert, link)
        if used is not None:
            return Outcome(False, used_sentence(used))
        if alert.status != AlertStatus.ACTIVE:
            return Outcome(False, f"{state_sentence(alert)} Nothing was done.")
        if link.action == ACKNOWLEDGE:
            if alert.acknowledged_at is not None:
                return Outcome(False, f"{state_sentence(alert)} Nothing was changed.")
            lifecycle.acknowledge(alert=alert, user=user, via=AlertEventVia.LINK, detail=detail)
            return Outcome(True, f"Alert #{alert.pk} is acknowledged: its reminders stop.")
        if link.action == RESOLVE:
            lifecycle.resolve_by_person(alert=alert, user=user, notes=RESOLVE_NOTES, via=AlertEventVia.LINK,
                                        detail=detail)
            return Outcome(True, f"Alert #{alert.pk} is resolved.")
        return _silence(alert, user, detail)


def _silence(alert: AlertHistory, user, detail: dict) -> Outcome:
    now = timezone.now()
    person = user if user is not None and user.is_authenticated else None
    silence = Silence(
        matchers=silence_matchers(alert), starts_at=now, ends_at=now + timedelta(minutes=SILENCE_MINUTES),
        created_by=person,
        comment=f"Silenced for 1 h from an action link in a notification of alert #{alert.pk} "
        f"({alert.rule_name}).",
    )
    try:
        silence.full_clean()
    except ValidationError as error:
        return Outcome(False, "Could not silence this alert: " + "; ".join(error.messages))
    silence.save()
    lifecycle.record_silenced(alert=alert, silence=silence, user=user, via=AlertEventVia.LINK, detail=detail)
    return Outcome(True, f"Alert #{alert.pk} is silenced until {format_time(silence.ends_at)} (silence #{silence.pk}).")
