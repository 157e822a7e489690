"""POST /api/alerts/rules/evaluate/: a dry run of a rule's fields before they are saved, validated as
saving them would be. Nothing is written."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services.alert_engine import EVALUATIONS_CACHE_KEY
from monitoring.models import MetricSample

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

URL = "/api/alerts/rules/evaluate/"
CPU_RULE = {"name": "High CPU Usage", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 80.0,
            "time_window_minutes": 5, "severity": "high"}


@pytest.fixture(autouse=True)
def _no_evaluations():
    cache.delete(EVALUATIONS_CACHE_KEY)
    yield
    cache.delete(EVALUATIONS_CACHE_KEY)


def samples(*values, name="cpu_usage"):
    now = timezone.now()
    for minutes_ago, value in values:
        MetricSample.objects.create(name=name, value=value, timestamp=now - timedelta(minutes=minutes_ago))


def writes(captured) -> list[str]:
    """The statements that write, but the API token's note of its last use (core.tokens.note_use)."""
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            and not q["sql"].startswith('UPDATE "core_apitoken" SET "last_used_at"')]


def test_an_unsaved_rule_that_would_fire_and_nothing_is_written(auth_client):
    samples((4, 85.0), (2, 95.0), (30, 10.0))
    rules_before = AlertRule.objects.count()

    with CaptureQueriesContext(connection) as captured:
        response = auth_client.post(URL, CPU_RULE, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["rule_id"], data["current_state"]) == (None, None)
    assert data["value"] == 90.0
    assert (data["aggregation"], data["window_minutes"], data["source"]) == ("avg", 5, "samples")
    assert (data["condition"], data["threshold_value"], data["condition_met"]) == ("gt", 80.0, True)
    assert (data["state"], data["action"], data["reason"]) == ("firing", "fire", "threshold crossed")
    assert [p["v"] for p in data["points"]] == [85.0, 95.0]
    # No side effects: no rule, no alert, no delivery, nothing cached, not one write.
    assert writes(captured) == []
    assert AlertRule.objects.count() == rules_before
    assert not AlertHistory.objects.exists()
    assert not NotificationDelivery.objects.exists()
    assert cache.get(EVALUATIONS_CACHE_KEY) is None


def test_the_rules_own_window_aggregation_and_condition(auth_client):
    samples((4, 85.0), (2, 95.0), (8, 10.0))

    data = auth_client.post(URL, {**CPU_RULE, "aggregation": "min", "time_window_minutes": 10, "condition": "lt",
                                  "threshold_value": 20}, format="json").json()

    assert (data["value"], data["aggregation"], data["window_minutes"]) == (10.0, "min", 10)
    assert (data["condition_met"], data["action"]) == (True, "fire")


def test_within_the_threshold_and_no_data(auth_client):
    samples((1, 40.0))

    within = auth_client.post(URL, CPU_RULE, format="json").json()
    no_data = auth_client.post(URL, {**CPU_RULE, "metric_name": "memory_usage"}, format="json").json()

    assert (within["condition_met"], within["state"], within["action"]) == (False, "ok", "none")
    assert (no_data["value"], no_data["no_data"], no_data["condition_met"], no_data["reason"]) == (
        None, True, None, "no data")


def test_a_custom_metric_with_samples(auth_client):
    samples((1, 250.0), name="checkout_queue")

    data = auth_client.post(URL, {**CPU_RULE, "metric_name": "checkout_queue", "threshold_value": 100},
                            format="json").json()

    assert (data["value"], data["action"]) == (250.0, "fire")


def test_invalid_fields_are_a_400_with_the_same_messages_as_saving(auth_client):
    bad = {"name": "", "metric_name": "CPU!", "condition": "=>", "threshold_value": "NaN", "time_window_minutes": 61,
           "email_enabled": True}

    draft = auth_client.post(URL, bad, format="json")
    create = auth_client.post("/api/alerts/rules/", bad, format="json")

    assert draft.status_code == create.status_code == 400
    assert draft.json() == create.json()
    assert set(draft.json()) >= {"name", "metric_name", "condition", "threshold_value", "time_window_minutes"}
    assert not AlertRule.objects.exists()


def test_a_whole_rule_check_too(auth_client):
    response = auth_client.post(URL, {**CPU_RULE, "email_enabled": True}, format="json")

    assert response.status_code == 400
    assert response.json() == {"email_recipients": ["Email notifications need at least one recipient."]}


def test_editing_a_saved_rule_sees_its_open_alert_and_state_and_changes_nothing(auth_client):
    rule = make_rule(state="firing", threshold_value=80.0)
    alert = make_alert(rule)
    samples((1, 70.0))

    # The saved rule (> 80) would resolve at 70; the edit (> 60) would keep it firing.
    with CaptureQueriesContext(connection) as captured:
        data = auth_client.post(URL, {**CPU_RULE, "threshold_value": 60, "rule_id": rule.pk}, format="json").json()

    assert (data["rule_id"], data["current_state"], data["open_alert_id"]) == (rule.pk, "firing", alert.pk)
    assert (data["condition_met"], data["state"], data["action"]) == (True, "firing", "update")
    assert writes(captured) == []
    rule.refresh_from_db()
    alert.refresh_from_db()
    assert (rule.threshold_value, rule.state, alert.status) == (80.0, "firing", "active")

    resolved = auth_client.post(URL, {**CPU_RULE, "rule_id": rule.pk}, format="json").json()
    assert (resolved["condition_met"], resolved["action"]) == (False, "resolve")


def test_an_edit_is_validated_against_the_saved_rule(auth_client):
    rule = make_rule(condition="gt", threshold_value=80.0)

    response = auth_client.post(URL, {**CPU_RULE, "resolve_threshold": 90, "rule_id": rule.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["resolve_threshold"]


@pytest.mark.parametrize("rule_id", [999999, "abc", True, 0])
def test_an_unknown_or_malformed_rule_id_is_a_field_error(auth_client, rule_id):
    response = auth_client.post(URL, {**CPU_RULE, "rule_id": rule_id}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["rule_id"]


def test_viewers_may_dry_run_and_pushers_may_not(viewer_client, pusher):
    from core.testing import client_for

    assert viewer_client.post(URL, CPU_RULE, format="json").status_code == 200
    assert client_for(pusher).post(URL, CPU_RULE, format="json").status_code == 403
    assert not AlertRule.objects.exists()


def test_only_post(auth_client):
    assert auth_client.get(URL).status_code == 405
