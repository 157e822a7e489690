"""`?search=` on the alert history and the rule list: every word must be found, in the fields the
documentation names, as a word or its beginning; on PostgreSQL from the full-text index."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from ..models import AlertHistory
from ..search import search_alerts, words
from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

HISTORY = "/api/alerts/history/"
RULES = "/api/alerts/rules/"


@pytest.fixture
def auth_client(user):
    # Signed in as the dashboard is: the search box is the alerts page's.
    client = APIClient()
    client.force_login(user)
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(item["id"] for item in response.json()["results"])


@pytest.fixture
def alerts():
    cpu = make_rule(name="High CPU Usage", metric_name="cpu_usage", description="Hosts running hot")
    errors = make_rule(name="Error rate per route", metric_name="api_error_rate", labels={"team": "payments"})
    return {
        "cpu_restarted": make_alert(cpu, message="cpu_usage > 80 on web-1", resolution_notes="Restarted the worker",
                                    status="resolved", resolved_at="2026-12-01T10:00:00Z"),
        "cpu_acked": make_alert(cpu, message="cpu_usage > 80 on db-2", acknowledged_comment="looking at the disk"),
        "orders": make_alert(errors, message="Error rate 12%", labels={"team": "payments", "route": "/api/orders/"},
                             group_fingerprint="orders"),
        "summary": make_alert(errors, message="Error rate 7%", summary="Checkout is failing for EU customers",
                              labels={"team": "payments", "route": "/api/cart/"}, group_fingerprint="cart"),
    }


def pks(alerts, *names) -> list[int]:
    return sorted(alerts[name].pk for name in names)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("worker", ["cpu_restarted"]),  # resolution notes
        ("restart", ["cpu_restarted"]),  # the beginning of a word
        ("RESTARTED Worker", ["cpu_restarted"]),  # case, every word
        ("disk", ["cpu_acked"]),  # acknowledgement comment
        ("high cpu", ["cpu_restarted", "cpu_acked"]),  # rule name
        ("db-2", ["cpu_acked"]),  # message; punctuation splits words
        ("cpu_usage web", ["cpu_restarted"]),
        ("orders", ["orders"]),  # a label value
        ("route orders", ["orders"]),  # a label name and value
        ("payments", ["orders", "summary"]),
        ("checkout eu", ["summary"]),  # the rendered summary
        ("payments checkout", ["summary"]),  # words from different fields
        ("worker disk", []),  # every word must be found in the same alert
        ("nothing-like-this", []),
    ],
)
def test_history_search(auth_client, alerts, text, expected):
    assert ids(auth_client.get(HISTORY, {"search": text})) == pks(alerts, *expected)


def test_search_combines_with_the_other_filters(auth_client, alerts):
    found = auth_client.get(HISTORY, {"search": "cpu", "status": "active"})
    assert ids(found) == pks(alerts, "cpu_acked")


def test_a_search_of_no_words_filters_nothing(auth_client, alerts):
    assert len(ids(auth_client.get(HISTORY, {"search": " -- "}))) == len(alerts)


@pytest.mark.parametrize("text", ["%", "_", "'", '"" & | ! ( ) :* <->', "\\", "'; --", "__"])
def test_punctuation_is_no_word_and_no_error(auth_client, alerts, text):
    # Nothing of it reaches a LIKE pattern or a tsquery as syntax.
    assert len(ids(auth_client.get(HISTORY, {"search": text}))) == len(alerts)


@pytest.mark.parametrize("text", ["zz\x00zz", "x" * 500, "ü" * 80, "café:* | worker"])
def test_odd_words_are_answered(auth_client, alerts, text):
    response = auth_client.get(HISTORY, {"search": text})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_an_overlong_search_is_a_400(auth_client, alerts):
    response = auth_client.get(HISTORY, {"search": "x" * 501})
    assert response.status_code == 400
    assert "search" in response.json()


def test_words_are_bounded():
    assert words("a " * 100) == ["a"]
    assert len(words(" ".join(f"w{i}" for i in range(50)))) == 12
    assert words("Route:/api/orders/") == ["route", "api", "orders"]
    assert words("cpu_usage") == ["cpu", "usage"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cpu", ["cpu"]),
        ("hot", ["cpu"]),  # description
        ("payments", ["errors"]),  # labels
        ("rate route", ["errors"]),
        ("runbook", []),
    ],
)
def test_rule_search(auth_client, text, expected):
    rules = {
        "cpu": make_rule(name="High CPU Usage", description="Hosts running hot"),
        "errors": make_rule(name="Error rate per route", metric_name="api_error_rate", labels={"team": "payments"}),
    }
    assert ids(auth_client.get(RULES, {"search": text})) == sorted(rules[name].pk for name in expected)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the full-text index is PostgreSQL's")
def test_postgresql_answers_from_the_full_text_index(alerts):
    queryset = search_alerts(AlertHistory.objects.all(), "restart worker")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "alerthistory_search" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search document is PostgreSQL's")
def test_the_search_document_follows_changes(auth_client, alerts):
    alert = alerts["cpu_acked"]
    assert ids(auth_client.get(HISTORY, {"search": "failover"})) == []
    AlertHistory.objects.filter(pk=alert.pk).update(resolution_notes="Failover to the replica")
    assert ids(auth_client.get(HISTORY, {"search": "failover"})) == [alert.pk]
