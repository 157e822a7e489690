"""The default rule of a check (monitoring/checks/): an ordinary rule, "<name> is down", on the
check's check_up series (label matcher check=<name>), firing when the check was down on 2
consecutive runs: the max of check_up over a window covering two runs is below 1. All routing,
on-call and annotation features apply to it as to any rule; it may be changed like any other.
Registered with monitoring by alerts/apps.py."""

import math

from django.core.exceptions import ValidationError

from monitoring.checks.service import HEARTBEAT_EVALUATION_SECONDS
from monitoring.models import Check, CheckKind

from ..models import AlertRule
from . import rules

RUNS = 2


def window_minutes(check: Check) -> int:
    """The window covering RUNS runs of the check (a heartbeat is looked at every minute); at most
    60 minutes, so a check run less often than every half hour fires on one run down."""
    every = HEARTBEAT_EVALUATION_SECONDS if check.kind == CheckKind.HEARTBEAT else check.interval_seconds
    return max(1, min(60, math.ceil(RUNS * every / 60)))


def _matchers(name: str) -> list[dict]:
    return [{"label": "check", "op": "=", "value": name}]


class DefaultCheckRules:
    def create(self, check: Check, *, user) -> int:
        try:
            rule = rules.create_rule(
                user=user, name=f"{check.name} is down"[:200],
                description=(
                    f"Made with the {check.get_kind_display()} check {check.name!r}: down on {RUNS} consecutive runs."
                ),
                metric_name="check_up", condition="lt", threshold_value=1.0, time_window_minutes=window_minutes(check),
                aggregation="max", severity="high", label_matchers=_matchers(check.name),
            )
        except ValidationError as error:
            raise ValueError("; ".join(error.messages)) from None
        return rule.pk

    def renamed(self, check: Check, *, old_name: str) -> None:
        rule = AlertRule.objects.filter(pk=check.rule_id).first() if check.rule_id else None
        if rule is None or rule.label_matchers != _matchers(old_name):
            return  # deleted, or changed by hand: left as it is
        fields: dict = {"label_matchers": _matchers(check.name)}
        if rule.name == f"{old_name} is down"[:200]:
            fields["name"] = f"{check.name} is down"[:200]
        rules.update_rule(rule=rule, **fields)

    def deleted(self, check: Check, *, user) -> None:
        rule = AlertRule.objects.filter(pk=check.rule_id).first() if check.rule_id else None
        if rule is not None:
            rules.delete_rule(rule=rule, user=user)
