"""The minimal admin: rules with comma-separated recipients, read-only deliveries."""

import pytest

from alerts.models import AlertHistory, AlertRule, NotificationDelivery

from .factories import make_alert, make_delivery, make_rule

pytestmark = pytest.mark.django_db

RULE_FORM = {
    "name": "High CPU Usage", "description": "", "kind": "metric", "metric_name": "cpu_usage", "condition": "gt",
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
        {**RULE_FORM, "time_window_minutes": "61", "email_recipients": "dev@", "metric_name": "No such metric"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "The time window must be between 1 and 60 minutes." in content
    assert "&#x27;dev@&#x27; is not a valid email address." in content
    assert "is not a metric name" in content
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


# --- actions: the same services as the API ---------------------------------------------------------


def changelist_action(admin_client, url, action, objects, **extra):
    return admin_client.post(url, {"action": action, "_selected_action": [o.pk for o in objects], **extra},
                             follow=True)


def test_rules_are_activated_and_deactivated(admin_client):
    on, off = make_rule(name="on"), make_rule(name="off", is_active=False)

    changelist_action(admin_client, "/admin/alerts/alertrule/", "deactivate", [on, off])
    assert not AlertRule.objects.filter(is_active=True).exists()
    response = changelist_action(admin_client, "/admin/alerts/alertrule/", "activate", [on, off])
    assert AlertRule.objects.filter(is_active=True).count() == 2
    assert "2 rule(s) activated." in response.content.decode()


def test_send_test_reaches_each_channel_of_the_rule(admin_client, slack_server, smtp_server):
    rule = make_rule(slack_enabled=True, slack_channel="#ops", email_enabled=True,
                     email_recipients=["a@resee.com", "b@resee.com"])
    quiet = make_rule(name="Quiet")

    response = changelist_action(admin_client, "/admin/alerts/alertrule/", "send_test", [rule, quiet])

    content = response.content.decode()
    assert [r.json["channel"] for r in slack_server.requests] == ["#ops"]
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@resee.com", "b@resee.com"]
    assert "High CPU Usage: sent: Test message sent to #ops." in content
    assert "Quiet: no channel enabled, nothing sent." in content
    assert NotificationDelivery.objects.filter(event="test").count() == 3


def test_bulk_resolve_asks_for_a_note_then_resolves_as_the_api_does(admin_client, admin_user, queued_tasks):
    rule = make_rule(email_enabled=True, email_recipients=["ops@resee.com"])
    first, second = make_alert(rule), make_alert(make_rule(name="Other"))
    done = make_alert(make_rule(name="Done"), status="resolved")
    selected = [first, second, done]

    page = changelist_action(admin_client, "/admin/alerts/alerthistory/", "resolve_selected", selected)
    assert page.status_code == 200
    assert "These 2 active alerts will be resolved" in page.content.decode()
    assert AlertHistory.objects.filter(status="active").count() == 2

    response = changelist_action(admin_client, "/admin/alerts/alerthistory/", "resolve_selected", selected,
                                 apply="1", notes="Failover finished")

    assert "2 alert(s) resolved." in response.content.decode()
    for alert in (first, second):
        alert.refresh_from_db()
        assert (alert.status, alert.resolved_by, alert.resolution_notes) == (
            "resolved", admin_user, "Failover finished")
    assert NotificationDelivery.objects.get(alert=first).event == "resolve"
    done.refresh_from_db()
    assert done.resolution_notes == ""


def test_deliveries_show_their_errors(admin_client):
    make_delivery(status="failed", last_error="Slack answered HTTP 404: channel_not_found")

    assert "channel_not_found" in admin_client.get("/admin/alerts/notificationdelivery/").content.decode()


def test_error_logs_are_searched_and_resolved_in_bulk(admin_client):
    from monitoring.models import ErrorLog

    disk = ErrorLog.objects.create(fingerprint="1", level="CRITICAL", message="disk full", exception_type="OSError")
    ErrorLog.objects.create(fingerprint="2", level="ERROR", message="payment declined")

    found = admin_client.get("/admin/monitoring/errorlog/", {"q": "oserror"}).content.decode()
    assert "disk full" in found and "payment declined" not in found
    changelist_action(admin_client, "/admin/monitoring/errorlog/", "resolve", [disk])
    disk.refresh_from_db()
    assert disk.resolved and disk.resolved_at
    assert admin_client.get("/admin/monitoring/errorlog/add/").status_code == 403
