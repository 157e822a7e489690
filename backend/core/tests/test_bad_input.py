"""Bad input is a 400 with a message, never a 500: bodies nested too deeply on every operation that
reads one, and server errors that are JSON with a correlation id."""

import logging
from datetime import time, timedelta

import pytest
from django.urls import path
from django.utils import timezone

from alerts.models import InhibitionRule, MaintenanceWindow, NotificationChannel, NotificationPolicy, Silence
from alerts.tests.factories import make_alert, make_rule
from core.parsers import MAX_JSON_DEPTH
from core.tests.test_schema import api_schema
from monitoring.models import Check, DataSource, ErrorLog

BODY_OPERATIONS = sorted(
    (method.upper(), url)
    for url, operations in api_schema()["paths"].items()
    for method, operation in operations.items()
    if "requestBody" in operation
)


def nested_array(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def test_every_operation_with_a_body_is_covered():
    # The operations below are found in the schema: a new one is covered without editing this test.
    assert ("POST", "/api/alerts/rules/") in BODY_OPERATIONS
    assert ("POST", "/api/monitoring/metrics/") in BODY_OPERATIONS
    assert len(BODY_OPERATIONS) >= 12


@pytest.fixture
def ids(db):
    rule = make_rule()
    alert = make_alert(rule)
    error = ErrorLog.objects.create(fingerprint="deep", level="ERROR", message="boom")
    source = DataSource.objects.create(name="deep", base_url="http://prometheus.example:9090")
    check = Check.objects.create(name="deep", kind="tcp", host="127.0.0.1", port=9)
    channel = NotificationChannel.objects.create(kind="slack", name="deep",
                                                 secrets={"webhook_url": "https://hooks.example.com/x"})
    policy = NotificationPolicy.objects.create(name="deep")
    policy.channels.set([channel])
    silence = Silence.objects.create(matchers=[{"label": "team", "op": "=", "value": "deep"}],
                                     ends_at=timezone.now() + timedelta(hours=1), comment="deep")
    window = MaintenanceWindow.objects.create(matchers=[{"label": "team", "op": "=", "value": "deep"}],
                                              weekdays=[6], start_time=time(2, 0), end_time=time(4, 0),
                                              time_zone="Europe/Berlin", comment="deep")
    inhibition = InhibitionRule.objects.create(name="deep",
                                               source_matchers=[{"label": "team", "op": "=", "value": "a"}],
                                               target_matchers=[{"label": "team", "op": "=", "value": "b"}])
    return {"/api/alerts/rules/": rule.pk, "/api/alerts/history/": alert.pk, "/api/monitoring/errors/": error.pk,
            "/api/monitoring/data-sources/": source.pk, "/api/monitoring/checks/": check.pk,
            "/api/alerts/channels/": channel.pk,
            "/api/alerts/policies/": policy.pk, "/api/alerts/silences/": silence.pk,
            "/api/alerts/maintenance-windows/": window.pk, "/api/alerts/inhibition-rules/": inhibition.pk}


def _concrete(url: str, ids: dict) -> str:
    for prefix, pk in ids.items():
        if url.startswith(prefix + "{id}/"):
            return url.replace("{id}", str(pk))
    assert "{" not in url, url
    return url


@pytest.mark.parametrize("method, url", BODY_OPERATIONS)
@pytest.mark.parametrize("body", [nested_array(1000), nested_object(1000), nested_array(MAX_JSON_DEPTH + 1)],
                         ids=["array-1000", "object-1000", "array-just-too-deep"])
def test_a_body_nested_too_deeply_is_a_400(superuser_client, ids, method, url, body):
    response = superuser_client.generic(method, _concrete(url, ids), body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    assert f"nested more than {MAX_JSON_DEPTH} levels" in response.json()["detail"]


@pytest.mark.django_db
def test_a_body_at_the_depth_limit_is_read(superuser_client):
    # Depth 64 is parsed; the serializer then refuses it as a sample (a 400 about the fields).
    response = superuser_client.post("/api/monitoring/metrics/", nested_array(MAX_JSON_DEPTH),
                                     content_type="application/json")

    assert response.status_code == 400
    assert "nested" not in str(response.json())


# --- server errors ------------------------------------------------------------------------------


def _broken_drf_view(request):
    raise RuntimeError("the database is on fire")


def _broken_plain_view(request):
    raise RuntimeError("a plain Django view failed")


def _urls():
    from rest_framework.decorators import api_view, permission_classes
    from rest_framework.permissions import AllowAny

    drf_view = api_view(["GET"])(permission_classes([AllowAny])(_broken_drf_view))
    return [path("api/broken/", drf_view), path("api/plain-broken/", _broken_plain_view),
            path("elsewhere/broken/", _broken_plain_view)]




@pytest.fixture
def broken(settings):
    import sys
    import types

    module = types.ModuleType("core_tests_broken_urls")
    vars(module).update(urlpatterns=_urls(), handler500="core.exceptions.server_error")
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    yield
    del sys.modules[module.__name__]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/broken/", "/api/plain-broken/"])
def test_an_api_server_error_is_json_with_an_error_id_that_is_logged(client, broken, caplog, url):
    from monitoring.telemetry import buffer

    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        response = client.get(url)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] == "Internal server error"
    error_id = body["error_id"]
    assert len(error_id) == 32
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    # One record, with the id and the traceback; Django's own id-less "Internal Server Error" is not added.
    assert len(records) == 1, [r.getMessage() for r in records]
    assert error_id in records[0].getMessage()
    assert records[0].exc_info is not None
    if url == "/api/broken/":
        # The error log's entry (from the log record) carries the id too.
        batch = buffer.take(everything=True)
        assert any(error_id in group.message for group in batch.errors.values())


@pytest.mark.django_db
def test_a_server_error_outside_the_api_keeps_the_html_page(client, broken):
    client.raise_request_exception = False

    response = client.get("/elsewhere/broken/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
