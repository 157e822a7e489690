"""Free texts have a length limit and names refuse control and bidirectional-text characters:
each a 400 naming the field, nothing saved."""

import pytest

from alerts.models import AlertRule
from monitoring.models import AIUsage

pytestmark = pytest.mark.django_db

RULE = {"name": "High CPU Usage", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 80.0}


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "n" * 201),
        ("description", "d" * 2001),
        ("description", "d" * 1_000_000),
        ("slack_channel", "#" + "c" * 80),
        ("email_recipients", ["ops@resee.com"] * 51),
        ("email_recipients", [f"ops{i}@resee.com" for i in range(51)]),
        ("email_recipients", ",".join(f"ops{i}@resee.com" for i in range(5000))),
        ("email_recipients", ["o" * 250 + "@resee.com"]),
    ],
)
def test_rule_texts_past_their_limits_are_a_400(superuser_client, field, value):
    response = superuser_client.post("/api/alerts/rules/", {**RULE, field: value}, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    # One short message, not one per item of a huge list.
    assert len(str(errors)) < 300
    assert not AlertRule.objects.exists()


def test_texts_at_their_limits_are_accepted(superuser_client):
    response = superuser_client.post(
        "/api/alerts/rules/",
        {**RULE, "name": "n" * 200, "description": "d\n" * 1000, "email_enabled": True,
         "email_recipients": [f"ops{i}@resee.com" for i in range(50)]},
        format="json",
    )

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "name",
    ["CPU \u202eoverride", "CPU\u2066isolate\u2069", "mark\u200f", "bell\x07", "null\x00", "esc\x1b[31m", "c1\x85x",
     "tab\tin the middle"],
)
def test_names_refuse_control_and_bidirectional_characters(superuser_client, name):
    response = superuser_client.post("/api/alerts/rules/", {**RULE, "name": name}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["name"]


def test_a_name_keeps_ordinary_unicode(superuser_client):
    response = superuser_client.post("/api/alerts/rules/", {**RULE, "name": "CPU élevé — ночь 🚨"}, format="json")

    assert response.status_code == 201
    assert response.json()["name"] == "CPU élevé — ночь 🚨"


def test_a_bidi_override_names_the_character(superuser_client):
    response = superuser_client.post("/api/alerts/rules/", {**RULE, "name": "a\u202eb"}, format="json")

    assert response.json() == {
        "name": ["Must not contain control or bidirectional-text characters (found U+202E)."]
    }


@pytest.mark.parametrize(
    "url, body, field",
    [
        ("/api/alerts/test/slack/", {"message": "m" * 2001}, "message"),
        ("/api/alerts/test/slack/", {"channel": "#al\u202eerts"}, "channel"),
        ("/api/alerts/test/slack/", {"channel": "#" + "c" * 100}, "channel"),
        ("/api/alerts/test/email/", {"recipient": "ops@resee.com", "message": "m" * 2001}, "message"),
        ("/api/alerts/test/email/", {"recipient": "o" * 300 + "@resee.com"}, "recipient"),
        ("/api/alerts/trigger/", {"rule_id": 1, "message": "m" * 2001}, "message"),
    ],
)
def test_action_texts_past_their_limits_are_a_400(superuser_client, url, body, field):
    response = superuser_client.post(url, body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "field, value",
    [("provider", "p" * 65), ("model", "m" * 129), ("operation", "o" * 129), ("error", "e" * 10_001),
     ("provider", "open\u202eai"), ("model", "gpt\x00"), ("operation", "chat\x1b")],
)
def test_ai_usage_texts_are_bounded_and_names_are_clean(superuser_client, field, value):
    body = {"provider": "openai", "model": "gpt-4o", field: value}

    response = superuser_client.post("/api/monitoring/ai-usage/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not AIUsage.objects.exists()
