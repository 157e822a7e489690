"""`?label=name:value` on the alert history and the rule list: exact values on the labels, every
one must match, a bad one is a 400 that says what is wrong."""

import pytest

from monitoring.labels import fingerprint

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

HISTORY = "/api/alerts/history/"
RULES = "/api/alerts/rules/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(item["id"] for item in response.json()["results"])


@pytest.fixture
def alerts():
    rule = make_rule(name="Error rate per route", metric_name="api_error_rate", group_by=["route", "method"],
                     labels={"team": "payments"})

    def group_alert(route, method):
        group = {"route": route, "method": method}
        return make_alert(rule, labels={"team": "payments", **group}, group_labels=group,
                          group_fingerprint=fingerprint(group))

    return {
        "orders_get": group_alert("/api/orders/", "GET"),
        "orders_post": group_alert("/api/orders/", "POST"),
        "cart": group_alert("/api/cart/", "GET"),
        "plain": make_alert(make_rule(name="High CPU Usage")),
    }


def pks(alerts, *names) -> list[int]:
    return sorted(alerts[name].pk for name in names)


def test_history_by_one_label(auth_client, alerts):
    assert ids(auth_client.get(HISTORY, {"label": "route:/api/orders/"})) == pks(alerts, "orders_get", "orders_post")
    assert ids(auth_client.get(HISTORY, {"label": "team:payments"})) == pks(alerts, "orders_get", "orders_post",
                                                                             "cart")
    assert ids(auth_client.get(HISTORY, {"label": "route:/api/nothing/"})) == []


def test_history_by_several_labels_every_one_must_match(auth_client, alerts):
    both = auth_client.get(f"{HISTORY}?label=route:/api/orders/&label=method:GET")
    assert ids(both) == pks(alerts, "orders_get")
    # With the other filters.
    assert ids(auth_client.get(f"{HISTORY}?label=method:GET&metric_name=api_error_rate")) == pks(
        alerts, "orders_get", "cart")
    assert ids(auth_client.get(f"{HISTORY}?label=method:GET&label=method:POST")) == []


def test_values_are_exact_text(auth_client, alerts):
    assert ids(auth_client.get(HISTORY, {"label": "route:/api/orders"})) == []  # no prefix match
    assert ids(auth_client.get(HISTORY, {"label": "route:/API/ORDERS/"})) == []  # nor another case
    numeric = make_alert(make_rule(name="By status"), labels={"status": "500", "note": "a:b, c"})
    assert ids(auth_client.get(HISTORY, {"label": "status:500"})) == [numeric.pk]
    # The first colon splits: the value may hold colons (and commas).
    assert ids(auth_client.get(HISTORY, {"label": "note:a:b, c"})) == [numeric.pk]


def test_a_label_named_like_a_lookup_is_read_as_a_key(auth_client, alerts):
    odd = make_alert(make_rule(name="Odd names"), labels={"contains": "x", "in": "y", "a__b": "z"})

    assert ids(auth_client.get(HISTORY, {"label": "contains:x"})) == [odd.pk]
    assert ids(auth_client.get(HISTORY, {"label": "in:y"})) == [odd.pk]
    assert ids(auth_client.get(HISTORY, {"label": "a__b:z"})) == [odd.pk]


def test_an_empty_value_means_the_label_is_absent(auth_client, alerts):
    assert ids(auth_client.get(HISTORY, {"label": "route:"})) == pks(alerts, "plain")
    # An empty parameter is no filter, as for every filter here.
    assert len(ids(auth_client.get(HISTORY, {"label": ""}))) == 4
    assert ids(auth_client.get(f"{HISTORY}?label=&label=route:&label=route:")) == pks(alerts, "plain")


@pytest.mark.parametrize("query,message", [
    ("label=route", "'route': write a label filter as name:value, e.g. route:/api/orders/."),
    ("label=Route:/x/", "'Route:/x/': 'Route' is not a valid label name"),
    ("label=:x", "':x': '' is not a valid label name"),
    ("label=route:" + "x" * 129, "A label value may have at most 128 characters (this one has 129)."),
    ("label=route:%01", "A label value may not contain control characters."),
    ("&".join(f"label=l{i}:v" for i in range(11)), "At most 10 label filters (got 11)."),
    # Blanks and repeats count, as the schema's maxItems counts them.
    ("label=team:payments" + "&label=" * 10, "At most 10 label filters (got 11)."),
    ("label=team:payments" * 1 + "&label=team:payments" * 10, "At most 10 label filters (got 11)."),
])
def test_a_bad_label_filter_is_a_400_saying_what_is_wrong(auth_client, alerts, query, message):
    for url in (HISTORY, RULES):
        response = auth_client.get(f"{url}?{query}")

        assert response.status_code == 400, response.content
        body = response.json()
        assert list(body) == ["label"]
        assert any(message in problem for problem in body["label"]), body


def test_every_bad_filter_is_named_at_once(auth_client):
    response = auth_client.get(f"{HISTORY}?label=route&label=team:payments&label=9x:y")

    assert response.status_code == 400
    problems = response.json()["label"]
    assert len(problems) == 2
    assert problems[0].startswith("'9x:y': '9x' is not a valid label name")
    assert problems[1].startswith("'route': write a label filter as name:value")


def test_rules_by_label(auth_client):
    payments = make_rule(name="Checkout errors", labels={"team": "payments", "service": "checkout"})
    cart = make_rule(name="Cart errors", labels={"team": "payments", "service": "cart"})
    infra = make_rule(name="CPU", labels={"team": "infra"})
    plain = make_rule(name="No labels")

    assert ids(auth_client.get(RULES, {"label": "team:payments"})) == sorted([payments.pk, cart.pk])
    assert ids(auth_client.get(f"{RULES}?label=team:payments&label=service:checkout")) == [payments.pk]
    assert ids(auth_client.get(RULES, {"label": "team:infra"})) == [infra.pk]
    assert ids(auth_client.get(RULES, {"label": "team:"})) == [plain.pk]
    assert ids(auth_client.get(f"{RULES}?label=team:infra&severity=high")) == [infra.pk]


def test_empty_orderings_are_the_default_order_with_a_label_filter_too(auth_client, alerts):
    # `?ordering=,,` used to leave the rule list unordered, which the paginator refuses (a 500).
    newest_first = [alerts[name].pk for name in ("plain", "cart", "orders_post", "orders_get")]
    response = auth_client.get(f"{HISTORY}?ordering=,,")
    assert [item["id"] for item in response.json()["results"]] == newest_first
    by_name = auth_client.get(f"{RULES}?ordering=,,&label=team:payments")
    assert [rule["name"] for rule in by_name.json()["results"]] == ["Error rate per route"]
    assert [rule["name"] for rule in auth_client.get(f"{RULES}?ordering=,").json()["results"]] == [
        "Error rate per route", "High CPU Usage"]
