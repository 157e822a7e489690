"""/api/alerts/rules/: the product document's examples, CRUD, filters, the evaluation state."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts.models import AlertRule
from alerts.services.alert_engine import EVALUATIONS_CACHE_KEY

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

RULES = "/api/alerts/rules/"

# The product document's example bodies, verbatim.
HIGH_CPU = {
    "name": "High CPU Usage",
    "metric_name": "cpu_usage",
    "condition": "gt",
    "threshold_value": 80.0,
    "time_window_minutes": 5,
    "severity": "high",
    "slack_enabled": True,
    "slack_channel": "#system-alerts",
    "email_enabled": True,
    "email_recipients": "ops@resee.com",
    "description": "Alert when CPU usage exceeds 80% for 5 minutes",
}
API_ERROR_RATE = {
    "name": "High API Error Rate",
    "metric_name": "api_error_rate",
    "condition": "gte",
    "threshold_value": 5.0,
    "time_window_minutes": 10,
    "severity": "critical",
    "slack_enabled": True,
    "email_enabled": True,
    "email_recipients": "dev@resee.com,ops@resee.com",
}
AI_COST = {
    "name": "Daily AI Cost Limit",
    "metric_name": "ai_cost_daily",
    "condition": "gt",
    "threshold_value": 100.0,
    "time_window_minutes": 60,
    "severity": "medium",
    "email_enabled": True,
    "email_recipients": "finance@resee.com",
}
SYSTEM_HEALTH = {
    "name": "Alert System Health",
    "metric_name": "celery_failed_tasks",
    "condition": "gt",
    "threshold_value": 5,
    "time_window_minutes": 15,
    "severity": "critical",
}
PRODUCT_EXAMPLES = [HIGH_CPU, API_ERROR_RATE, AI_COST, SYSTEM_HEALTH]


@pytest.mark.parametrize("body", PRODUCT_EXAMPLES, ids=lambda b: b["name"])
def test_the_product_documents_examples_are_created_as_written(auth_client, user, body):
    response = auth_client.post(RULES, body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    rule = AlertRule.objects.get(pk=data["id"])
    for field, value in body.items():
        if field == "email_recipients":
            assert data[field] == rule.email_recipients == [a for a in value.split(",")]
        else:
            assert data[field] == value
            assert getattr(rule, field) == value
    assert rule.created_by == user
    assert data["created_by"] == "oncall"
    assert data["state"] == "ok"
    assert data["open_alert_id"] is None
    assert data["aggregation"] == ""


def test_the_product_documents_curl_shape_with_a_raw_json_body(auth_client):
    # As curl sends it: a JSON text with Content-Type application/json.
    raw = (
        '{"name": "High API Error Rate", "metric_name": "api_error_rate", "condition": "gte", '
        '"threshold_value": 5.0, "time_window_minutes": 10, "severity": "critical", "slack_enabled": true, '
        '"email_enabled": true, "email_recipients": "dev@resee.com,ops@resee.com"}'
    )
    response = auth_client.generic("POST", RULES, raw, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["email_recipients"] == ["dev@resee.com", "ops@resee.com"]


def test_defaults_blank_aggregation_and_default_slack_channel(auth_client, settings):
    settings.SLACK_DEFAULT_CHANNEL = "#ops"
    body = {**SYSTEM_HEALTH, "slack_enabled": True, "slack_channel": "", "aggregation": ""}

    data = auth_client.post(RULES, body, format="json").json()

    assert data["aggregation"] == "" and data["effective_aggregation"] == "sum"
    assert data["slack_channel"] == "" and data["effective_slack_channel"] == "#ops"
    assert data["time_window_minutes"] == 15
    assert data["cooldown_minutes"] == 60 and data["is_active"] is True


def test_null_aggregation_and_channel_mean_the_defaults(auth_client):
    response = auth_client.post(RULES, {**HIGH_CPU, "aggregation": None, "slack_channel": None}, format="json")

    assert response.status_code == 201, response.json()
    assert (response.json()["aggregation"], response.json()["slack_channel"]) == ("", "")


def test_email_recipients_as_a_list(auth_client):
    body = {**HIGH_CPU, "email_recipients": ["a@resee.com", "b@resee.com", "a@resee.com"]}

    response = auth_client.post(RULES, body, format="json")

    assert response.status_code == 201
    assert response.json()["email_recipients"] == ["a@resee.com", "b@resee.com"]


def test_a_put_of_what_a_get_returned_succeeds_and_changes_nothing(auth_client):
    rule_id = auth_client.post(RULES, HIGH_CPU, format="json").json()["id"]
    before = auth_client.get(f"{RULES}{rule_id}/").json()

    response = auth_client.put(f"{RULES}{rule_id}/", before, format="json")

    assert response.status_code == 200, response.json()
    after = response.json()
    assert after.pop("warnings") == []
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


def test_patch_changes_only_what_is_sent(auth_client):
    rule = make_rule(email_enabled=True, email_recipients=["ops@resee.com"])

    response = auth_client.patch(f"{RULES}{rule.pk}/", {"threshold_value": 90, "severity": "critical"}, format="json")

    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.threshold_value, rule.severity, rule.email_recipients) == (90.0, "critical", ["ops@resee.com"])


def test_patch_checks_the_rule_as_a_whole(auth_client):
    rule = make_rule()

    response = auth_client.patch(f"{RULES}{rule.pk}/", {"email_enabled": True}, format="json")

    assert response.status_code == 400
    assert "email_recipients" in response.json()
    rule.refresh_from_db()
    assert rule.email_enabled is False


def test_system_fields_cannot_be_assigned(auth_client, django_user_model, user):
    other = django_user_model.objects.create_user(username="mallory")
    forged = {
        "state": "firing", "last_value": 99, "last_evaluated_at": "2020-01-01T00:00:00Z", "last_error": "x",
        "state_changed_at": "2020-01-01T00:00:00Z", "created_by": other.pk, "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z", "id": 4242, "open_alert_id": 7, "unknown_field": "ignored",
    }

    response = auth_client.post(RULES, {**HIGH_CPU, **forged}, format="json")

    assert response.status_code == 201
    rule = AlertRule.objects.get()
    assert rule.pk != 4242
    assert (rule.state, rule.last_value, rule.last_evaluated_at, rule.last_error) == ("ok", None, None, "")
    assert rule.created_by == user
    assert rule.created_at > timezone.now() - timedelta(minutes=1)

    response = auth_client.patch(f"{RULES}{rule.pk}/", forged, format="json")
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.state, rule.created_by) == ("ok", user)


def test_delete(auth_client):
    rule = make_rule()
    make_alert(rule)

    assert auth_client.delete(f"{RULES}{rule.pk}/").status_code == 204
    assert not AlertRule.objects.exists()
    assert auth_client.get(f"{RULES}{rule.pk}/").status_code == 404


def test_unknown_or_out_of_range_ids_are_404(auth_client):
    assert auth_client.get(f"{RULES}999/").status_code == 404
    assert auth_client.get(f"{RULES}99999999999999999999999/").status_code == 404
    assert auth_client.patch(f"{RULES}99999999999999999999999/", {}, format="json").status_code == 404


def names(response):
    assert response.status_code == 200, response.json()
    return [r["name"] for r in response.json()["results"]]


def test_list_is_ordered_by_name_and_filtered(auth_client):
    make_rule(name="b disk", metric_name="disk_usage", severity="low", description="volume full")
    make_rule(name="a cpu", severity="critical", is_active=False)
    make_rule(name="c errors", metric_name="error_count", severity="high", state="firing")

    assert names(auth_client.get(RULES)) == ["a cpu", "b disk", "c errors"]
    assert names(auth_client.get(RULES, {"is_active": "false"})) == ["a cpu"]
    assert names(auth_client.get(RULES, {"severity": "low"})) == ["b disk"]
    assert names(auth_client.get(RULES, {"metric_name": "error_count"})) == ["c errors"]
    assert names(auth_client.get(RULES, {"state": "firing"})) == ["c errors"]
    assert names(auth_client.get(RULES, {"search": "VOLUME"})) == ["b disk"]
    assert names(auth_client.get(RULES, {"search": "cpu"})) == ["a cpu"]
    assert names(auth_client.get(RULES, {"ordering": "-name"})) == ["c errors", "b disk", "a cpu"]
    assert names(auth_client.get(RULES, {"ordering": "severity"})) == ["a cpu", "c errors", "b disk"]


@pytest.mark.parametrize("query", [{"severity": "urgent"}, {"state": "nope"}, {"is_active": "maybe"},
                                   {"ordering": "password"}])
def test_bad_filters_are_a_400(auth_client, query):
    response = auth_client.get(RULES, query)

    assert response.status_code == 400
    assert set(query) <= set(response.json())


def test_pagination_is_capped(auth_client):
    AlertRule.objects.bulk_create(
        [AlertRule(name=f"r{i:03}", metric_name="cpu_usage", condition="gt", threshold_value=1) for i in range(205)]
    )

    body = auth_client.get(RULES, {"page_size": 1000000}).json()
    assert body["count"] == 205
    assert len(body["results"]) == 200
    assert len(auth_client.get(RULES).json()["results"]) == 50
    assert auth_client.get(RULES, {"page": 99}).status_code == 404


def test_a_rule_shows_its_latest_evaluation_and_open_alert(auth_client):
    rule = make_rule(state="firing", last_value=85.0, last_evaluated_at=timezone.now() - timedelta(minutes=3))
    quiet = make_rule(name="Quiet")
    alert = make_alert(rule)
    evaluated_at = timezone.now() - timedelta(seconds=20)
    cache.set(EVALUATIONS_CACHE_KEY, {rule.pk: (91.5, evaluated_at.isoformat(), "firing", "")})

    data = auth_client.get(f"{RULES}{rule.pk}/").json()
    listed = {r["id"]: r for r in auth_client.get(RULES).json()["results"]}

    for shown in (data, listed[rule.pk]):
        assert shown["state"] == "firing"
        assert shown["last_value"] == 91.5
        assert shown["last_evaluated_at"] == evaluated_at.isoformat().replace("+00:00", "Z")
        assert shown["open_alert_id"] == alert.pk
    assert listed[quiet.pk]["open_alert_id"] is None
    assert listed[quiet.pk]["last_evaluated_at"] is None
    cache.delete(EVALUATIONS_CACHE_KEY)
