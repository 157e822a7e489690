"""POST /api/alerts/trigger/: fire a rule's alert now, by hand."""

import pytest

from alerts.models import AlertHistory, NotificationDelivery

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

TRIGGER = "/api/alerts/trigger/"


def test_fires_the_rule_marked_manual_and_notifies_its_channels(auth_client, queued_tasks,
                                                                  django_capture_on_commit_callbacks):
    rule = make_rule(slack_enabled=True, email_enabled=True, email_recipients=["ops@resee.com"])

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(TRIGGER, {"rule_id": rule.pk, "message": "Drill: failover test"}, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    alert = AlertHistory.objects.get()
    assert data["id"] == alert.pk
    assert (data["manual"], data["status"], data["rule"], data["message"]) == (
        True, "active", rule.pk, "Drill: failover test")
    assert data["context"]["triggered_by"] == "oncall"
    assert sorted(d["target"] for d in data["deliveries"]) == ["#alerts", "ops@resee.com"]
    assert NotificationDelivery.objects.filter(alert=alert, event="trigger").count() == 2
    assert len(queued_tasks) == 2


def test_without_a_message(auth_client, queued_tasks):
    response = auth_client.post(TRIGGER, {"rule_id": make_rule().pk}, format="json")

    assert response.status_code == 201
    assert response.json()["message"] == "Triggered by hand by oncall"


def test_an_unknown_rule_is_a_404(auth_client):
    response = auth_client.post(TRIGGER, {"rule_id": 4242}, format="json")

    assert response.status_code == 404
    assert not AlertHistory.objects.exists()


def test_an_active_alert_is_a_409_with_its_id(auth_client):
    rule = make_rule()
    alert = make_alert(rule)

    response = auth_client.post(TRIGGER, {"rule_id": rule.pk}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": f"This rule already has an active alert ({alert.pk}).",
                               "alert_id": alert.pk}
    assert AlertHistory.objects.count() == 1


@pytest.mark.parametrize("body", [{}, {"rule_id": "abc"}, {"rule_id": True}, {"rule_id": 0}, {"rule_id": None},
                                  {"rule_id": 10**30}, {"rule_id": 1, "message": "x" * 2001}])
def test_bad_input_is_a_400(auth_client, body):
    response = auth_client.post(TRIGGER, body, format="json")

    assert response.status_code == 400
    assert not AlertHistory.objects.exists()
