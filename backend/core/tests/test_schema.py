"""The OpenAPI schema: valid without a warning, behind authentication, with offline interactive docs;
and the API keeps its promises under Schemathesis (no server error, every answer as documented)."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alerts.tests.factories import make_alert, make_delivery, make_rule
from monitoring.models import ErrorLog, MetricSample
from resee.wsgi import application


@pytest.mark.django_db
def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/alerts/rules/{id}/evaluate/:" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.django_db
def test_schema_and_docs_need_authentication(api_client, viewer_client):
    assert api_client.get("/api/schema/").status_code == 401
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 401
    assert docs["WWW-Authenticate"] == "Bearer"
    assert 'href="/admin/login/?next=/api/docs/"' in docs.content.decode()

    schema = viewer_client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Resee Alerts API"


@pytest.mark.django_db
def test_the_docs_page_works_offline_for_a_session_user(client, user):
    client.force_login(user)

    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    # Swagger UI from this server's static files (drf-spectacular-sidecar), not from a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


def test_every_operation_documents_its_errors():
    spec = api_schema()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (method, path)
            if operation.get("security") != []:
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)


def api_schema() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# --- Schemathesis ---------------------------------------------------------------------------------

# Created for each operation's test; a fixed key, so the header can be set once for the schema.
SCHEMATHESIS_TOKEN = "schemathesis0token0for0the0api0tests00000"[:40]

schema = schemathesis.openapi.from_dict(api_schema())
schema.app = application
schema.config.update(headers={"Authorization": f"Bearer {SCHEMATHESIS_TOKEN}"})
# Bounded and repeatable: a few examples per operation, derandomized.
schema.config.generation.update(max_examples=30, deterministic=True)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def wsgi_keeps_the_test_transaction():
    """Requests go through the real WSGI handler; like Django's test client, it must not close
    the database connection (and with it the test's transaction) after each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(django_user_model, settings, wsgi_keeps_the_test_transaction):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    superuser = django_user_model.objects.create_superuser(username="fuzz", password="pw-fuzz-1")
    Token.objects.create(user=superuser, key=SCHEMATHESIS_TOKEN)
    rule = make_rule()
    alert = make_alert(rule)
    make_delivery(alert=alert)
    make_alert(make_rule(name="resolved"), status="resolved")
    MetricSample.objects.create(name="cpu_usage", value=42.0)
    ErrorLog.objects.create(fingerprint="fuzz", level="ERROR", message="boom")


@pytest.mark.django_db
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_keeps_to_its_schema(case, api_data):
    response = case.call()
    case.validate_response(response, checks=CHECKS)
