"""GET /api/auth/me/ names the user's permissions on alerting and telemetry, so that the dashboard
offers only what the API would allow; the API still decides."""

import pytest
from django.contrib.auth.models import Permission

from core.roles import GROUP_PERMISSIONS, MANAGERS, PUSHERS, VIEWERS
from core.serializers import PERMISSION_APPS
from core.testing import client_for

pytestmark = pytest.mark.django_db


def permissions_of(user) -> list[str]:
    response = client_for(user).get("/api/auth/me/")
    assert response.status_code == 200
    return response.json()["permissions"]


@pytest.mark.parametrize("fixture, group", [("user", MANAGERS), ("viewer", VIEWERS), ("pusher", PUSHERS)])
def test_a_group_member_gets_the_groups_permissions(request, fixture, group):
    assert permissions_of(request.getfixturevalue(fixture)) == sorted(GROUP_PERMISSIONS[group])


def test_a_viewer_may_read_and_change_nothing(viewer):
    permissions = permissions_of(viewer)

    assert "alerts.view_alertrule" in permissions
    assert "alerts.change_alertrule" not in permissions
    assert all(".view_" in p for p in permissions)


def test_a_superuser_has_every_alerting_and_telemetry_permission_and_nothing_else(superuser):
    permissions = permissions_of(superuser)

    assert {"alerts.add_alertrule", "alerts.delete_alertrule", "alerts.change_alerthistory",
            "monitoring.delete_errorlog"} <= set(permissions)
    assert all(p.split(".")[0] in PERMISSION_APPS for p in permissions)
    assert "auditlog.view_logentry" in permissions
    assert len(permissions) == Permission.objects.filter(content_type__app_label__in=PERMISSION_APPS).count()


def test_direct_permissions_count_too(nobody):
    assert permissions_of(nobody) == []

    nobody.user_permissions.add(Permission.objects.get(codename="view_errorlog"))

    assert permissions_of(nobody.__class__.objects.get(pk=nobody.pk)) == ["monitoring.view_errorlog"]


def test_login_answers_with_the_permissions_too(client, viewer):
    response = client.post("/api/auth/login/", {"username": "watcher", "password": "pw-watcher-1"},
                           content_type="application/json")

    assert response.status_code == 200
    assert response.json()["permissions"] == sorted(GROUP_PERMISSIONS[VIEWERS])


def test_me_costs_a_constant_number_of_queries(django_assert_max_num_queries, user):
    client = client_for(user)
    client.get("/api/auth/me/")  # token and content types warm

    # The token with its user, and the user's own and group permissions.
    with django_assert_max_num_queries(4):
        assert client.get("/api/auth/me/").status_code == 200
