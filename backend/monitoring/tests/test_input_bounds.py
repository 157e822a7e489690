"""Every whole number the API accepts has a bound: too large is a 400 naming it (or a 404 for an
id in a path), never a database overflow (a 500)."""

import pytest

from monitoring.models import AIUsage
from monitoring.services import MAX_TOKENS_PER_CALL

pytestmark = pytest.mark.django_db

AI_CALL = {"provider": "openai", "model": "gpt-4o"}


@pytest.mark.parametrize("field", ["input_tokens", "output_tokens"])
@pytest.mark.parametrize("value", [2**31, 2**63 - 1, 2**63, 2**64, 10**30, MAX_TOKENS_PER_CALL + 1])
def test_token_counts_past_the_bound_are_a_400_with_the_bound(superuser_client, field, value):
    response = superuser_client.post("/api/monitoring/ai-usage/", {**AI_CALL, field: value}, format="json")

    if value <= MAX_TOKENS_PER_CALL:
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.content
    assert "1000000000000" in response.json()[field][0]
    assert not AIUsage.objects.exists()


def test_the_largest_token_count_is_stored_exactly(superuser_client):
    # Above 2^31: what a 32-bit column (PostgreSQL's integer) could not hold.
    response = superuser_client.post(
        "/api/monitoring/ai-usage/",
        [{**AI_CALL, "input_tokens": MAX_TOKENS_PER_CALL, "output_tokens": 2**31}] * 2,
        format="json",
    )

    assert response.status_code == 201
    assert [(u.input_tokens, u.output_tokens) for u in AIUsage.objects.all()] == [(MAX_TOKENS_PER_CALL, 2**31)] * 2


def test_the_python_api_keeps_the_same_bound():
    from monitoring.services import TelemetryValidationError, record_ai_usages

    with pytest.raises(TelemetryValidationError) as raised:
        record_ai_usages([{**AI_CALL, "input_tokens": 2**63}])

    assert "1,000,000,000,000" in raised.value.errors["[0].input_tokens"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/monitoring/overview/?minutes=99999999999999999999999",
        "/api/monitoring/metrics/cpu_usage/series/?minutes=9223372036854775808",
        "/api/monitoring/endpoints/?limit=9223372036854775808",
        "/api/monitoring/endpoints/?minutes=-9223372036854775809",
        "/api/alerts/stats/?days=9223372036854775808",
        "/api/alerts/history/?rule=9223372036854775808",
    ],
)
def test_query_numbers_past_their_bounds_are_a_400(superuser_client, url):
    assert superuser_client.get(url).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/alerts/rules/?page=9223372036854775808",
        "/api/alerts/history/?page=99999999999999999999999999",
        "/api/monitoring/errors/?page=9223372036854775808",
        "/api/alerts/rules/9223372036854775808/",
        "/api/alerts/history/99999999999999999999999/",
        "/api/monitoring/errors/9223372036854775808/",
    ],
)
def test_pages_and_ids_past_the_range_are_a_404(superuser_client, url):
    assert superuser_client.get(url).status_code == 404


def test_a_huge_page_size_is_capped(superuser_client):
    response = superuser_client.get("/api/alerts/rules/?page_size=9223372036854775808")

    assert response.status_code == 200


@pytest.mark.parametrize("body", [{"ids": [2**63], "action": "resolve"}, {"ids": [10**40], "action": "delete"}])
def test_error_ids_past_the_range_are_a_400(superuser_client, body):
    assert superuser_client.post("/api/monitoring/errors/bulk/", body, format="json").status_code == 400


@pytest.mark.parametrize("field", ["cooldown_minutes", "max_alerts_per_hour", "time_window_minutes"])
def test_rule_numbers_past_their_bounds_are_a_400(superuser_client, field):
    body = {"name": "n", "metric_name": "cpu_usage", "condition": "gt", "threshold_value": 1, field: 2**63}

    response = superuser_client.post("/api/alerts/rules/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "query", ["page=0", "page=abc", "page=", "page=1&page=2", "page_size=0", "page_size=-5", "page_size=x"],
)
def test_a_page_or_page_size_that_is_not_one_whole_number_is_a_400(superuser_client, query):
    response = superuser_client.get(f"/api/alerts/rules/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [query.split("=")[0]]


@pytest.mark.parametrize("url", [
    "/api/monitoring/overview/?minutes=", "/api/monitoring/endpoints/?limit=",
    "/api/monitoring/metrics/cpu_usage/series/?minutes=", "/api/alerts/stats/?days=",
])
def test_a_blank_whole_number_parameter_is_a_400_as_the_schema_says(superuser_client, url):
    # The schema says integer: a blank value is not one, nor the same as leaving it out.
    response = superuser_client.get(url)
    assert response.status_code == 400
    (field,) = response.json()
    assert field == url.rsplit("?", 1)[1].rstrip("=")
