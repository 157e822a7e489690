"""The OpenAPI schema: valid without a warning, behind authentication, with offline interactive docs;
and the API keeps its promises under Schemathesis (no server error, every answer as documented)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)
from schemathesis.generation import GenerationMode

from alerts.tests.factories import make_alert, make_delivery, make_rule
from core import tokens
from core.models import ApiToken
from monitoring.models import Check, DataSource, ErrorLog, MetricSample
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

SCHEMATHESIS_MAX_EXAMPLES = 25

# Created for each operation's test; a fixed key, so the header can be set once for the schema.
SCHEMATHESIS_TOKEN = "schemathesis0token0for0the0api0tests00000"[:40]

schema = schemathesis.openapi.from_dict(api_schema())
schema.app = application
schema.config.update(headers={"Authorization": f"Bearer {SCHEMATHESIS_TOKEN}"})
# Bounded and repeatable: a few examples per operation, derandomized; valid and invalid data.
schema.config.generation.update(
    max_examples=SCHEMATHESIS_MAX_EXAMPLES,
    deterministic=True,
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])

# Every check Schemathesis has (`--checks all`) that applies to one operation at a time. The
# stateful ones (use_after_free, ensure_resource_availability) need links between operations,
# which this schema does not declare: they run but find nothing to chain.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    positive_data_acceptance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    ignored_auth,
    use_after_free,
    ensure_resource_availability,
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
def slack_receiver(settings):
    """Test sends to Slack go to a real receiver on 127.0.0.1: a valid request must be answered 200,
    not "Slack is not configured"."""
    from alerts.tests.receivers import WebhookServer

    server = WebhookServer().start()
    settings.SLACK_WEBHOOK_URL = server.url("/services/T0FUZZ/B0FUZZ/fuzz")
    yield server
    server.stop()


@pytest.fixture
def api_data(django_user_model, settings, wsgi_keeps_the_test_transaction, slack_receiver):
    from alerts.models import NotificationChannel, NotificationPolicy

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True  # the channel's test send reaches the local receiver
    superuser = django_user_model.objects.create_superuser(username="fuzz", password="pw-fuzz-1")
    ApiToken.objects.create(user=superuser, name="fuzz", digest=tokens.digest(SCHEMATHESIS_TOKEN), hint="fuzz")
    rule = make_rule()
    alert = make_alert(rule)
    make_delivery(alert=alert)
    make_alert(make_rule(name="resolved"), status="resolved")
    MetricSample.objects.create(name="cpu_usage", value=42.0)
    ErrorLog.objects.create(fingerprint="fuzz", level="ERROR", message="boom")
    DataSource.objects.create(name="fuzz", base_url="http://127.0.0.1:9")
    Check.objects.create(name="fuzz", kind="tcp", host="127.0.0.1", port=9)
    channel = NotificationChannel.objects.create(
        kind="slack", name="fuzz", settings={"channel": "#fuzz"},
        secrets={"webhook_url": slack_receiver.url("/services/T0FUZZ/B0FUZZ/second")},
    )
    NotificationPolicy.objects.create(name="fuzz").channels.set([channel])
    from datetime import time, timedelta

    from alerts.models import InhibitionRule, MaintenanceWindow, Silence

    Silence.objects.create(matchers=[{"label": "team", "op": "=", "value": "fuzz"}], comment="fuzz",
                           ends_at=datetime.now(UTC) + timedelta(hours=1))
    MaintenanceWindow.objects.create(matchers=[{"label": "team", "op": "=", "value": "fuzz"}], weekdays=[6],
                                     start_time=time(2, 0), end_time=time(4, 0), time_zone="Europe/Berlin",
                                     comment="fuzz")
    InhibitionRule.objects.create(name="fuzz", source_matchers=[{"label": "team", "op": "=", "value": "fuzz"}],
                                  target_matchers=[{"label": "team", "op": "=", "value": "fuzzed"}], equal=["service"])
    return rule.pk


def _existing_rule(case, rule_id: int) -> None:
    """A dry run's `rule_id` must name a saved rule (else a 400 on that field): valid cases name
    one, since a schema cannot list which ids exist. Other operations answer 404 for an unknown id,
    which Schemathesis counts as accepting the request."""
    if case.operation.label == "POST /api/alerts/rules/evaluate/" and isinstance(case.body, dict):
        if isinstance(case.body.get("rule_id"), int):
            case.body["rule_id"] = rule_id


def _consistent_rule(body) -> None:
    """A rule's two rules across fields: email on needs a recipient, and the resolve threshold
    lies on the resolving side of the threshold. The schema states fields one at a time; valid
    cases are made consistent (invalid ones are left as they are, and must be refused)."""
    from django.core.exceptions import ValidationError

    from alerts.validators import normalize_condition, validate_resolve_threshold

    if not isinstance(body, dict):
        return
    _valid_annotations(body)
    if body.get("email_enabled") is True and not _recipients_in(body.get("email_recipients")):
        body["email_recipients"] = ["ops@resee.com"]
    # A change of a saved rule keeps its condition and threshold (make_rule's: gt 80) unless sent.
    threshold, resolve = body.get("threshold_value", 80.0), body.get("resolve_threshold")
    if isinstance(resolve, (int, float)) and isinstance(threshold, (int, float)):
        try:
            validate_resolve_threshold(condition=normalize_condition(body.get("condition", "gt")),
                                       threshold=threshold, resolve_threshold=resolve)
        except ValidationError:
            body["resolve_threshold"] = None


def _consistent_kind(case) -> None:
    """A rule's kind decides which fields it needs: a promql rule an expression and a data source
    (an id that exists, which a schema cannot list), a metric rule a metric name. Valid cases get
    them; invalid ones keep what they have."""
    body = case.body
    if not isinstance(body, dict) or "/api/alerts/rules/" not in case.operation.label:
        return
    creating = case.operation.method.upper() == "POST"
    if body.get("kind") == "promql":
        if not str(body.get("expr") or "").strip():
            body["expr"] = "up"
        body["data_source"] = DataSource.objects.values_list("pk", flat=True).first()
    else:
        if isinstance(body.get("data_source"), int):
            body["data_source"] = DataSource.objects.values_list("pk", flat=True).first()
        if (creating and not body.get("metric_name")) or body.get("metric_name") == "":
            body["metric_name"] = "cpu_usage"


def _consistent_check(case) -> None:
    """What a schema cannot state of checks: the fields a kind needs (an http(s) URL, a host and
    port), an expected status in its syntax, a regex that compiles, valid header names, a cron
    expression, a known time zone, a timeout shorter than the interval. Valid cases get such
    values; invalid ones keep theirs."""
    from monitoring.checks import validation

    body = case.body
    if not isinstance(body, dict) or "/api/monitoring/checks/" not in case.operation.label:
        return
    kind, creating = body.get("kind"), case.operation.method.upper() == "POST"
    if "url" in body or kind == "http":
        url = body.get("url")
        if not isinstance(url, str) or (kind == "http" or url) and validation.url_error(url):
            body["url"] = "http://127.0.0.1:9/"
    if "expected_status" in body and validation.expected_status_error(body["expected_status"]):
        body["expected_status"] = "200-299"
    if isinstance(body.get("headers"), dict):
        body["headers"] = {} if validation.headers_error(body["headers"]) else body["headers"]
    if body.get("body_regex") or body.get("method") == "HEAD" or not creating:
        body["body_contains"] = ""
    if "host" in body or kind == "tcp":
        host = body.get("host")
        if not isinstance(host, str) or (kind == "tcp" or host) and validation.host_error(host):
            body["host"] = "127.0.0.1"
    if kind == "tcp" and not isinstance(body.get("port"), int):
        body["port"] = 9
    if "cron" in body and validation.cron_error(body["cron"]):
        body["cron"] = ""
    if "time_zone" in body:
        body["time_zone"] = "Europe/Berlin"
    if isinstance(body.get("timeout_seconds"), int):
        body["timeout_seconds"] = min(body["timeout_seconds"], 29)


def _consistent_routing(case, rule_id: int) -> None:
    """What a schema cannot state of channels and policies: a channel's settings and secrets are
    those its kind declares (valid cases get a valid Slack channel's; the saved one is Slack), and
    ids must name rows that exist (a channel, a rule, every policy for a new order)."""
    from alerts.models import NotificationChannel, NotificationPolicy
    from monitoring.labels import matcher_errors

    body, label = case.body, case.operation.label
    if not isinstance(body, dict):
        return
    channel_id = NotificationChannel.objects.filter(name="fuzz").values_list("pk", flat=True).first()
    if label.startswith(("POST /api/alerts/channels/", "PUT /api/alerts/channels/", "PATCH /api/alerts/channels/")) \
            and "/test/" not in label:
        if "kind" in body or not label.startswith("PATCH"):
            body["kind"] = "slack"
        body["settings"] = {"channel": "#fuzz"}
        body["secrets"] = {"webhook_url": "https://hooks.example.com/services/fuzz"}
    if isinstance(body.get("channels"), list):
        body["channels"] = [channel_id for _ in body["channels"]][:1]
    if isinstance(body.get("escalation_channels"), list):
        body["escalation_channels"] = [channel_id for _ in body["escalation_channels"]][:1]
    if label.startswith(("POST /api/alerts/policies/", "PUT /api/alerts/policies/")) and "/preview/" not in label \
            and "/reorder/" not in label and body.get("escalate_after_minutes") is not None \
            and not body.get("escalation_channels"):
        body["escalation_channels"] = [channel_id]
    if isinstance(body.get("group_by"), list) and "..." in body["group_by"]:
        body["group_by"] = ["..."]  # "every label" stands alone
    for matcher in body.get("matchers") or [] if isinstance(body.get("matchers"), list) else []:
        if isinstance(matcher, dict) and matcher_errors(matcher):
            matcher["value"] = ".*" if matcher.get("op") in ("=~", "!~") else "x"
    if label == "POST /api/alerts/policies/preview/" and isinstance(body.get("rule_id"), int):
        body["rule_id"] = rule_id
    if label == "POST /api/alerts/policies/reorder/" and isinstance(body.get("order"), list):
        body["order"] = list(NotificationPolicy.objects.values_list("pk", flat=True))


def _consistent_silences(case) -> None:
    """What a schema cannot state of silences and maintenance windows: a silence ends after it starts,
    in the future, within a year; an extension is later than the current end and sent one way;
    matchers do not all match an empty value; a time zone is an IANA name; weekdays appear once; a
    window's last day is not before its first; from_alert names an alert. Valid cases get such values;
    invalid ones keep theirs."""
    from datetime import timedelta

    from monitoring.labels import matcher_errors, parse_matchers

    body, label = case.body, case.operation.label
    if not isinstance(body, dict) or not label.split(" ", 1)[-1].startswith(
            ("/api/alerts/silences/", "/api/alerts/maintenance-windows/")):
        return
    now = datetime.now(UTC)
    matchers = body.get("matchers")
    if isinstance(matchers, list) and matchers and all(isinstance(m, dict) for m in matchers):
        for matcher in matchers:  # DRF refuses NUL in any text
            if isinstance(matcher.get("value"), str) and "\x00" in matcher["value"]:
                matcher["value"] = ".*" if matcher.get("op") in ("=~", "!~") else "x"
        # As the server reads them: their label, op and value (other keys are ignored).
        read = [{key: m.get(key) for key in ("label", "op", "value")} for m in matchers]
        if not any(matcher_errors(m) for m in read) and all(m.matches({}) for m in parse_matchers(read)):
            matchers[0]["op"], matchers[0]["value"] = "=", "x"
    if isinstance(body.get("from_alert"), int):  # the alert a silence is made from exists
        from alerts.models import AlertHistory

        body["from_alert"] = AlertHistory.objects.order_by("pk").values_list("pk", flat=True).first()
    if "/extend/" in label:
        if "ends_at" in body or "minutes" not in body:
            body.pop("minutes", None)
            body["ends_at"] = (now + timedelta(days=30)).isoformat()
    elif "/api/alerts/silences/" in label:
        if "starts_at" in body:
            body["starts_at"] = now.isoformat()
        if "ends_at" in body:
            body["ends_at"] = (now + timedelta(hours=2)).isoformat()
    if isinstance(body.get("time_zone"), str):
        body["time_zone"] = "Europe/Berlin"
    if isinstance(body.get("weekdays"), list):
        body["weekdays"] = list(dict.fromkeys(body["weekdays"]))
    starts_on, ends_on = body.get("starts_on"), body.get("ends_on")
    if isinstance(starts_on, str) and isinstance(ends_on, str) and ends_on < starts_on:
        body["starts_on"], body["ends_on"] = ends_on, starts_on


def _consistent_inhibitions(case) -> None:
    """What a schema cannot state of inhibition rules: their source and target matchers are valid
    matchers (a regex a regular expression, no NUL), not all matching an empty value. Valid cases get such
    values; invalid ones keep theirs."""
    from monitoring.labels import matcher_errors, parse_matchers

    body, label = case.body, case.operation.label
    if not isinstance(body, dict) or not label.split(" ", 1)[-1].startswith("/api/alerts/inhibition-rules/"):
        return
    for field in ("source_matchers", "target_matchers"):
        matchers = body.get(field)
        if not (isinstance(matchers, list) and matchers and all(isinstance(m, dict) for m in matchers)):
            continue
        for matcher in matchers:
            value = matcher.get("value")
            if matcher_errors({key: matcher.get(key) for key in ("label", "op", "value")}) or (
                    isinstance(value, str) and "\x00" in value):  # DRF refuses NUL in any text
                matcher["value"] = ".*" if matcher.get("op") in ("=~", "!~") else "x"
        read = [{key: m.get(key) for key in ("label", "op", "value")} for m in matchers]
        if not any(matcher_errors(m) for m in read) and all(m.matches({}) for m in parse_matchers(read)):
            matchers[0]["op"], matchers[0]["value"] = "=", "x"


def _valid_annotations(body: dict) -> None:
    """What a schema cannot state of a rule's labels fields: a label's name its pattern, a summary
    must be a template that renders, a regex matcher's value a regular expression, an exact
    matcher's value a label value.
    Valid cases get valid ones; invalid cases keep theirs."""
    from alerts.summary_template import template_error
    from monitoring.labels import label_name_error, matcher_errors

    if isinstance(body.get("labels"), dict):  # OpenAPI 3.0 has no pattern for an object's keys
        body["labels"] = {name: value for name, value in body["labels"].items() if not label_name_error(name)}
    if isinstance(body.get("summary"), str) and template_error(body["summary"]):
        body["summary"] = "{{ rule }} is at {{ value }}"
    if isinstance(body.get("label_matchers"), list):
        for matcher in body["label_matchers"]:
            if isinstance(matcher, dict) and matcher_errors(matcher):
                matcher["value"] = ".*" if matcher.get("op") in ("=~", "!~") else "x"


def _recipients_in(value) -> list[str]:
    """The addresses the server reads from `value`: "," is a schema-valid string with none."""
    from django.core.exceptions import ValidationError

    from alerts.validators import parse_email_recipients

    try:
        return [address for address in parse_email_recipients(value) if address]
    except ValidationError:
        return ["invalid: left for the server to refuse"]


def _recent_timestamps(body) -> None:
    """Pushed samples and AI calls are refused when their `timestamp` is more than 5 minutes ahead
    or older than the retention period: a bound relative to now, which a schema cannot state (it
    says so in the field's description). Valid cases get a time inside it; invalid ones keep theirs."""
    items = body if isinstance(body, list) else [body]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("timestamp"), str):
            item["timestamp"] = datetime.now(UTC).isoformat()


def _valid_sample_labels(body) -> None:
    """A pushed sample's label names follow a pattern that OpenAPI 3.0 cannot state of an object's
    keys: valid cases keep only the valid names; invalid ones keep theirs."""
    from monitoring.labels import label_name_error

    items = body if isinstance(body, list) else [body]
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("labels"), dict):
            item["labels"] = {name: value for name, value in item["labels"].items() if not label_name_error(name)}


def _consistent_tokens(case) -> None:
    """A new API token's `expires_at` must be in the future, a bound relative to now which a schema
    cannot state: valid cases get one. Revoking the token the cases are sent with would turn every
    later case into a 401: they revoke another id."""
    label = case.operation.label
    if label in ("POST /api/auth/tokens/", "POST /api/auth/token/") and isinstance(case.body, dict):
        if isinstance(case.body.get("expires_at"), str):
            case.body["expires_at"] = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    if label.startswith("DELETE /api/auth/tokens/"):
        own = ApiToken.objects.get(digest=tokens.digest(SCHEMATHESIS_TOKEN)).pk
        if str((case.path_parameters or {}).get("id")) == str(own):
            case.path_parameters["id"] = own + 1000


@pytest.mark.django_db
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_keeps_to_its_schema(case, api_data):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _recent_timestamps(case.body)
        _valid_sample_labels(case.body)
        _existing_rule(case, api_data)
        _consistent_rule(case.body)
        _consistent_kind(case)
        _consistent_check(case)
        _consistent_routing(case, api_data)
        _consistent_silences(case)
        _consistent_inhibitions(case)
        _consistent_tokens(case)
    elif case.operation.label.startswith("DELETE /api/auth/tokens/"):
        _consistent_tokens(case)
    response = case.call()
    case.validate_response(response, checks=_checks_for(case))


# Every check runs on every operation, with one exception: on the two that take a username and a
# password, a valid-looking pair is refused (400 "Wrong username or password.", as DRF's token view
# answers) unless it happens to be a real user's, which no generator can know.
CREDENTIAL_OPERATIONS = {"POST /api/auth/token/", "POST /api/auth/login/"}
# And on the configuration imports: a document is any object by its schema, valid only as each of
# its rules, channels, ... is to that kind's serializer (tested in configuration/tests).
DOCUMENT_OPERATIONS = {"POST /api/config/import/", "POST /api/config/import-prometheus/"}


def _checks_for(case) -> list:
    if case.operation.label in CREDENTIAL_OPERATIONS | DOCUMENT_OPERATIONS:
        return [check for check in CHECKS if check is not positive_data_acceptance]
    return CHECKS


def test_alerts_of_a_deleted_rule_are_counted_with_a_null_rule_id(superuser_client):
    from alerts.models import AlertRule

    rule = make_rule(name="Gone")
    make_alert(rule)
    AlertRule.objects.filter(pk=rule.pk).delete()
    schema = api_schema()["components"]["schemas"]["CountByRule"]["properties"]["rule_id"]

    by_rule = superuser_client.get("/api/alerts/stats/").json()["by_rule"]

    assert by_rule == [{"rule_id": None, "name": "Gone", "count": 1}]
    assert schema.get("nullable") is True


def test_free_texts_say_in_the_schema_that_they_take_no_nul_character():
    # The API refuses NUL in every string (DRF): a schema that allowed it had clients (and
    # Schemathesis) send valid-looking texts that were refused.
    schemas = api_schema()["components"]["schemas"]
    for schema, field in (("AIUsageInRequest", "error"), ("AlertRuleInputRequest", "description"),
                          ("ResolveRequest", "notes")):
        prop = schemas[schema]["properties"][field]
        patterns = [prop.get("pattern"), *(alt.get("pattern") for alt in prop.get("oneOf", []))]
        assert "^[^\\u0000]*$" in patterns, (schema, field, prop)
