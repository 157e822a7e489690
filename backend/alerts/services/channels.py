"""Channels and routing (docs/architecture.md §5): which channels, and which targets on them, hear
an alert.

An alert goes to
1. the environment's default Slack channel, to the rule's `slack_channel`, when `slack_enabled`;
2. the environment's default email channel, to each of `email_recipients`, when `email_enabled`;
3. each channel the rule names (`channels`), to that channel's own target;
4. the channels of every active notification policy whose matchers match the alert, in order,
   stopping after the first match that does not say `continue_matching`.
Each (channel, target) is told once, however many of these name it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from monitoring.labels import matches_all, parse_matchers

from ..metrics import CATALOGUE
from ..models import AlertHistory, AlertRule, NotificationChannel, NotificationPolicy
from .notifier_base import Notifier
from .notifiers import NOTIFIERS

# The environment's default channels (the migration that introduced channels created them too).
BUILTIN_NAMES = {"slack": "Slack (default)", "email": "Email (default)"}
# What a policy's matchers see besides the alert's labels; these win over labels of the same name.
ROUTING_FIELDS = ("severity", "category", "metric", "rule")


def default_channel(kind: str) -> NotificationChannel:
    """The environment's default channel of `kind` ("slack" or "email"), created if missing."""
    channel = NotificationChannel.objects.filter(builtin=kind).first()
    if channel is not None:
        return channel
    name = BUILTIN_NAMES[kind]
    if NotificationChannel.objects.filter(name=name).exists():
        name = f"{name} ({kind})"
    try:
        with transaction.atomic():
            return NotificationChannel.objects.create(kind=kind, name=name, builtin=kind)
    except IntegrityError:  # created meanwhile by another process
        return NotificationChannel.objects.get(builtin=kind)


def notifier_for(channel: NotificationChannel | None, kind: str = "") -> Notifier | None:
    """The notifier that speaks for `channel` (None: the environment's default channel of `kind`)."""
    notifier_class = NOTIFIERS.get(channel.kind if channel is not None else kind)
    if notifier_class is None:
        return None
    return notifier_class(channel)


@dataclass(frozen=True)
class Route:
    channel: NotificationChannel
    target: str
    # Why it goes there: "rule" (its own fields or channels) or "policy:<id>".
    via: str


def routing_labels(
    *, rule: AlertRule | None = None, alert: AlertHistory | None = None, labels: Mapping[str, str] | None = None,
    severity: str = "", metric: str = "", rule_name: str = "",
) -> dict[str, str]:
    """What a policy's matchers match against: the alert's labels (or the rule's, or `labels`),
    then severity, category, metric and rule name."""
    if alert is not None:
        base = alert.labels if isinstance(alert.labels, dict) else {}
        severity = severity or alert.severity
        metric = metric or alert.metric_name
        rule_name = rule_name or alert.rule_name
    elif rule is not None:
        base = rule.labels if isinstance(rule.labels, dict) else {}
    else:
        base = {}
    if rule is not None:
        severity = severity or rule.severity
        metric = metric or rule.metric_name
        rule_name = rule_name or rule.name
    values = {str(k): str(v) for k, v in base.items()}
    values.update({str(k): str(v) for k, v in (labels or {}).items()})
    metric_info = CATALOGUE.get(metric)
    values.update({
        "severity": severity, "metric": metric, "rule": rule_name,
        "category": metric_info.category if metric_info else ("custom" if metric else ""),
    })
    return {name: value for name, value in values.items() if value != ""}


def matching_policies(values: Mapping[str, str], policies: Iterable[NotificationPolicy] | None = None):
    """The active policies that match, in order, up to the first match that does not continue."""
    if policies is None:
        policies = NotificationPolicy.objects.filter(is_active=True).prefetch_related("channels")
    matched = []
    for policy in policies:
        if not policy.is_active or not matches_all(values, parse_matchers(policy.matchers)):
            continue
        matched.append(policy)
        if not policy.continue_matching:
            break
    return matched


def channel_targets(channel: NotificationChannel) -> list[str]:
    notifier = notifier_for(channel)
    return notifier.default_targets() if notifier is not None else []


def routes(
    *, rule: AlertRule | None, values: Mapping[str, str], include_inactive: bool = False,
) -> list[Route]:
    """Every (channel, target) an alert of `rule` with routing `values` goes to (see the module's
    docstring). Inactive channels are left out unless `include_inactive` (the preview shows them)."""
    found: list[Route] = []
    seen: set[tuple[int, str]] = set()

    def add(channel: NotificationChannel, targets: Iterable[str], via: str) -> None:
        if not channel.is_active and not include_inactive:
            return
        for target in targets:
            if (channel.pk, target) not in seen:
                seen.add((channel.pk, target))
                found.append(Route(channel, target, via))

    if rule is not None:
        for kind in ("slack", "email"):
            notifier_class = NOTIFIERS[kind]
            targets = notifier_class().targets_for_rule(rule)
            if targets:
                add(default_channel(kind), targets, "rule")
        if rule.pk is not None:
            for channel in rule.channels.all():
                add(channel, channel_targets(channel), "rule")
    for policy in matching_policies(values):
        for channel in policy.channels.all():
            add(channel, channel_targets(channel), f"policy:{policy.pk}")
    return found


def routes_for_alert(alert: AlertHistory) -> list[Route]:
    rule = alert.rule
    return routes(rule=rule, values=routing_labels(rule=rule, alert=alert))
