"""The minimal admin: rules with comma-separated recipients, read-only deliveries."""

import pytest

from alerts.models import AlertRule

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db

RULE_FORM = {
    "name": "High CPU Usage", "description": "", "metric_name": "cpu_usage", "condition": "gt",
    "threshold_value": "80", "time_window_minutes": "5", "aggregation": "", "severity": "high",
    "slack_channel": "#system-alerts", "email_enabled": "on", "email_recipients": "dev@resee.com, ops@resee.com",
    "cooldown_minutes": "60", "auto_resolve": "on", "notify_on_resolve": "on", "resolve_threshold": "",
    "max_alerts_per_hour": "10", "is_active": "on",
}


def test_a_rule_is_created_with_comma_separated_recipients(admin_client, admin_user):
    response = admin_client.post("/admin/alerts/alertrule/add/", RULE_FORM)

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AlertRule.objects.get()
    assert rule.email_recipients == ["dev@resee.com", "ops@resee.com"]
    assert rule.created_by == admin_user


def test_the_admin_shows_field_errors(admin_client):
    response = admin_client.post(
        "/admin/alerts/alertrule/add/",
        {**RULE_FORM, "time_window_minutes": "61", "email_recipients": "dev@", "metric_name": "nope"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "The time window must be between 1 and 60 minutes." in content
    assert "&#x27;dev@&#x27; is not a valid email address." in content
    assert "Unknown metric" in content
    assert AlertRule.objects.count() == 0


def test_history_and_deliveries_are_listed(admin_client):
    alert = make_alert(make_rule(name="Listed rule"))
    make_delivery(alert=alert, target="listed@resee.com", last_error="boom")

    assert b"Listed rule" in admin_client.get("/admin/alerts/alerthistory/").content
    assert b"listed@resee.com" in admin_client.get("/admin/alerts/notificationdelivery/").content


def test_deliveries_are_read_only(admin_client):
    delivery = make_delivery()

    assert admin_client.get("/admin/alerts/notificationdelivery/add/").status_code == 403
    response = admin_client.post(f"/admin/alerts/notificationdelivery/{delivery.pk}/change/", {"status": "failed"})
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "sent"
