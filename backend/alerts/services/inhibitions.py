"""Inhibition rules (docs/architecture.md §10): while an open alert matching a rule's source
matchers fires, an alert matching its target matchers, with the same values of every label the
rule names in `equal`, is not notified (notifications.queue_alert_notifications asks
`inhibitions_for` after the silences; each delivery is written as skipped with the reason).

Matching is over the values a policy's matchers see (channels.routing_labels): the alert's labels
and its severity, category, metric and rule. A label missing on both alerts counts as equal, as in
Alertmanager. An alert never inhibits itself, and, as in Alertmanager, an alert matching both a
rule's source and target matchers is not inhibited through that rule by another alert that also
matches both (two such alerts would otherwise silence each other).

When the source resolves, an inhibited target is not notified at once: its next reminder (or its
resolve) goes out as usual, if nothing inhibits it then.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from monitoring.labels import Matcher, describe, matches_all, parse_matchers

from ..models import AlertHistory, AlertStatus, InhibitionRule
from .channels import routing_labels


@dataclass(frozen=True)
class Rule:
    """An active inhibition rule, as matching needs it."""

    pk: int
    name: str
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]

    def same(self, a: Mapping[str, str], b: Mapping[str, str]) -> bool:
        return all(a.get(name, "") == b.get(name, "") for name in self.equal)


@dataclass(frozen=True)
class Source:
    """An open alert, as a possible source of inhibition."""

    pk: int
    values: Mapping[str, str]
    title: str  # "Database down {service="api"}"


@dataclass(frozen=True)
class Inhibition:
    source: Source
    rule: Rule

    @property
    def reason(self) -> str:
        """What a skipped delivery says: "Inhibited by alert #7 (Database down {service="api"}) through
        inhibition rule #2: database down mutes the API"."""
        return f"Inhibited by alert #{self.source.pk} ({self.source.title}) through inhibition rule " \
               f"#{self.rule.pk}: {self.rule.name}"


def active_rules() -> list[Rule]:
    """Every active inhibition rule: one query."""
    return [
        Rule(rule.pk, rule.name, parse_matchers(rule.source_matchers), parse_matchers(rule.target_matchers),
             tuple(rule.equal or ()))
        for rule in InhibitionRule.objects.filter(is_active=True).order_by("pk")
    ]


def open_sources(rules: Iterable[Rule]) -> list[Source]:
    """The open alerts matching the source matchers of any of `rules`: one query, none without rules."""
    rules = list(rules)
    if not rules:
        return []
    found = []
    alerts = (AlertHistory.objects.filter(status=AlertStatus.ACTIVE)
              .only("id", "labels", "group_labels", "severity", "metric_name", "rule_name").order_by("pk"))
    for alert in alerts:
        values = routing_labels(alert=alert)
        if any(matches_all(values, rule.source) for rule in rules):
            group = alert.group_labels if isinstance(alert.group_labels, dict) else {}
            title = " ".join(part for part in (alert.rule_name, describe(group)) if part)
            found.append(Source(alert.pk, values, title))
    return found


def inhibitions(values: Mapping[str, str], alert_id: int | None, rules: Iterable[Rule],
                sources: Iterable[Source]) -> list[Inhibition]:
    """What inhibits an alert whose routing values are `values`, rule by rule, oldest source first."""
    sources = list(sources)
    found = []
    for rule in rules:
        if not matches_all(values, rule.target):
            continue
        both = matches_all(values, rule.source)
        for source in sources:
            if source.pk == alert_id or not matches_all(source.values, rule.source):
                continue
            if both and matches_all(source.values, rule.target):
                continue
            if rule.same(values, source.values):
                found.append(Inhibition(source, rule))
    return found


def inhibitions_for(alert: AlertHistory) -> list[Inhibition]:
    """What inhibits `alert` now: one query for the active rules, and one for the open alerts that
    may be sources only when there are active rules."""
    rules = active_rules()
    if not rules:
        return []
    values = routing_labels(alert=alert, rule=alert.rule)
    if not any(matches_all(values, rule.target) for rule in rules):
        return []
    return inhibitions(values, alert.pk, rules, open_sources(rules))


def inhibited_by(alert: AlertHistory, rules: Iterable[Rule], sources: Iterable[Source]) -> list[int]:
    """The ids of the open alerts inhibiting an open alert (the API's `inhibited_by`). Reads the
    alert's own fields only: no query per alert."""
    if alert.status != AlertStatus.ACTIVE:
        return []
    found = inhibitions(routing_labels(alert=alert), alert.pk, rules, sources)
    return sorted({inhibition.source.pk for inhibition in found})
