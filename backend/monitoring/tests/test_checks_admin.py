"""Checks in the admin: listed, changed through the checks service (a rename moves the default
rule), validated as the API validates them; their results read-only."""

import pytest

from alerts.models import AlertRule
from monitoring.checks import service
from monitoring.models import Check, CheckResult

pytestmark = pytest.mark.django_db


def form_data(check: Check, **changes) -> dict:
    data = {
        "name": check.name, "kind": check.kind, "interval_seconds": check.interval_seconds,
        "timeout_seconds": check.timeout_seconds, "url": check.url, "method": check.method, "headers": "{}",
        "expected_status": check.expected_status, "body_contains": check.body_contains, "host": check.host,
        "port": check.port or "", "period_seconds": check.period_seconds, "grace_seconds": check.grace_seconds,
        "cron": check.cron, "time_zone": check.time_zone, "is_active": "on", "follow_redirects": "on",
        "verify_tls": "on",
    }
    data.update(changes)
    return data


def test_checks_and_results_are_listed(admin_client):
    check = service.create_check(name="primary db", kind="tcp", host="db", port=5432)
    CheckResult.objects.create(check_ref=check, up=False, error="db:5432 refused the connection.")
    assert b"primary db" in admin_client.get("/admin/monitoring/check/").content
    assert admin_client.get(f"/admin/monitoring/check/{check.pk}/change/").status_code == 200
    assert b"refused the connection" in admin_client.get("/admin/monitoring/checkresult/").content
    assert admin_client.get("/admin/monitoring/checkresult/add/").status_code == 403


def test_a_rename_in_the_admin_moves_the_default_rule(admin_client):
    check = service.create_check(name="primary db", kind="tcp", host="db", port=5432)
    response = admin_client.post(f"/admin/monitoring/check/{check.pk}/change/", form_data(check, name="main db"))
    assert response.status_code == 302, response.content[:2000]
    assert check.rule_id is not None
    rule = AlertRule.objects.get(pk=check.rule_id)
    assert rule.name == "main db is down" and rule.label_matchers[0]["value"] == "main db"


def test_the_admin_refuses_what_the_api_refuses(admin_client):
    check = service.create_check(name="backup", kind="heartbeat", create_rule=False)
    response = admin_client.post(f"/admin/monitoring/check/{check.pk}/change/",
                                 form_data(check, cron="every night", time_zone="Mars/Olympus"))
    assert response.status_code == 200
    assert b"Not a cron expression" in response.content and b"Not a known time zone" in response.content
    check.refresh_from_db()
    assert check.cron == ""


def test_deleting_in_the_admin_deletes_the_rule(admin_client):
    check = service.create_check(name="primary db", kind="tcp", host="db", port=5432)
    assert check.rule_id is not None
    admin_client.post(f"/admin/monitoring/check/{check.pk}/delete/", {"post": "yes"})
    assert not Check.objects.exists() and not AlertRule.objects.filter(pk=check.rule_id).exists()
