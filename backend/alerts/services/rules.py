"""What people do to alert rules: create, change, switch on and off. The API and the admin both
call these; the model's validators and clean() are the rules, checked here before anything is
saved."""

from django.db import transaction
from django.utils import timezone

from ..models import AlertHistory, AlertRule, AlertStatus, NotificationEvent
from .notifications import queue_alert_notifications

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
def update_rule(*, rule: AlertRule, user=None, **fields) -> AlertRule:
    """Change some of a rule's settings; the rule as a whole must still be valid. The evaluation
    state is left to the engine, which reads the new settings at its next tick. A rule switched
    off closes its open alert: nothing would ever resolve it."""
    was_active = AlertRule.objects.filter(pk=rule.pk, is_active=True).exists()
    _assign(rule, fields)
    rule.full_clean()
    rule.save(update_fields=[*fields, "updated_at"])
    if was_active and not rule.is_active:
        close_open_alert(rule=rule, user=user, why="switched off")
    return rule


@transaction.atomic
def set_rules_active(*, rules, active: bool, user=None) -> int:
    """Switch rules on or off; returns how many changed. A rule switched off is not evaluated any
    more, and its open alert is closed."""
    ids = rules.values("pk") if hasattr(rules, "values") else [rule.pk for rule in rules]
    changing = list(AlertRule.objects.filter(pk__in=ids).exclude(is_active=active))
    AlertRule.objects.filter(pk__in=[rule.pk for rule in changing]).update(is_active=active)
    if not active:
        for rule in changing:
            close_open_alert(rule=rule, user=user, why="switched off")
    return len(changing)


@transaction.atomic
def delete_rule(*, rule: AlertRule, user=None) -> None:
    """Delete a rule. Its alert history stays (with the rule's name); an open alert is closed
    first, and its channels told, while the rule still says who they are."""
    close_open_alert(rule=rule, user=user, why="deleted")
    rule.delete()


def close_open_alert(*, rule: AlertRule, user, why: str) -> AlertHistory | None:
    """Resolve the rule's open alert, if it has one, noting that the rule was switched off or
    deleted (and by whom)."""
    alert = AlertHistory.objects.filter(rule=rule, status=AlertStatus.ACTIVE).first()
    if alert is None:
        return None
    who = user.get_username() if user is not None and user.is_authenticated else "the system"
    notes = f"Closed because the rule was {why} by {who}."
    now = timezone.now()
    closed = AlertHistory.objects.filter(pk=alert.pk, status=AlertStatus.ACTIVE).update(
        status=AlertStatus.RESOLVED, resolved_at=now,
        resolved_by=user if user is not None and user.is_authenticated else None, resolution_notes=notes,
    )
    if not closed:
        return None
    alert.refresh_from_db()
    queue_alert_notifications(alert=alert, event=NotificationEvent.RESOLVE)
    return alert
