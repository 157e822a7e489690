"""The instrumented example service (examples/django-service) against a real Resee: gunicorn, a
worker and beat. The service runs under `opentelemetry-instrument`, configured by the OTEL_*
environment variables alone; its requests' metrics and its error logs arrive over OTLP/HTTP, and a
rule on api_error_rate grouped by route fires for the failing route only."""

import json
import os
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from faults.harness import assert_alive, beat_args, gunicorn_args, http, stop_all, ticks_run, worker_args

from core.testing import PYTHON, ProcessGroup, api_key, child_env, free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EXAMPLE_DIR = Path(settings.BACKEND_DIR).parent / "examples" / "django-service"
OPENTELEMETRY_INSTRUMENT = Path(PYTHON).parent / "opentelemetry-instrument"
EXPORT_INTERVAL_SECONDS = 2.0
# Django's route patterns, as the Django instrumentation reports them in http.route.
ORDERS, CHECKOUT, HEALTH = "/orders/<int:id>/", "/checkout/", "/health/"


@pytest.fixture
def stack(tmp_path):
    group = ProcessGroup(tmp_path)
    yield group
    stop_all(group)


def example_env(resee: str, push_token: str) -> dict[str, str]:
    """The example service's whole set-up: the standard OTEL_* variables (and nothing of Resee's)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(EXAMPLE_DIR),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "OTEL_SERVICE_NAME": "example",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"{resee}/otlp",
        "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer%20{push_token}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_TRACES_EXPORTER": "none",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "otlp",
        "OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED": "true",
        "OTEL_SEMCONV_STABILITY_OPT_IN": "http",
        "OTEL_METRIC_EXPORT_INTERVAL": str(int(EXPORT_INTERVAL_SECONDS * 1000)),
        "OTEL_BLRP_SCHEDULE_DELAY": str(int(EXPORT_INTERVAL_SECONDS * 1000)),
    }


def get_json(url: str, token: str):
    status, text = http("GET", url, token=token)
    assert status == 200, f"GET {url}: {status} {text[:500]}"
    return json.loads(text)


def test_the_example_service_reports_its_routes_and_errors_and_a_grouped_rule_fires_for_the_failing_route(
    tmp_path, stack, superuser
):
    admin = api_key(superuser)
    env = child_env(tmp_path, ALERT_CHECK_INTERVAL_SECONDS="2", ALERT_TICK_LOCK_SECONDS="1",
                    ROLLUP_SETTLE_SECONDS="1")
    resee_port, example_port = free_port(), free_port()
    resee, example = f"http://127.0.0.1:{resee_port}", f"http://127.0.0.1:{example_port}"
    stack.start("web", gunicorn_args(resee_port), env)
    stack.start("worker", worker_args("example"), env)
    stack.start("beat", beat_args(tmp_path / "beat-schedule"), env)

    def alive():
        return assert_alive(stack, *stack.processes)

    wait_for(lambda: alive() or http("GET", f"{resee}/health/")[0] == 200, timeout=60, message="Resee's web server")

    # A push token and the grouped rule, through the API as a user would make them.
    status, text = http("POST", f"{resee}/api/monitoring/push-tokens/", token=admin, body={"name": "example"})
    assert status == 201, text
    push_token = json.loads(text)["token"]
    status, text = http("POST", f"{resee}/api/alerts/rules/", token=admin, body={
        "name": "Example route failing", "metric_name": "api_error_rate", "condition": "gt", "threshold_value": 5,
        "time_window_minutes": 1, "severity": "critical", "group_by": ["route"],
        "label_matchers": [{"label": "service", "op": "=", "value": "example"}],
        "slack_enabled": False, "email_enabled": False,
    })
    assert status == 201, text
    rule_id = json.loads(text)["id"]

    stack.start("example", [str(OPENTELEMETRY_INSTRUMENT), PYTHON, str(EXAMPLE_DIR / "manage.py"), "runserver",
                            "--noreload", f"127.0.0.1:{example_port}"], example_env(resee, push_token))
    wait_for(lambda: alive() or http("GET", f"{example}/health/")[0] == 200, timeout=30,
             message="the example service")
    wait_for(lambda: alive() or ticks_run(stack, "worker") >= 1, timeout=60, message="a first tick")

    # Every request in one minute, so that the rule's one-minute window sees all of them.
    seconds_left = 60 - time.time() % 60
    if seconds_left < 2 * EXPORT_INTERVAL_SECONDS + 1:
        time.sleep(seconds_left + 0.1)
    answers = [http("GET", f"{example}/orders/{n}/")[0] for n in range(1, 9)]
    answers += [http("GET", f"{example}/checkout/?fail=1")[0] for _ in range(3)]
    answers += [http("GET", f"{example}/checkout/")[0]]
    answers += [http("GET", f"{example}/health/")[0]]
    sent_at = time.monotonic()
    assert answers == [200] * 8 + [500] * 3 + [200, 200]

    # Within two export intervals: each route's requests, errors and response times, labelled by
    # the service (the health checks before the requests above add to health/'s count).
    def example_routes():
        alive()
        routes = get_json(f"{resee}/api/monitoring/endpoints/?minutes=5", admin)["routes"]
        found = {r["route"]: r for r in routes if r["service"] == "example"}
        if not (found.get(ORDERS, {}).get("count") == 8 and found.get(CHECKOUT, {}).get("count") == 4):
            return None
        return found

    routes = wait_for(example_routes, timeout=2 * EXPORT_INTERVAL_SECONDS, interval=0.2,
                      message="the example's routes in /api/monitoring/endpoints/")
    arrived_after = time.monotonic() - sent_at
    assert (routes[ORDERS]["method"], routes[ORDERS]["status_5xx"], routes[ORDERS]["error_rate"]) == ("GET", 0, 0)
    assert (routes[CHECKOUT]["status_5xx"], routes[CHECKOUT]["error_rate"]) == (3, 75.0)
    assert routes[HEALTH]["count"] >= 2 and routes[HEALTH]["status_5xx"] == 0
    for route in (ORDERS, CHECKOUT, HEALTH):
        assert routes[route]["p95_ms"] is not None and routes[route]["p95_ms"] > 0
        assert routes[route]["avg_ms"] is not None and routes[route]["avg_ms"] > 0

    def series(metric: str) -> dict[str, list[float]]:
        """The metric's values per route over the last minutes, by minute (the example's series only)."""
        query = urllib.parse.urlencode({"minutes": 5, "label": "service:example", "split_by": "route"})
        body = get_json(f"{resee}/api/monitoring/metrics/{metric}/series/?{query}", admin)
        return {one["labels"].get("route", ""): [p["v"] for p in one["points"] if p["v"] is not None]
                for one in body["series"]}

    counts = series("api_request_count")
    assert sum(counts[ORDERS]) == 8 and sum(counts[CHECKOUT]) == 4, counts
    assert max(series("api_error_rate")[CHECKOUT]) == 75.0
    assert set(series("api_error_rate")[ORDERS]) == {0.0}
    assert all(v > 0 for v in series("api_response_time")[ORDERS])

    # The unhandled exception, logged by Django at ERROR and exported as a log record.
    def example_errors():
        alive()
        return get_json(f"{resee}/api/monitoring/errors/?service=example", admin)["results"]

    errors = wait_for(example_errors, timeout=2 * EXPORT_INTERVAL_SECONDS + 5, interval=0.2,
                      message="the example's error group")
    assert [(e["exception_type"], e["occurrences"]) for e in errors] == [("PaymentDeclined", 3)], errors

    # Once the requests' minute has settled, a tick reads it: checkout/ fails (75 % > 5 %), the
    # other routes do not.
    def open_alerts():
        alive()
        body = get_json(f"{resee}/api/alerts/history/?rule={rule_id}&status=active", admin)
        return body["results"]

    alerts = wait_for(open_alerts, timeout=75, interval=0.5, message="the grouped rule's alert")
    assert [(a["group_labels"], a["value"]) for a in alerts] == [({"route": CHECKOUT}, 75.0)]
    rule = get_json(f"{resee}/api/alerts/rules/{rule_id}/", admin)
    states = {group["labels"]["route"]: group["state"] for group in rule["groups"]}
    assert states.pop(CHECKOUT) == "firing", rule["groups"]
    assert states and set(states) <= {ORDERS, HEALTH} and set(states.values()) == {"ok"}, rule["groups"]
    print(f"routes in the API {arrived_after:.1f} s after the last request (export interval "
          f"{EXPORT_INTERVAL_SECONDS:g} s); alert {alerts[0]['id']} for {alerts[0]['group_labels']}")
