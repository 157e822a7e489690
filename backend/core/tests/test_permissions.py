"""Who may do what: the groups the migration creates, and the permission each endpoint needs."""

import pytest
from django.contrib.auth.models import Group

from alerts.tests.factories import make_alert, make_rule
from core.roles import GROUP_PERMISSIONS, MANAGERS, VIEWERS
from core.testing import client_for, member_of
from monitoring.models import AIUsage, ErrorLog, MetricSample

pytestmark = pytest.mark.django_db


def test_the_migration_created_the_groups_with_their_permissions():
    for name, wanted in GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert have == set(wanted), name
    viewers = {p.codename for p in Group.objects.get(name=VIEWERS).permissions.all()}
    assert all(codename.startswith("view_") for codename in viewers)


def test_a_viewer_reads_and_changes_nothing(viewer_client):
    rule = make_rule()
    alert = make_alert(rule)

    assert viewer_client.get("/api/alerts/rules/").status_code == 200
    assert viewer_client.get(f"/api/alerts/history/{alert.pk}/").status_code == 200
    assert viewer_client.get("/api/alerts/stats/").status_code == 200
    assert viewer_client.get("/api/monitoring/overview/").status_code == 200
    response = viewer_client.patch(f"/api/alerts/rules/{rule.pk}/", {"threshold_value": 1}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert viewer_client.post(f"/api/alerts/history/{alert.pk}/resolve/", {}, format="json").status_code == 403
    assert viewer_client.post("/api/alerts/trigger/", {"rule_id": rule.pk}, format="json").status_code == 403
    assert viewer_client.post("/api/monitoring/metrics/", {"name": "orders", "value": 1},
                              format="json").status_code == 403
    rule.refresh_from_db()
    assert rule.threshold_value == 80.0
    assert alert.__class__.objects.get().status == "active"
    assert not MetricSample.objects.exists()


def test_a_user_in_no_group_may_only_see_who_they_are(nobody):
    client = client_for(nobody)

    assert client.get("/api/auth/me/").status_code == 200
    for url in ("/api/alerts/rules/", "/api/alerts/history/", "/api/alerts/stats/", "/api/alerts/metrics/",
                "/api/monitoring/overview/", "/api/monitoring/errors/"):
        assert client.get(url).status_code == 403, url


def test_a_metric_pusher_pushes_and_reads_nothing(pusher):
    client = client_for(pusher)

    assert client.post("/api/monitoring/metrics/", {"name": "orders", "value": 3}, format="json").status_code == 201
    assert client.post("/api/monitoring/ai-usage/", {"provider": "openai", "model": "gpt-4o"},
                       format="json").status_code == 201
    assert client.get("/api/monitoring/overview/").status_code == 403
    assert client.get("/api/alerts/rules/").status_code == 403
    assert client.post("/api/alerts/rules/", {}, format="json").status_code == 403
    assert MetricSample.objects.count() == AIUsage.objects.count() == 1


def test_error_bulk_delete_needs_the_delete_permission(django_user_model):
    from django.contrib.auth.models import Permission

    error = ErrorLog.objects.create(fingerprint="f", level="ERROR", message="m")
    resolver = django_user_model.objects.create_user(username="resolver")
    resolver.user_permissions.add(*Permission.objects.filter(codename__in=["view_errorlog", "change_errorlog"]))
    client = client_for(resolver)

    assert client.post("/api/monitoring/errors/bulk/", {"ids": [error.pk], "action": "delete"},
                       format="json").status_code == 403
    assert client.post("/api/monitoring/errors/bulk/", {"ids": [error.pk], "action": "resolve"},
                       format="json").json() == {"changed": 1}
    assert ErrorLog.objects.filter(resolved=True).count() == 1


def test_a_manager_changes_and_a_superuser_needs_no_group(superuser_client, django_user_model):
    manager = member_of(django_user_model.objects.create_user(username="lead"), MANAGERS)
    rule = make_rule()

    response = client_for(manager).patch(f"/api/alerts/rules/{rule.pk}/", {"threshold_value": 90}, format="json")
    assert response.status_code == 200
    assert superuser_client.delete(f"/api/alerts/rules/{rule.pk}/").status_code == 204

