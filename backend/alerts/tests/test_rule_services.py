"""Switching a rule off or deleting it closes its open alert, tells its channels, and keeps the
history."""

import pytest

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import rules

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user("oncall")


def resolve_deliveries():
    return sorted(NotificationDelivery.objects.filter(event="resolve").values_list("channel", "target"))


def firing_rule():
    rule = make_rule(slack_enabled=True, email_enabled=True, email_recipients=["ops@resee.com"])
    return rule, make_alert(rule=rule)


def test_switching_a_rule_off_closes_its_open_alert(person):
    rule, alert = firing_rule()

    rules.update_rule(rule=rule, user=person, is_active=False)

    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by) == ("resolved", person)
    assert alert.resolution_notes == "Closed because the rule was switched off by oncall."
    assert resolve_deliveries() == [("email", "ops@resee.com"), ("slack", "#alerts")]


def test_changing_other_fields_leaves_the_alert_open(person):
    rule, alert = firing_rule()

    rules.update_rule(rule=rule, user=person, threshold_value=99)

    alert.refresh_from_db()
    assert alert.status == "active"
    assert resolve_deliveries() == []


def test_switching_many_off_at_once(person):
    firing_rule()
    firing_rule()
    quiet = make_rule(is_active=False)

    changed = rules.set_rules_active(rules=AlertRule.objects.all(), active=False, user=person)

    assert changed == 2
    assert set(AlertHistory.objects.values_list("status", flat=True)) == {"resolved"}
    assert rules.set_rules_active(rules=AlertRule.objects.filter(pk=quiet.pk), active=True) == 1


def test_deleting_a_rule_keeps_its_history_and_closes_the_open_alert(person):
    rule, alert = firing_rule()
    old = make_alert(rule=rule, status="resolved")
    name = rule.name

    rules.delete_rule(rule=rule, user=person)

    assert not AlertRule.objects.exists()
    assert set(AlertHistory.objects.values_list("rule_name", "status")) == {(name, "resolved")}
    alert.refresh_from_db()
    assert alert.resolution_notes == "Closed because the rule was deleted by oncall."
    assert alert.rule is None
    old.refresh_from_db()
    assert (old.rule, old.rule_name, old.status) == (None, name, "resolved")
    assert resolve_deliveries() == [("email", "ops@resee.com"), ("slack", "#alerts")]


def test_the_api_delete_keeps_the_history(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    rule, alert = firing_rule()

    response = client.delete(f"/api/alerts/rules/{rule.pk}/")

    assert response.status_code == 204
    detail = client.get(f"/api/alerts/history/{alert.pk}/").json()
    assert (detail["rule"], detail["rule_name"], detail["status"]) == (None, rule.name, "resolved")
