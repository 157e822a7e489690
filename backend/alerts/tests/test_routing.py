"""Routing: which channels hear an alert. A rule's own fields and channels, then the notification
policies in order (stopping at the first match without `continue`); the preview says the same as
what is then delivered, to real local receivers."""

import pytest

from alerts.models import NotificationChannel, NotificationDelivery, NotificationPolicy
from alerts.services import lifecycle

from .factories import make_rule
from .receivers import WebhookServer

pytestmark = pytest.mark.django_db

POLICIES = "/api/alerts/policies/"


@pytest.fixture
def receivers(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    servers = {name: WebhookServer().start() for name in ("oncall", "alerts", "product")}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def channels(receivers):
    return {
        name: NotificationChannel.objects.create(
            kind="slack", name=f"#{name}", settings={"channel": f"#{name}"},
            secrets={"webhook_url": server.url(f"/services/{name}")},
        )
        for name, server in receivers.items()
    }


def policy(client, name, channels, matchers=(), **extra):
    response = client.post(POLICIES, {"name": name, "matchers": list(matchers), "channels": [c.pk for c in channels],
                                      **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def severity_is(value):
    return {"label": "severity", "op": "=", "value": value}


@pytest.fixture
def fire(user, django_capture_on_commit_callbacks):
    def fire(rule):
        with django_capture_on_commit_callbacks(execute=True):
            return lifecycle.trigger_by_hand(rule=rule, user=user, message="")

    return fire


def arrived(receivers):
    return {name: [r.json["channel"] for r in server.requests] for name, server in receivers.items()
            if server.requests}


def test_critical_to_on_call_everything_to_alerts_business_to_product(
    auth_client, channels, receivers, celery_eager, fire,
):
    policy(auth_client, "Critical pages on-call", [channels["oncall"]], [severity_is("critical")], **{"continue": True})
    policy(auth_client, "Business to #product", [channels["product"]],
           [{"label": "category", "op": "=", "value": "business"}], **{"continue": True})
    policy(auth_client, "Everything to #alerts", [channels["alerts"]])
    critical = make_rule(name="API down", metric_name="api_error_rate", severity="critical", slack_enabled=False)
    low = make_rule(name="Slow signups", metric_name="signups", severity="low", slack_enabled=False)

    fire(critical)
    assert arrived(receivers) == {"oncall": ["#oncall"], "alerts": ["#alerts"]}
    for server in receivers.values():
        server.requests.clear()
    fire(low)
    assert arrived(receivers) == {"product": ["#product"], "alerts": ["#alerts"]}


def test_matching_stops_at_the_first_policy_that_does_not_continue(
    auth_client, channels, receivers, celery_eager, fire,
):
    policy(auth_client, "Critical only to on-call", [channels["oncall"]], [severity_is("critical")])
    policy(auth_client, "Everything to #alerts", [channels["alerts"]])

    fire(make_rule(name="API down", severity="critical", slack_enabled=False))

    assert arrived(receivers) == {"oncall": ["#oncall"]}


def test_a_rule_s_own_channels_and_its_product_document_fields_still_notify(
    auth_client, channels, receivers, slack_server, celery_eager, fire,
):
    rule = make_rule(name="Disk", slack_enabled=True, slack_channel="#ops")
    rule.channels.set([channels["product"]])

    fire(rule)

    assert [r.json["channel"] for r in slack_server.requests] == ["#ops"]
    assert arrived(receivers) == {"product": ["#product"]}
    assert sorted(NotificationDelivery.objects.values_list("channel_name", "target")) == [
        ("#product", "#product"), ("Slack (default)", "#ops")]


def test_a_channel_named_twice_is_told_once(auth_client, channels, receivers, celery_eager, fire):
    rule = make_rule(name="Disk", slack_enabled=False, labels={"team": "ops"})
    rule.channels.set([channels["alerts"]])
    policy(auth_client, "Ops", [channels["alerts"]], [{"label": "team", "op": "=", "value": "ops"}])

    fire(rule)

    assert arrived(receivers) == {"alerts": ["#alerts"]}


def test_the_preview_says_where_an_alert_would_go_and_why(auth_client, channels):
    first = policy(auth_client, "Critical pages on-call", [channels["oncall"]], [severity_is("critical")],
                   **{"continue": True})
    policy(auth_client, "Everything to #alerts", [channels["alerts"]])
    rule = make_rule(name="API down", severity="critical", slack_enabled=False)

    response = auth_client.post(f"{POLICIES}preview/", {"rule_id": rule.pk}, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["values"]["severity"] == "critical" and data["values"]["rule"] == "API down"
    assert [(r["channel_name"], r["via"], r["policy_name"]) for r in data["routes"]] == [
        ("#oncall", "policy", "Critical pages on-call"), ("#alerts", "policy", "Everything to #alerts")]
    assert data["matched_policies"][0] == first["id"]

    by_labels = auth_client.post(f"{POLICIES}preview/", {"severity": "low", "labels": {"team": "x"}}, format="json")
    assert [r["channel_name"] for r in by_labels.json()["routes"]] == ["#alerts"]


def test_policies_are_listed_in_order_and_reordered_whole(auth_client, channels):
    a = policy(auth_client, "A", [channels["alerts"]])
    b = policy(auth_client, "B", [channels["oncall"]])
    c = policy(auth_client, "C", [channels["product"]])
    assert [p["position"] for p in (a, b, c)] == [0, 1, 2]

    response = auth_client.post(f"{POLICIES}reorder/", {"order": [c["id"], a["id"], b["id"]]}, format="json")

    assert response.status_code == 200, response.json()
    assert [p["name"] for p in response.json()] == ["C", "A", "B"]
    assert [p["name"] for p in auth_client.get(POLICIES).json()["results"]] == ["C", "A", "B"]
    partial = auth_client.post(f"{POLICIES}reorder/", {"order": [a["id"], b["id"]]}, format="json")
    assert partial.status_code == 400
    assert "missing" in partial.json()["order"][0]
    assert list(NotificationPolicy.objects.values_list("name", flat=True)) == ["C", "A", "B"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "x", "channels": []}, "channels"),
        ({"name": "x", "channels": [999999]}, "channels"),
        ({"name": "x", "channels": ["1"]}, "channels"),
        ({"name": "x", "channels": None}, "channels"),
        ({"name": "", "channels": "CH"}, "name"),
        ({"name": "x", "channels": "CH", "matchers": [{"label": "severity", "op": "~", "value": "x"}]}, "matchers"),
        ({"name": "x", "channels": "CH", "matchers": [{"label": "severity", "op": "=~", "value": "("}]}, "matchers"),
        ({"name": "x", "channels": "CH", "continue": "yes"}, "continue"),
    ],
)
def test_bad_policies_are_400s_per_field(auth_client, channels, body, field):
    body = {**body, "channels": [channels["alerts"].pk] if body["channels"] == "CH" else body["channels"]}

    response = auth_client.post(POLICIES, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert NotificationPolicy.objects.count() == 0


def test_viewers_read_policies_and_preview_but_change_nothing(viewer_client, auth_client, channels):
    created = policy(auth_client, "A", [channels["alerts"]])

    assert viewer_client.get(POLICIES).status_code == 200
    assert viewer_client.post(f"{POLICIES}preview/", {"severity": "low"}, format="json").status_code == 200
    assert viewer_client.post(POLICIES, {"name": "B", "channels": [channels["alerts"].pk]},
                              format="json").status_code == 403
    assert viewer_client.post(f"{POLICIES}reorder/", {"order": [created["id"]]}, format="json").status_code == 403
    assert viewer_client.delete(f"{POLICIES}{created['id']}/").status_code == 403


def test_a_rule_names_channels_by_id_through_the_api(auth_client, channels):
    response = auth_client.post("/api/alerts/rules/", {
        "name": "Queue depth", "metric_name": "celery_queue_length", "condition": ">", "threshold_value": 100,
        "channels": [channels["oncall"].pk],
    }, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["channels"] == [channels["oncall"].pk]
    bad = auth_client.patch(f"/api/alerts/rules/{response.json()['id']}/", {"channels": [999999]}, format="json")
    assert bad.status_code == 400 and "channels" in bad.json()


def test_a_policy_or_a_rule_cannot_name_the_default_email_channel_which_has_no_addresses_of_its_own(auth_client):
    from alerts.services.channels import default_channel

    email = default_channel("email")

    policy_answer = auth_client.post(POLICIES, {"name": "All by email", "channels": [email.pk]}, format="json")
    rule_answer = auth_client.post("/api/alerts/rules/", {
        "name": "Disk", "metric_name": "disk_usage", "condition": ">", "threshold_value": 90, "channels": [email.pk],
    }, format="json")

    for answer in (policy_answer, rule_answer):
        assert answer.status_code == 400, answer.json()
        assert "has no target of its own" in answer.json()["channels"][0]
    assert NotificationPolicy.objects.count() == 0
