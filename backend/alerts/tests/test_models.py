"""The alert models: validation shared with the API, and the guarantees the database itself keeps."""

import math
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services.notifiers import NOTIFIERS
from monitoring.models import MetricSample

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db


def rule_errors(**fields) -> dict:
    """The field errors full_clean reports for a rule built from valid defaults plus `fields`."""
    values = {
        "name": "High CPU Usage", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 80.0,
        "severity": "high",
    }
    values.update(fields)
    try:
        AlertRule(**values).full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


# --- AlertRule: defaults and what the product document sends ---------------------------------------


def test_rule_defaults():
    rule = make_rule()

    assert rule.time_window_minutes == 5
    assert rule.cooldown_minutes == 60
    assert rule.max_alerts_per_hour == 10
    assert (rule.slack_enabled, rule.email_enabled) == (False, False)
    assert (rule.auto_resolve, rule.notify_on_resolve, rule.alert_on_no_data) == (True, True, False)
    assert rule.is_active is True
    assert rule.state == "ok"
    assert rule.email_recipients == []
    assert rule.resolve_threshold is None


PRODUCT_DOCUMENT_RULES = [
    {
        "name": "High CPU Usage", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 80.0,
        "time_window_minutes": 5, "severity": "high", "slack_enabled": True, "slack_channel": "#system-alerts",
        "email_enabled": True, "email_recipients": "ops@resee.com",
        "description": "Alert when CPU usage exceeds 80% for 5 minutes",
    },
    {
        "name": "High API Error Rate", "metric_name": "api_error_rate", "condition": "gte", "threshold_value": 5.0,
        "time_window_minutes": 10, "severity": "critical", "slack_enabled": True, "email_enabled": True,
        "email_recipients": "dev@resee.com,ops@resee.com",
    },
    {
        "name": "Daily AI Cost Limit", "metric_name": "ai_cost_daily", "condition": "gt", "threshold_value": 100.0,
        "time_window_minutes": 60, "severity": "medium", "email_enabled": True,
        "email_recipients": "finance@resee.com",
    },
    {
        "name": "Alert System Health", "metric_name": "celery_failed_tasks", "condition": "gt",
        "threshold_value": 5, "time_window_minutes": 15, "severity": "critical",
    },
]


@pytest.mark.parametrize("example", PRODUCT_DOCUMENT_RULES, ids=lambda example: example["name"])
def test_the_product_document_examples_are_valid_rules(example):
    rule = AlertRule(**example)

    rule.full_clean()
    rule.save()

    rule.refresh_from_db()
    assert rule.metric_name == example["metric_name"]
    if "email_recipients" in example:
        assert rule.email_recipients == example["email_recipients"].split(",")


def test_comma_separated_recipients_become_a_list():
    rule = AlertRule(
        name="r", metric_name="cpu_usage", condition="gt", threshold_value=1, severity="low",
        email_enabled=True, email_recipients=" dev@resee.com, ops@resee.com ,dev@resee.com,",
    )

    rule.full_clean()

    assert rule.email_recipients == ["dev@resee.com", "ops@resee.com"]


def test_effective_aggregation_and_channel(settings):
    settings.SLACK_DEFAULT_CHANNEL = "#ops"

    assert make_rule(metric_name="api_request_count").effective_aggregation == "sum"
    assert make_rule(metric_name="cpu_usage").effective_aggregation == "avg"
    assert make_rule(aggregation="p95").effective_aggregation == "p95"
    assert make_rule().effective_slack_channel == "#ops"
    assert make_rule(slack_channel="#db").effective_slack_channel == "#db"


# --- AlertRule: validation ------------------------------------------------------------------------


def test_a_valid_rule_has_no_errors():
    assert rule_errors() == {}


@pytest.mark.parametrize("window", [0, 61, -1, 1000])
def test_window_outside_1_to_60_is_rejected(window):
    assert "time_window_minutes" in rule_errors(time_window_minutes=window)


@pytest.mark.parametrize("window", [1, 60])
def test_window_bounds_are_accepted(window):
    assert rule_errors(time_window_minutes=window) == {}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_threshold_must_be_finite(value):
    errors = rule_errors(threshold_value=value)

    assert errors["threshold_value"] == ["Enter a finite number (not NaN or infinity)."]


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_resolve_threshold_must_be_finite(value):
    assert "resolve_threshold" in rule_errors(resolve_threshold=value)


def test_a_name_no_metric_can_have_is_rejected_with_the_valid_names():
    errors = rule_errors(metric_name="cpu usage")

    (message,) = errors["metric_name"]
    assert "'cpu usage'" in message
    for name in ("cpu_usage", "api_error_rate", "ai_cost_daily", "celery_failed_tasks", "cache_hit_rate"):
        assert name in message


def test_a_custom_metric_is_accepted_before_and_after_its_first_sample():
    # A rule may be defined ahead of its data (issue 10); the API warns that none has arrived.
    assert rule_errors(metric_name="orders_per_minute") == {}

    MetricSample.objects.create(name="orders_per_minute", value=12)

    assert rule_errors(metric_name="orders_per_minute") == {}
    assert "cpu_usage" in rule_errors(metric_name="Nope")["metric_name"][0]


@pytest.mark.parametrize(
    "recipients",
    [
        ["not-an-email"],
        ["ops@resee.com", "dev@"],
        "ops@resee.com,@resee.com",
        ["a b@resee.com"],
        ["ops@resee.com\nBcc: victim@example.com"],
    ],
)
def test_bad_email_addresses_are_rejected(recipients):
    errors = rule_errors(email_enabled=True, email_recipients=recipients)

    assert "email_recipients" in errors


def test_the_bad_address_is_named():
    errors = rule_errors(email_recipients=["ops@resee.com", "dev@"])

    assert errors["email_recipients"] == ["'dev@' is not a valid email address."]


def test_at_most_50_recipients():
    fifty = [f"user{i}@resee.com" for i in range(50)]

    assert rule_errors(email_recipients=fifty) == {}
    errors = rule_errors(email_recipients=[*fifty, "one-more@resee.com"])
    assert errors["email_recipients"] == ["At most 50 email recipients (got 51)."]


def test_email_enabled_needs_a_recipient():
    assert "email_recipients" in rule_errors(email_enabled=True, email_recipients=[])
    assert rule_errors(email_enabled=False, email_recipients=[]) == {}


@pytest.mark.parametrize("channel", ["#alerts", "@oncall", "#system-alerts", "#ops_team.eu", "#" + "a" * 79])
def test_valid_slack_channels(channel):
    assert rule_errors(slack_channel=channel) == {}


@pytest.mark.parametrize(
    "channel", ["alerts", "#Alerts", "#al erts", "#", "@", "#alerts!", "##x", "#" + "a" * 80, "https://hooks.slack.com/x"]
)
def test_invalid_slack_channels(channel):
    assert "slack_channel" in rule_errors(slack_channel=channel)


@pytest.mark.parametrize(
    "field,value", [("condition", "gtt"), ("condition", "=>"), ("severity", "urgent"), ("aggregation", "median")]
)
def test_choices_are_enforced(field, value):
    assert field in rule_errors(**{field: value})


@pytest.mark.parametrize(
    "condition,threshold,resolve_threshold,valid",
    [
        ("gt", 80, 75, True),
        ("gte", 80, 80, True),
        ("gt", 80, 85, False),
        ("lt", 10, 15, True),
        ("lte", 10, 5, False),
        ("eq", 1, 1, False),
    ],
)
def test_resolve_threshold_must_be_on_the_safe_side(condition, threshold, resolve_threshold, valid):
    errors = rule_errors(condition=condition, threshold_value=threshold, resolve_threshold=resolve_threshold)

    assert ("resolve_threshold" not in errors) is valid


# --- database constraints -------------------------------------------------------------------------


def test_only_one_active_alert_per_rule():
    rule = make_rule()
    make_alert(rule)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_alert(rule)

    assert AlertHistory.objects.filter(rule=rule, status="active").count() == 1


def test_a_new_alert_may_open_once_the_previous_one_is_resolved():
    rule = make_rule()
    first = make_alert(rule)
    AlertHistory.objects.filter(pk=first.pk).update(status="resolved", resolved_at=timezone.now())

    second = make_alert(rule)
    make_alert(rule, status="resolved")

    assert second.status == "active"
    assert AlertHistory.objects.filter(rule=rule).count() == 3


def test_one_active_alert_per_rule_is_also_reported_by_validation():
    rule = make_rule()
    make_alert(rule)
    duplicate = AlertHistory(rule=rule, severity="high", condition="gt", threshold_value=1, metric_name="cpu_usage")

    with pytest.raises(ValidationError, match="already has an active alert"):
        duplicate.full_clean()


def test_resolved_alerts_have_a_resolution_time_and_active_ones_do_not():
    alert = make_alert()

    with pytest.raises(IntegrityError), transaction.atomic():
        AlertHistory.objects.filter(pk=alert.pk).update(status="resolved")
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertHistory.objects.filter(pk=alert.pk).update(resolved_at=timezone.now())


@pytest.mark.parametrize(
    "update", [{"time_window_minutes": 61}, {"time_window_minutes": 0}, {"condition": "xx"}, {"severity": "urgent"},
               {"state": "weird"}, {"aggregation": "median"}]
)
def test_the_database_rejects_invalid_rules_that_skip_validation(update):
    rule = make_rule()

    with pytest.raises(IntegrityError), transaction.atomic():
        AlertRule.objects.filter(pk=rule.pk).update(**update)


def test_the_history_outlives_a_deleted_rule():
    alert = make_alert(status="resolved")
    delivery = NotificationDelivery.objects.create(alert=alert, event="trigger", channel="slack", target="#alerts")
    rule = alert.rule
    assert rule is not None
    name = rule.name

    rule.delete()

    alert.refresh_from_db()
    assert (alert.rule, alert.rule_name) == (None, name)
    assert list(alert.deliveries.all()) == [delivery]


def test_deleting_the_creator_keeps_the_rule(django_user_model):
    creator = django_user_model.objects.create_user(username="creator")
    rule = make_rule(created_by=creator)

    creator.delete()

    rule.refresh_from_db()
    assert rule.created_by is None


def test_history_is_newest_first():
    rule = make_rule()
    older = make_alert(rule, status="resolved", triggered_at=timezone.now() - timedelta(hours=2))
    newer = make_alert(rule)

    assert list(AlertHistory.objects.all()) == [newer, older]


def test_delivery_channel_choices_come_from_the_registry():
    field = NotificationDelivery._meta.get_field("channel")

    assert field.choices is not None
    choices = [value for value, _ in field.choices]
    assert choices == list(NOTIFIERS)
    assert choices[:2] == ["slack", "email"]
