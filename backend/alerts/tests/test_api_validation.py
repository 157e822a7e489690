"""Bad input to the rules API: a 400 with a message per field, nothing saved, never a 500."""

import pytest

from alerts.models import AlertRule

from .factories import make_rule
from .test_api_rules import HIGH_CPU, RULES

pytestmark = pytest.mark.django_db

TOO_MANY = ",".join(f"ops{i}@resee.com" for i in range(51))

BAD_FIELDS = [
    ("time_window_minutes", 0),
    ("time_window_minutes", 61),
    ("time_window_minutes", -1),
    ("time_window_minutes", "x"),
    ("time_window_minutes", 1e9),
    ("time_window_minutes", 5.5),
    ("time_window_minutes", True),
    ("time_window_minutes", None),
    ("threshold_value", "NaN"),
    ("threshold_value", "Infinity"),
    ("threshold_value", "-Infinity"),
    ("threshold_value", "abc"),
    ("threshold_value", None),
    ("threshold_value", True),
    ("threshold_value", [80]),
    ("metric_name", "Nope!"),
    ("metric_name", ""),
    ("metric_name", 42),
    ("condition", "=>"),
    ("condition", "between"),
    ("severity", "urgent"),
    ("severity", ""),
    ("aggregation", "median"),
    ("email_recipients", "not-an-email"),
    ("email_recipients", "ops@resee.com,dev@"),
    ("email_recipients", TOO_MANY),
    ("email_recipients", ["ops@resee.com", 7]),
    ("email_recipients", {"to": "ops@resee.com"}),
    ("email_recipients", "ops@resee.com\nBcc: x@evil.test"),
    ("slack_channel", "system-alerts"),
    ("slack_channel", "#System Alerts"),
    ("slack_channel", "#" + "a" * 80),
    ("cooldown_minutes", -1),
    ("cooldown_minutes", 10081),
    ("max_alerts_per_hour", 0),
    ("resolve_threshold", 90.0),  # above the threshold of a "greater than" rule
    ("resolve_threshold", "Infinity"),
    ("name", ""),
    ("name", "x" * 201),
    ("is_active", "perhaps"),
]


@pytest.mark.parametrize("field, value", BAD_FIELDS, ids=[f"{f}={str(v)[:20]!r}" for f, v in BAD_FIELDS])
def test_a_bad_field_is_a_400_naming_it(auth_client, field, value):
    response = auth_client.post(RULES, {**HIGH_CPU, field: value}, format="json")

    assert response.status_code == 400, response.json()
    errors = response.json()
    assert list(errors) == [field]
    assert all(isinstance(m, str) and m for m in errors[field])
    assert not AlertRule.objects.exists()


def test_the_messages_say_what_is_allowed(auth_client):
    def error(field, value):
        return auth_client.post(RULES, {**HIGH_CPU, field: value}, format="json").json()[field][0]

    assert error("time_window_minutes", 61) == "The time window must be between 1 and 60 minutes."
    assert error("threshold_value", "NaN") == "A valid number is required."
    assert "built-in metric: cpu_usage, memory_usage" in error("metric_name", "Nope!")
    assert error("condition", "=>") == (
        '"=>" is not a valid choice. Valid: gt, gte, lt, lte, eq, ne, >, >=, <, <=, =, ==, !=.'
    )
    assert error("severity", "urgent").endswith("Valid: low, medium, high, critical.")
    assert "Valid: avg, min, max, sum, last, count, p95." in error("aggregation", "median")
    assert error("email_recipients", TOO_MANY) == "At most 50 email recipients (got 51)."
    assert "#name" in error("slack_channel", "system-alerts")


@pytest.mark.parametrize("field", ["name", "metric_name", "condition", "threshold_value"])
def test_a_missing_required_field_is_a_400(auth_client, field):
    body = {k: v for k, v in HIGH_CPU.items() if k != field}

    response = auth_client.post(RULES, body, format="json")

    assert response.status_code == 400
    assert response.json() == {field: ["This field is required."]}


def test_several_bad_fields_are_all_reported(auth_client):
    body = {**HIGH_CPU, "time_window_minutes": 0, "threshold_value": "abc", "severity": "urgent"}

    errors = auth_client.post(RULES, body, format="json").json()

    assert set(errors) == {"time_window_minutes", "threshold_value", "severity"}


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "x",',
        '{"name": "High CPU Usage", "threshold_value": NaN}',
        '{"name": "High CPU Usage", "threshold_value": Infinity}',
        "[]",
        '"rule"',
        "42",
        "null",
        "",
        "\x00\xff",
    ],
)
def test_malformed_json_is_a_400_and_saves_nothing(auth_client, raw):
    response = auth_client.generic("POST", RULES, raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()
    assert not AlertRule.objects.exists()


def test_a_huge_number_in_json_is_a_400(auth_client):
    raw = '{"name": "x", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 1e999}'

    response = auth_client.generic("POST", RULES, raw, content_type="application/json")

    assert response.status_code == 400
    assert not AlertRule.objects.exists()


def test_a_form_body_is_refused_as_unsupported(auth_client):
    response = auth_client.post(RULES, {"name": "x"})  # multipart

    assert response.status_code == 415
    assert not AlertRule.objects.exists()


def test_email_on_without_recipients(auth_client):
    response = auth_client.post(RULES, {**HIGH_CPU, "email_recipients": ""}, format="json")

    assert response.status_code == 400
    assert response.json() == {"email_recipients": ["Email notifications need at least one recipient."]}


def test_a_bad_update_changes_nothing(auth_client):
    rule = make_rule()

    response = auth_client.put(f"{RULES}{rule.pk}/", {**HIGH_CPU, "time_window_minutes": 61}, format="json")

    assert response.status_code == 400
    rule.refresh_from_db()
    assert rule.time_window_minutes == 5 and rule.slack_enabled is False


def test_a_custom_metric_with_samples_is_accepted(auth_client):
    from monitoring.services import record_metric

    record_metric("checkout_queue", 3)

    response = auth_client.post(RULES, {**HIGH_CPU, "metric_name": "checkout_queue"}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("url", ["/api/alerts/rules/?search=a%00b", "/api/alerts/rules/?metric_name=%00",
                                 "/api/alerts/history/?metric_name=%00", "/api/monitoring/errors/?q=%00",
                                 "/api/monitoring/metrics/a%00b/series/"])
def test_nul_characters_in_queries_are_no_server_error(auth_client, url):
    # PostgreSQL cannot store or compare them; they are refused before the database sees them.
    assert auth_client.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize(
    "url, body",
    [
        (RULES, {**HIGH_CPU, "name": "a\x00b"}),
        ("/api/monitoring/metrics/", {"name": "a\x00", "value": 1}),
        ("/api/monitoring/ai-usage/", {"provider": "a\x00", "model": "m"}),
        ("/api/alerts/test/email/", {"recipient": "a\x00@b.com"}),
        ("/api/auth/token/", {"username": "\x00", "password": "\x00"}),
    ],
)
def test_nul_characters_in_bodies_are_a_400(auth_client, url, body):
    assert auth_client.post(url, body, format="json").status_code == 400
    assert not AlertRule.objects.exists()
