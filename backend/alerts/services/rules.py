"""What people do to alert rules: create, change, switch on and off. The API and the admin both
call these; the model's validators and clean() are the rules, checked here before anything is
saved."""

from django.db import transaction

from ..models import AlertRule

# Written by the alert engine, never by a person.
ENGINE_FIELDS = ("state", "last_value", "last_evaluated_at", "last_error", "state_changed_at")
# Set by the system.
SYSTEM_FIELDS = ("id", "created_by", "created_at", "updated_at", *ENGINE_FIELDS)


def _assign(rule: AlertRule, fields: dict) -> None:
    for name, value in fields.items():
        if name in SYSTEM_FIELDS:
            raise ValueError(f"{name} is not set by hand")
        setattr(rule, name, value)


@transaction.atomic
def create_rule(*, user, **fields) -> AlertRule:
    """A new rule, validated in full (django.core.exceptions.ValidationError when it is not
    valid), created by `user`."""
    rule = AlertRule()
    _assign(rule, fields)
    rule.created_by = user if user is not None and user.is_authenticated else None
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def update_rule(*, rule: AlertRule, **fields) -> AlertRule:
    """Change some of a rule's settings; the rule as a whole must still be valid. The evaluation
    state is left to the engine, which reads the new settings at its next tick."""
    _assign(rule, fields)
    rule.full_clean()
    rule.save(update_fields=[*fields, "updated_at"])
    return rule


def set_rules_active(*, rules, active: bool) -> int:
    """Switch rules on or off; returns how many changed. An inactive rule is not evaluated; its
    open alert, if any, stays open until someone resolves it."""
    ids = rules.values("pk") if hasattr(rules, "values") else [rule.pk for rule in rules]
    return AlertRule.objects.filter(pk__in=ids).exclude(is_active=active).update(is_active=active)
