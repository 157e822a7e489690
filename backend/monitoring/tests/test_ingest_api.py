from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from monitoring.models import AIUsage, MetricSample
from monitoring.services import TelemetryValidationError, record_ai_usage, record_metric

pytestmark = pytest.mark.django_db

METRICS = "/api/monitoring/metrics/"
AI_USAGE = "/api/monitoring/ai-usage/"


def iso(moment: datetime) -> str:
    return moment.isoformat()


def test_one_sample(auth_client):
    response = auth_client.post(METRICS, {"name": "checkout_queue", "value": 12.5}, format="json")

    assert response.status_code == 201
    assert response.json() == {"created": 1}
    sample = MetricSample.objects.get()
    assert (sample.name, sample.value) == ("checkout_queue", 12.5)
    assert abs((timezone.now() - sample.timestamp).total_seconds()) < 5


def test_a_batch_with_timestamps(auth_client):
    now = timezone.now()
    batch = [{"name": "orders", "value": i, "timestamp": iso(now - timedelta(minutes=i))} for i in range(3)]

    response = auth_client.post(METRICS, batch, format="json")

    assert response.status_code == 201
    assert response.json() == {"created": 3}
    assert sorted(MetricSample.objects.values_list("value", flat=True)) == [0.0, 1.0, 2.0]


def test_subscriptions_may_be_pushed(auth_client):
    assert auth_client.post(METRICS, {"name": "subscriptions", "value": 4}, format="json").status_code == 201


BAD_SAMPLES = [
    ({"name": "Orders", "value": 1}, "name"),
    ({"name": "1orders", "value": 1}, "name"),
    ({"name": "orders-total", "value": 1}, "name"),
    ({"name": "o" * 65, "value": 1}, "name"),
    ({"name": "cpu_usage", "value": 1}, "name"),  # measured by the system itself
    ({"name": "api_error_rate", "value": 1}, "name"),
    ({"value": 1}, "name"),
    ({"name": "orders"}, "value"),
    ({"name": "orders", "value": "abc"}, "value"),
    ({"name": "orders", "value": True}, "value"),
    ({"name": "orders", "value": None}, "value"),
    ({"name": "orders", "value": "Infinity"}, "value"),
    ({"name": "orders", "value": "NaN"}, "value"),
    ({"name": "orders", "value": 1, "timestamp": "yesterday"}, "timestamp"),
    # Timestamps relative to the moment the test runs (not when the module was collected).
    ({"name": "orders", "value": 1, "timestamp": timedelta(minutes=6)}, "timestamp"),
    ({"name": "orders", "value": 1, "timestamp": -timedelta(days=15)}, "timestamp"),
]


@pytest.mark.parametrize("body, field", BAD_SAMPLES)
def test_a_bad_sample_is_refused_with_its_field(auth_client, body, field):
    if isinstance(body.get("timestamp"), timedelta):
        body = {**body, "timestamp": iso(datetime.now(UTC) + body["timestamp"])}

    response = auth_client.post(METRICS, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert MetricSample.objects.count() == 0


def test_one_bad_item_refuses_the_whole_batch_naming_it(auth_client):
    batch = [{"name": "orders", "value": 1}, {"name": "orders", "value": 2}, {"name": "orders", "value": "x"}]

    response = auth_client.post(METRICS, batch, format="json")

    assert response.status_code == 400
    assert response.json() == {"2": {"value": ["A valid number is required."]}}
    assert MetricSample.objects.count() == 0


def test_batch_size_is_bounded(auth_client):
    batch = [{"name": "orders", "value": 1}] * 1001

    response = auth_client.post(METRICS, batch, format="json")

    assert response.status_code == 400
    assert MetricSample.objects.count() == 0
    assert auth_client.post(METRICS, batch[:1000], format="json").status_code == 201


@pytest.mark.parametrize("raw", ['{"name": "orders", "value": NaN}', '{"name": "orders", "value": Infinity}',
                                 '{"name": "orders", "value": 1e999}',
                                 '{"name": "orders",', "[]", '"orders"', "42"])
def test_malformed_bodies_are_refused(auth_client, raw):
    response = auth_client.generic("POST", METRICS, raw, content_type="application/json")

    assert response.status_code == 400
    assert MetricSample.objects.count() == 0


def test_ingest_requires_authentication(api_client):
    assert api_client.post(METRICS, {"name": "orders", "value": 1}, format="json").status_code == 401
    assert api_client.post(AI_USAGE, {"provider": "p", "model": "m"}, format="json").status_code == 401


def test_record_metric_from_python():
    sample = record_metric("orders", 3)

    assert MetricSample.objects.get() == sample
    with pytest.raises(TelemetryValidationError) as error:
        record_metric("orders", float("nan"))
    assert "[0].value" in error.value.errors
    with pytest.raises(TelemetryValidationError):
        record_metric("memory_usage", 1)


def test_ai_usage_one_and_a_batch(auth_client):
    one = {"provider": "openai", "model": "gpt-4o", "operation": "summarise", "input_tokens": 812,
           "output_tokens": 164, "cost_usd": "0.0046", "latency_ms": 930}
    failed = {"provider": "anthropic", "model": "claude", "success": False, "error": "overloaded", "cost_usd": 0}

    assert auth_client.post(AI_USAGE, one, format="json").status_code == 201
    response = auth_client.post(AI_USAGE, [one, failed], format="json")

    assert response.status_code == 201
    assert response.json() == {"created": 2}
    assert AIUsage.objects.count() == 3
    stored = AIUsage.objects.get(provider="anthropic")
    assert (stored.success, stored.error, stored.input_tokens) == (False, "overloaded", 0)
    first_openai = AIUsage.objects.filter(provider="openai").first()
    assert first_openai is not None and str(first_openai.cost_usd) == "0.004600"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"model": "m"}, "provider"),
        ({"provider": "p"}, "model"),
        ({"provider": "p", "model": "m", "input_tokens": -1}, "input_tokens"),
        ({"provider": "p", "model": "m", "input_tokens": 1.5}, "input_tokens"),
        ({"provider": "p", "model": "m", "output_tokens": True}, "output_tokens"),
        ({"provider": "p", "model": "m", "cost_usd": -0.01}, "cost_usd"),
        ({"provider": "p", "model": "m", "cost_usd": "NaN"}, "cost_usd"),
        ({"provider": "p", "model": "m", "latency_ms": "Infinity"}, "latency_ms"),
        ({"provider": "p", "model": "m", "timestamp": iso(datetime.now(UTC) + timedelta(hours=1))}, "timestamp"),
    ],
)
def test_bad_ai_usage_is_refused_with_its_field(auth_client, body, field):
    response = auth_client.post(AI_USAGE, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert AIUsage.objects.count() == 0


def test_record_ai_usage_from_python():
    usage = record_ai_usage(provider="openai", model="gpt-4o", input_tokens=10, output_tokens=5, cost_usd="0.5")

    assert AIUsage.objects.get() == usage
    with pytest.raises(TelemetryValidationError):
        record_ai_usage(provider="", model="m")
