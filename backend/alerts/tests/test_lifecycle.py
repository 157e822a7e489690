"""The lifecycle module is the one writer of alert changes: the engine, the API, the admin and the
rule services all open and resolve alerts through it, and nothing else writes an alert's status."""

import ast
from pathlib import Path

import pytest
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import lifecycle

from .factories import make_alert, make_rule
from .test_admin import RULE_FORM

pytestmark = pytest.mark.django_db

ALERTS_APP = Path(__file__).resolve().parents[1]
# The fields whose change is an alert's lifecycle; only alerts have the last four.
ALERT_ONLY_FIELDS = {"resolved_at", "resolved_by", "resolution_notes", "reminded_at"}


def _writers_outside_lifecycle() -> list[str]:
    """`AlertHistory.objects.create(...)` and `.update(status=..., ...)` calls in the app's code
    (not its tests or migrations) outside lifecycle.py."""
    found = []
    for path in sorted(ALERTS_APP.rglob("*.py")):
        relative = path.relative_to(ALERTS_APP)
        if relative.parts[0] in ("tests", "migrations") or path.name == "lifecycle.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            source = ast.unparse(node.func)
            if source == "AlertHistory.objects.create":
                found.append(f"{relative}:{node.lineno} {source}")
            elif node.func.attr == "update" and (
                ALERT_ONLY_FIELDS & {k.arg for k in node.keywords}
                or ("AlertHistory" in source and "status" in {k.arg for k in node.keywords})
            ):
                found.append(f"{relative}:{node.lineno} update({', '.join(k.arg or '**' for k in node.keywords)})")
    return found


def test_no_code_but_the_lifecycle_module_opens_or_resolves_alerts():
    assert _writers_outside_lifecycle() == []


def test_the_writer_scan_finds_a_write_where_there_is_one(tmp_path, monkeypatch):
    """The scan above can fail: a module that resolves alerts itself is found."""
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "rogue.py").write_text(
        "def close(alert):\n"
        "    AlertHistory.objects.filter(pk=alert.pk).update(status='resolved')\n"
        "    AlertHistory.objects.create(rule=None)\n"
        "    alerts.update(resolution_notes='x')\n"
        "    deliveries.update(status='sent')\n"
    )
    monkeypatch.setattr(f"{__name__}.ALERTS_APP", tmp_path)

    assert _writers_outside_lifecycle() == [
        "services/rogue.py:2 update(status)",
        "services/rogue.py:3 AlertHistory.objects.create",
        "services/rogue.py:4 update(resolution_notes)",
    ]


def test_a_person_resolves_once_and_the_second_is_refused(admin_user, queued_tasks):
    alert = make_alert(make_rule(email_enabled=True, email_recipients=["oncall@resee.com"]))

    resolved = lifecycle.resolve_by_person(alert=alert, user=admin_user, notes="Restarted the worker")

    assert (resolved.status, resolved.resolved_by, resolved.resolution_notes) == (
        "resolved", admin_user, "Restarted the worker")
    assert resolved.last_value == 91.5  # a person's resolve keeps the last measured value
    with pytest.raises(lifecycle.AlertAlreadyResolved):
        lifecycle.resolve_by_person(alert=alert, user=admin_user, notes="again")
    assert list(NotificationDelivery.objects.values_list("event", flat=True)) == ["resolve"]


def test_the_system_resolve_records_the_value_and_no_person(queued_tasks):
    alert = make_alert()

    assert lifecycle.resolve_by_system(alert=alert, now=timezone.now(), value=42.0, notes="back to normal")
    assert not lifecycle.resolve_by_system(alert=alert, now=timezone.now(), value=41.0, notes="again")

    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by, alert.last_value, alert.resolution_notes) == (
        "resolved", None, 42.0, "back to normal")


def test_opening_a_second_alert_for_a_rule_is_refused_with_the_open_one():
    rule = make_rule()
    first = lifecycle.open_alert(rule=rule, now=timezone.now(), message="m", context={"x": float("inf")}, value=95.0)

    with pytest.raises(lifecycle.AlertAlreadyActive) as error:
        lifecycle.open_alert(rule=rule, now=timezone.now(), message="m", context={}, value=96.0)

    assert error.value.alert_id == first.pk
    assert AlertHistory.objects.get().context == {"x": None}  # nothing stored that JSON cannot hold


def test_the_admin_switching_a_rule_off_closes_its_alert_through_the_rule_services(admin_client, queued_tasks):
    rule = make_rule(name="High CPU Usage", email_enabled=True, email_recipients=["dev@resee.com"])
    alert = make_alert(rule)
    form = {**RULE_FORM}
    del form["is_active"]

    response = admin_client.post(f"/admin/alerts/alertrule/{rule.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.resolution_notes == "Closed because the rule was switched off by admin."
    assert NotificationDelivery.objects.filter(alert=alert, event="resolve").exists()
    assert AlertRule.objects.get().is_active is False


def test_the_admin_saving_a_rule_leaves_its_open_alert_alone_when_it_stays_on(admin_client, queued_tasks):
    rule = make_rule(name="High CPU Usage")
    alert = make_alert(rule)

    response = admin_client.post(f"/admin/alerts/alertrule/{rule.pk}/change/", {**RULE_FORM, "threshold_value": "85"})

    assert response.status_code == 302, response.content.decode()[:2000]
    alert.refresh_from_db()
    rule.refresh_from_db()
    assert (alert.status, rule.threshold_value) == ("active", 85.0)
