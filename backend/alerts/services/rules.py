"""What people do to alert rules: create, change, switch on and off. The API and the admin both
call these; the model's validators and clean() are the rules, checked here before anything is
saved."""

from django.db import transaction

from core import audit

from ..models import AlertRule
from .lifecycle import close_for_rule

# Written by the alert engine, never by a person.
ENGINE_FIELDS = ("state", "state_reason", "last_value", "last_evaluated_at", "last_error", "state_changed_at")
# Set by the system.
SYSTEM_FIELDS = ("id", "created_by", "created_at", "updated_at", *ENGINE_FIELDS)
# Many-to-many fields: set once the rule is saved.
RELATED_FIELDS = ("channels",)


def _assign(rule: AlertRule, fields: dict) -> None:
    for name, value in fields.items():
        if name in SYSTEM_FIELDS:
            raise ValueError(f"{name} is not set by hand")
        setattr(rule, name, value)


@transaction.atomic
def create_rule(*, user, **fields) -> AlertRule:
    """A new rule, validated in full (django.core.exceptions.ValidationError when it is not
    valid), created by `user`."""
    related = {name: fields.pop(name) for name in RELATED_FIELDS if name in fields}
    rule = AlertRule()
    _assign(rule, fields)
    rule.created_by = user if user is not None and user.is_authenticated else None
    rule.full_clean()
    rule.save()
    _assign_related(rule, related)
    return rule


def _assign_related(rule: AlertRule, related: dict) -> None:
    if "channels" in related:
        rule.channels.set(related["channels"] or [])


@transaction.atomic
def update_rule(*, rule: AlertRule, user=None, via: str = "api", **fields) -> AlertRule:
    """Change some of a rule's settings; the rule as a whole must still be valid. The evaluation
    state is left to the engine, which reads the new settings at its next tick. A rule switched
    off closes its open alert: nothing would ever resolve it."""
    was_active = AlertRule.objects.filter(pk=rule.pk, is_active=True).exists()
    related = {name: fields.pop(name) for name in RELATED_FIELDS if name in fields}
    _assign(rule, fields)
    rule.full_clean()
    rule.save(update_fields=[*fields, "updated_at"])
    _assign_related(rule, related)
    if was_active and not rule.is_active:
        close_for_rule(rule=rule, user=user, why="switched off", via=via)
    return rule


@transaction.atomic
def set_rules_active(*, rules, active: bool, user=None, via: str = "api") -> int:
    """Switch rules on or off; returns how many changed. A rule switched off is not evaluated any
    more, and its open alert is closed."""
    ids = rules.values("pk") if hasattr(rules, "values") else [rule.pk for rule in rules]
    changing = list(AlertRule.objects.filter(pk__in=ids).exclude(is_active=active))
    AlertRule.objects.filter(pk__in=[rule.pk for rule in changing]).update(is_active=active)
    for rule in changing:
        rule.is_active = active
        audit.record_update(rule, {"is_active": (not active, active)})
    if not active:
        for rule in changing:
            close_for_rule(rule=rule, user=user, why="switched off", via=via)
    return len(changing)


@transaction.atomic
def delete_rule(*, rule: AlertRule, user=None, via: str = "api") -> None:
    """Delete a rule. Its alert history stays (with the rule's name); an open alert is closed
    first, and its channels told, while the rule still says who they are."""
    close_for_rule(rule=rule, user=user, why="deleted", via=via)
    rule.delete()
