"""Every URL the project registers, walked from the URL resolver (a new endpoint is covered without
being listed): anonymous requests get 401 with a challenge, a viewer gets 403 on every write, a
manager is let through. A view that is not a DRF view, or a path argument without a sample value,
fails here until someone decides how it is protected."""

import re
from datetime import time, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from alerts.models import InhibitionRule, MaintenanceWindow, NotificationChannel, NotificationPolicy, Silence
from alerts.tests.factories import make_alert, make_rule
from core.testing import client_for
from core.tokens import PUSH_ROUTES, create_token
from monitoring.models import Check, DataSource, ErrorLog
from monitoring.services import create_push_token

# Not behind the API's authentication, each for a reason:
EXCLUDED_NAMES = {
    "health",  # the liveness probe: public by design, says nothing
    "auth-login",  # session login (the dashboard's, another module): anonymous by definition
    "auth-csrf",  # the CSRF cookie for that login form
    "auth-token",  # username and password for a token: anonymous by definition (core/tests/test_token.py)
    "dashboard",  # the dashboard's HTML page, which logs in through the API (when it is built)
    # OTLP receivers: a push token, not a user (401 without one: monitoring/tests/test_otlp.py)
    "otlp-metrics",
    "otlp-logs",
    # An alert message's one-click action links: the signed token is the credential (or, with
    # ACTION_LINKS_REQUIRE_SIGN_IN, a signed-in user with the permission): alerts/tests/test_action_links.py
    "action-page",
    "action-sign-in",  # the sign-in form those pages send to: anonymous by definition
    # Prometheus' scrape: its own METRICS_TOKEN and/or METRICS_ALLOWED_IPS, never a session (refused
    # without them: alerts/tests/test_selfwatch.py and test_metrics_refuse_a_scrape_without_the_token below)
    "metrics",
    "metrics-slash",
    # Heartbeat pings: the check's uuid is the secret, no user (monitoring/tests/test_checks_heartbeats.py)
    "check-ping",
    "check-ping-kind",
}
EXCLUDED_PREFIXES = ("admin/",)  # Django admin: its own staff login
EXCLUDED_ROUTES = {""}  # the site root: a redirect to the admin (or the dashboard's page)
# Writes that change nothing but the caller's own session or API tokens: any signed-in user may.
SELF_SERVICE = {"auth-logout", "auth-tokens-list", "auth-tokens-detail"}
# POSTs that are reads: a dry run needs the view permission.
# Reads for managers only: viewers are refused them.
MANAGER_READS = {"audit-list"}
READ_ONLY_POSTS = {"alerts-rule-evaluate", "alerts-rule-evaluate-draft", "alerts-policy-preview",
                   "alerts-silence-preview"}

WRITE_METHODS = ("post", "put", "patch", "delete")


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def methods_of(callback) -> list[str]:
    if getattr(callback, "actions", None):
        return sorted(m for m in callback.actions if m not in ("options", "head"))
    view_class = callback.cls
    return sorted(m for m in view_class.http_method_names if m not in ("options", "head") and hasattr(view_class, m))


def endpoints():
    found = []
    for route, pattern in walk(get_resolver().url_patterns):
        if (pattern.name in EXCLUDED_NAMES or route in EXCLUDED_ROUTES
                or route.lstrip("^").startswith(EXCLUDED_PREFIXES)):
            continue
        callback = pattern.callback
        cls = getattr(callback, "cls", None)
        assert cls is not None, f"{route} ({pattern.name}) is not a DRF view: decide how it is protected"
        for method in methods_of(callback):
            found.append(pytest.param(route, pattern.name, method, id=f"{method.upper()} {pattern.name or route}"))
    return found


ENDPOINTS = endpoints()


@pytest.fixture
def objects(db):
    rule = make_rule()
    # Loopback, refused by the outbound guard: its test send answers at once.
    channel = NotificationChannel.objects.create(
        kind="slack", name="sweep", secrets={"webhook_url": "http://127.0.0.1:9/hook"}
    )
    policy = NotificationPolicy.objects.create(name="sweep")
    policy.channels.set([channel])
    return {
        "alerts-rule": rule.pk,
        "alerts-history": make_alert(rule).pk,
        "monitoring-error": ErrorLog.objects.create(fingerprint="sweep", level="ERROR", message="m").pk,
        "monitoring-push-token": create_push_token("sweep")[0].pk,
        # Loopback, refused by the outbound guard: its test answers at once.
        "monitoring-data-source": DataSource.objects.create(name="sweep", base_url="http://127.0.0.1:9").pk,
        # Loopback, refused by the outbound guard: running it answers at once.
        "monitoring-check": Check.objects.create(name="sweep", kind="tcp", host="127.0.0.1", port=9).pk,
        "alerts-channel": channel.pk,
        "alerts-policy": policy.pk,
        "alerts-silence": Silence.objects.create(
            matchers=[{"label": "team", "op": "=", "value": "sweep"}], ends_at=timezone.now() + timedelta(hours=1),
            comment="sweep",
        ).pk,
        "alerts-maintenance-window": MaintenanceWindow.objects.create(
            matchers=[{"label": "team", "op": "=", "value": "sweep"}], weekdays=[6], start_time=time(2, 0),
            end_time=time(4, 0), time_zone="Europe/Berlin", comment="sweep",
        ).pk,
        "alerts-inhibition-rule": InhibitionRule.objects.create(
            name="sweep", source_matchers=[{"label": "team", "op": "=", "value": "sweep"}],
            target_matchers=[{"label": "team", "op": "=", "value": "swept"}], equal=["service"],
        ).pk,
    }


def own(objects, user) -> dict:
    """The sample objects, with an API token of `user` (one's own tokens are the only ones one sees)."""
    return {**objects, "auth-tokens": create_token(user, "sweep")[0].pk}


def url_for(route, name, objects) -> str:
    arguments = re.findall(r"\(\?P<(\w+)>|<(?:\w+:)?(\w+)>", route)
    kwargs = {}
    for regex_name, path_name in arguments:
        argument = regex_name or path_name
        if argument == "pk":
            owner = next((key for key in objects if name and name.startswith(key)), None)
            assert owner, f"no sample object for {name}: add one to the objects fixture"
            kwargs[argument] = objects[owner]
        elif argument == "name":
            kwargs[argument] = "cpu_usage"
        elif argument == "number":  # a rule's version
            kwargs[argument] = 1
        elif argument == "format":
            continue
        else:
            pytest.fail(f"no sample value for <{argument}> in {route}: add one to url_for")
    if name:
        return reverse(name, kwargs=kwargs)
    assert not kwargs, route
    return "/" + route.lstrip("^").rstrip("$")


def call(client, method, url):
    if method in WRITE_METHODS:
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


def test_the_sweep_sees_the_api():
    names = {name for _, name, _ in (p.values for p in ENDPOINTS)}
    assert {"alerts-rule-list", "alerts-history-resolve", "alerts-stats", "alerts-trigger", "alerts-metrics",
            "monitoring-overview", "monitoring-metric-ingest", "auth-me", "api-schema", "api-docs"} <= names
    assert len(ENDPOINTS) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize("route, name, method", ENDPOINTS)
def test_anonymous_requests_get_401_with_a_challenge(api_client, objects, route, name, method):
    response = call(api_client, method, url_for(route, name, {**objects, "auth-tokens": 1}))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
@pytest.mark.parametrize("route, name, method", ENDPOINTS)
def test_viewers_read_and_are_refused_every_write(viewer, objects, route, name, method):
    response = call(client_for(viewer), method, url_for(route, name, own(objects, viewer)))

    if (method in WRITE_METHODS and name not in SELF_SERVICE | READ_ONLY_POSTS) or name in MANAGER_READS:
        assert response.status_code == 403, response.content[:300]
    elif name in READ_ONLY_POSTS or (name in SELF_SERVICE and method in WRITE_METHODS):
        # Let through; an empty body may well be a 400 (a dry run of a rule with no fields, a
        # token without a name).
        assert response.status_code not in (401, 403, 405) and response.status_code < 500, response.content[:300]
    else:
        assert response.status_code < 400, response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("route, name, method", ENDPOINTS)
def test_managers_are_let_through(user, objects, route, name, method):
    # An empty body may well be a 400; what matters is that the permission check let it pass.
    response = call(client_for(user), method, url_for(route, name, own(objects, user)))

    assert response.status_code not in (401, 403, 405, 500), response.content[:300]


# Token scopes (core.tokens), with a superuser's tokens: whatever is refused is refused for the
# scope, not for a missing permission.
@pytest.mark.django_db
@pytest.mark.parametrize("route, name, method", ENDPOINTS)
def test_a_read_token_is_refused_every_write(superuser, objects, route, name, method):
    response = call(client_for(superuser, "read"), method, url_for(route, name, own(objects, superuser)))

    if method in WRITE_METHODS:
        assert response.status_code == 403, response.content[:300]
        assert "scope is read" in response.json()["detail"]
    else:
        assert response.status_code < 400, response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("route, name, method", ENDPOINTS)
def test_a_push_token_may_only_push(superuser, objects, route, name, method):
    response = call(client_for(superuser, "push"), method, url_for(route, name, own(objects, superuser)))

    if name in PUSH_ROUTES and method == "post":
        # An empty body is a 400; what matters is that the scope let it pass.
        assert response.status_code not in (401, 403, 405, 500), response.content[:300]
    else:
        assert response.status_code == 403, response.content[:300]
        if response["Content-Type"] == "application/json":  # not the HTML of the API's docs page
            assert "scope is push" in response.json()["detail"]


def test_the_push_routes_are_the_ingest_endpoints():
    names = {name for _, name, _ in (p.values for p in ENDPOINTS)}
    assert PUSH_ROUTES <= names


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/metrics", "/metrics/"])
def test_metrics_refuse_a_scrape_without_the_token(client, settings, path):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "a-scrape-token-of-some-length", []
    assert client.get(path).status_code == 401
    assert client.get(path, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    settings.METRICS_TOKEN = ""
    assert client.get(path, HTTP_AUTHORIZATION="Bearer a-scrape-token-of-some-length").status_code == 403
