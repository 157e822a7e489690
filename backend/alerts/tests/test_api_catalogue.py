"""/api/alerts/metrics/, /integrations/ and /open-alerts/: what the dashboard's forms and badges read."""

import pytest
from django.core.cache import cache

from monitoring.catalogue import CATALOGUE
from monitoring.models import MetricSample
from monitoring.selectors import overview_cache_key

from .conftest import WEBHOOK_TOKEN
from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_overview():
    cache.delete(overview_cache_key(5))
    yield
    cache.delete(overview_cache_key(5))


def test_the_catalogue_with_current_values_and_custom_metrics(auth_client):
    MetricSample.objects.create(name="cpu_usage", value=42.0)
    MetricSample.objects.create(name="checkout_queue", value=7.0)
    MetricSample.objects.create(name="checkout_queue", value=9.0)

    data = auth_client.get("/api/alerts/metrics/").json()

    metrics = {m["name"]: m for m in data["metrics"]}
    assert list(metrics)[: len(CATALOGUE)] == list(CATALOGUE)
    cpu = metrics["cpu_usage"]
    assert (cpu["label"], cpu["unit"], cpu["category"], cpu["default_aggregation"]) == (
        "CPU usage", "%", "system", "avg")
    assert (cpu["value"], cpu["no_data"]) == (42.0, False)
    assert (metrics["memory_usage"]["value"], metrics["memory_usage"]["no_data"]) == (None, True)
    custom = metrics["checkout_queue"]
    assert (custom["category"], custom["value"], custom["default_aggregation"]) == ("custom", 8.0, "avg")
    assert data["aggregations"] == ["avg", "min", "max", "sum", "last", "count", "p95"]
    assert [c["value"] for c in data["conditions"]] == ["gt", "gte", "lt", "lte", "eq", "ne"]
    assert [s["value"] for s in data["severities"]] == ["low", "medium", "high", "critical"]
    assert data["window_minutes"] == 5


def test_integrations_say_what_is_configured_never_the_secrets(auth_client, settings):
    settings.SLACK_WEBHOOK_URL = f"https://hooks.slack.com/services/T0/B0/{WEBHOOK_TOKEN}"
    settings.EMAIL_HOST_PASSWORD = "smtp-pa55word"
    settings.ALERT_SUMMARY_RECIPIENTS = ["a@resee.com", "b@resee.com"]

    response = auth_client.get("/api/alerts/integrations/")

    data = response.json()
    channels = {c["name"]: c for c in data["channels"]}
    # The environment's channels; every other kind is configured as a channel (/api/alerts/channels/).
    assert set(channels) == {"slack", "email"}
    assert channels["slack"] == {"name": "slack", "label": "Slack", "configured": True, "problem": ""}
    assert channels["email"]["configured"] is True
    assert data["slack_default_channel"] == "#alerts"
    assert data["summary_recipients"] == 2
    assert WEBHOOK_TOKEN not in response.content.decode()
    assert "hooks.slack.com" not in response.content.decode()
    assert "smtp-pa55word" not in response.content.decode()


def test_integrations_name_the_missing_setting(auth_client, settings):
    settings.SLACK_WEBHOOK_URL = ""

    channels = {c["name"]: c for c in auth_client.get("/api/alerts/integrations/").json()["channels"]}

    assert channels["slack"] == {"name": "slack", "label": "Slack", "configured": False,
                                 "problem": "Slack is not configured: SLACK_WEBHOOK_URL is not set."}


def test_open_alerts_by_severity(auth_client):
    make_alert(make_rule(name="a", severity="critical"))
    make_alert(make_rule(name="b", severity="critical"))
    make_alert(make_rule(name="c", severity="low"))
    make_alert(make_rule(name="d", severity="high"), status="resolved")

    data = auth_client.get("/api/alerts/open-alerts/").json()

    assert data == {"total": 3, "by_severity": {"low": 1, "medium": 0, "high": 0, "critical": 2}}
