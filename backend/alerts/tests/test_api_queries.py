"""Every list endpoint costs the same number of queries for 1 item as for 50."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import InhibitionRule, MaintenanceWindow, NotificationChannel, NotificationPolicy, Silence
from core import audit
from monitoring.models import Check, CheckResult, DataSource, ErrorLog
from monitoring.services import create_push_token

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db


def add_rules(n, offset):
    for i in range(n):
        rule = make_rule(name=f"rule {offset + i}")
        make_alert(rule)


def add_alerts(n, offset, user):
    rule = make_rule(name=f"history {offset}")
    for _ in range(n):
        alert = make_alert(rule, status="resolved", resolved_by=user)
        make_delivery(alert=alert)


def add_errors(n, offset, user):
    now = timezone.now()
    for i in range(n):
        ErrorLog.objects.create(fingerprint=f"{offset}-{i}", level="ERROR", message="m", user=user, first_seen=now,
                                last_seen=now)


def add_push_tokens(n, offset, user):
    for i in range(n):
        create_push_token(f"token {offset + i}", created_by=user)


def add_data_sources(n, offset, user):
    for i in range(n):
        DataSource.objects.create(name=f"source {offset + i}", base_url="http://prometheus:9090",
                                  secrets={"bearer_token": f"token-{offset + i}"})


def add_checks(n, offset, user):
    for i in range(n):
        check = Check.objects.create(name=f"check {offset + i}", kind="tcp", host="db", port=5432)
        CheckResult.objects.bulk_create([
            CheckResult(check_ref=check, at=timezone.now() - timedelta(minutes=m), up=m % 4 != 0) for m in range(35)
        ])


def add_channels(n, offset, user):
    for i in range(n):
        NotificationChannel.objects.create(kind="slack", name=f"workspace {offset + i}",
                                           secrets={"webhook_url": f"https://hooks.example.com/{offset + i}"})


def add_policies(n, offset, user):
    channel = NotificationChannel.objects.get_or_create(kind="slack", name="policy target")[0]
    for i in range(n):
        policy = NotificationPolicy.objects.create(name=f"policy {offset + i}", position=offset + i,
                                                   matchers=[{"label": "team", "op": "=", "value": str(i)}])
        policy.channels.set([channel])


def add_silences(n, offset, user):
    now = timezone.now()
    for i in range(n):
        Silence.objects.create(matchers=[{"label": "team", "op": "=", "value": str(offset + i)}], starts_at=now,
                               ends_at=now + timedelta(hours=1 + i), comment=f"silence {offset + i}", created_by=user)


def add_maintenance_windows(n, offset, user):
    for i in range(n):
        MaintenanceWindow.objects.create(
            matchers=[{"label": "team", "op": "=", "value": str(offset + i)}], weekdays=[i % 7],
            start_time=time(2, 0), end_time=time(4, 0), time_zone="Europe/Berlin", comment=f"window {offset + i}",
            created_by=user,
        )


def add_silenced_alerts(n, offset, user):
    """Open alerts with active silences and windows matching them: `silenced_by` costs the same."""
    add_silences(3, offset, user)
    add_maintenance_windows(3, offset, user)
    rule = make_rule(name=f"silenced {offset}", labels={"team": str(offset)})
    for i in range(n):  # one open alert per group of the rule
        make_alert(rule, labels={"team": str(offset)}, group_fingerprint=str(i))


def add_inhibition_rules(n, offset, user):
    for i in range(n):
        InhibitionRule.objects.create(
            name=f"inhibition {offset + i}", source_matchers=[{"label": "team", "op": "=", "value": str(offset + i)}],
            target_matchers=[{"label": "team", "op": "!=", "value": str(offset + i)}], equal=["service"],
            created_by=user,
        )


def add_inhibited_alerts(n, offset, user):
    """Open alerts inhibited by an open source alert through active rules: `inhibited_by` costs the same."""
    add_inhibition_rules(3, offset, user)
    source = make_rule(name=f"source {offset}", labels={"team": str(offset), "service": "api"})
    make_alert(source, labels={"team": str(offset), "service": "api"})
    rule = make_rule(name=f"inhibited {offset}", labels={"team": "other", "service": "api"})
    for i in range(n):  # one open alert per group of the rule
        make_alert(rule, labels={"team": "other", "service": "api"}, group_fingerprint=str(i))


def add_audit_entries(n, offset, user):
    with audit.acting(audit.DASHBOARD, user=user):
        for i in range(n):
            make_rule(name=f"audited {offset + i}")


def add_api_tokens(n, offset, user):
    from core.tokens import create_token

    for i in range(n):
        create_token(user, f"token {offset + i}")


LISTS = {
    "/api/alerts/rules/": lambda n, offset, user: add_rules(n, offset),
    "/api/alerts/history/": add_alerts,
    "/api/monitoring/errors/": add_errors,
    "/api/monitoring/push-tokens/": add_push_tokens,
    "/api/monitoring/data-sources/": add_data_sources,
    "/api/monitoring/checks/": add_checks,
    "/api/alerts/channels/": add_channels,
    "/api/alerts/policies/": add_policies,
    "/api/alerts/silences/": add_silences,
    "/api/alerts/maintenance-windows/": add_maintenance_windows,
    "/api/alerts/inhibition-rules/": add_inhibition_rules,
    "/api/auth/tokens/": add_api_tokens,
    "/api/audit/": add_audit_entries,
}


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", list(LISTS))
def test_a_list_costs_the_same_for_1_item_and_for_50(auth_client, user, url):
    # Rows that are always there (the default channels).
    always = len(auth_client.get(url, {"page_size": 100}).json()["results"])
    LISTS[url](1, 0, user)
    queries(auth_client, url)  # warm: user permissions, content types
    one = queries(auth_client, url)
    assert len(auth_client.get(url).json()["results"]) == always + 1

    LISTS[url](49 - always, 1, user)
    fifty = queries(auth_client, url)

    assert len(auth_client.get(url, {"page_size": 100}).json()["results"]) == 50
    assert one == fifty


def test_the_history_s_silenced_by_costs_the_same_for_1_alert_and_for_50(auth_client, user):
    add_silenced_alerts(1, 0, user)
    queries(auth_client, "/api/alerts/history/")
    one = queries(auth_client, "/api/alerts/history/")
    add_silenced_alerts(49, 100, user)

    fifty = queries(auth_client, "/api/alerts/history/")

    results = auth_client.get("/api/alerts/history/", {"page_size": 100}).json()["results"]
    assert len(results) == 50 and all(alert["silenced_by"]["silences"] for alert in results)
    assert one == fifty


def test_the_history_s_inhibited_by_costs_the_same_for_1_alert_and_for_50(auth_client, user):
    add_inhibited_alerts(1, 0, user)
    queries(auth_client, "/api/alerts/history/")
    one = queries(auth_client, "/api/alerts/history/")
    add_inhibited_alerts(48, 100, user)

    fifty = queries(auth_client, "/api/alerts/history/")

    results = auth_client.get("/api/alerts/history/", {"page_size": 100}).json()["results"]
    inhibited = [alert for alert in results if alert["rule_name"].startswith("inhibited")]
    assert len(inhibited) == 49 and all(alert["inhibited_by"] for alert in inhibited)
    assert one == fifty


def test_every_list_endpoint_is_measured():
    """A new paginated list must be added to LISTS above."""
    from django.urls import get_resolver
    from rest_framework.mixins import ListModelMixin

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    lists = set()
    for route, callback in walk(get_resolver().url_patterns):
        actions = getattr(callback, "actions", None) or {}
        if actions.get("get") == "list" and issubclass(callback.cls, ListModelMixin):
            lists.add("/" + route.replace("^", "").replace("$", ""))
    assert lists == set(LISTS)
