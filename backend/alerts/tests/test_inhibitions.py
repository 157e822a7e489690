"""Inhibition rules (docs/architecture.md §10), against a real local Slack receiver: while a database
down alert is open, the api_* alerts of the same service are opened and recorded, their deliveries
written as skipped naming the source alert and the rule, and nothing arrives; other services'
alerts, alerts after the source resolved, and alerts under an inactive rule are sent."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from alerts.models import AlertHistory, InhibitionRule, NotificationDelivery
from alerts.services import lifecycle

from .factories import make_rule

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
HISTORY = "/api/alerts/history/"
RULES = "/api/alerts/inhibition-rules/"


@pytest.fixture
def sent(slack_server, celery_eager, django_capture_on_commit_callbacks):
    """Opens, reminds and resolves alerts at given times, their notifications sent to the local
    Slack receiver; `sent.arrived()` is what it received."""

    class Sent:
        def open(self, rule, at=T0, **group):
            with django_capture_on_commit_callbacks(execute=True):
                return lifecycle.open_alert(rule=rule, now=at, message="", context={}, value=95,
                                            group_labels=group or None)

        def remind(self, alert, at):
            with django_capture_on_commit_callbacks(execute=True):
                assert lifecycle.remind(alert=alert, now=at, value=95)

        def resolve(self, alert, at):
            with django_capture_on_commit_callbacks(execute=True):
                assert lifecycle.resolve_by_system(alert=alert, now=at, value=10, notes="back to normal")

        def arrived(self) -> list[str]:
            """The first line of each message, without the group's labels."""
            return [re.sub(r' \{[^}]*\}', "", r.json["text"].splitlines()[0]) for r in slack_server.requests]

    return Sent()


def matchers(*triples):
    return [{"label": label, "op": op, "value": value} for label, op, value in triples]


def database_down_inhibits_api(**fields) -> InhibitionRule:
    values = {
        "name": "Database down mutes the API",
        "source_matchers": matchers(("metric", "=", "db_connections"), ("severity", "=", "critical")),
        "target_matchers": matchers(("metric", "=~", "api_.*")),
        "equal": ["service"],
    }
    values.update(fields)
    return InhibitionRule.objects.create(**values)


@pytest.fixture
def rules():
    database = make_rule(name="Database down", metric_name="db_connections", severity="critical",
                         slack_enabled=True, group_by=["service"])
    api = make_rule(name="API errors", metric_name="api_error_rate", severity="high", slack_enabled=True,
                    group_by=["service"])
    return database, api


DB_FIRING = ":rotating_light: *[CRITICAL] Database down*"
API_FIRING = ":rotating_light: *[HIGH] API errors*"
API_REMINDER = ":repeat: *[HIGH] API errors* is still firing (reminder)"


def deliveries(alert):
    return list(NotificationDelivery.objects.filter(alert=alert).order_by("pk").values_list("event", "status",
                                                                                            "last_error"))


def test_an_api_alert_of_the_service_whose_database_is_down_is_recorded_as_inhibited_and_nothing_arrives(
    sent, rules, auth_client,
):
    database, api = rules
    rule = database_down_inhibits_api()
    source = sent.open(database, service="checkout")

    target = sent.open(api, at=T0 + timedelta(minutes=1), service="checkout")

    assert target.status == "active"
    assert sent.arrived() == [DB_FIRING]
    assert deliveries(target) == [("trigger", "skipped", f'Inhibited by alert #{source.pk} (Database down '
                                   f'{{service="checkout"}}) through inhibition rule #{rule.pk}: Database down '
                                   "mutes the API")]
    listed = {alert["id"]: alert["inhibited_by"] for alert in auth_client.get(HISTORY).json()["results"]}
    assert listed == {source.pk: [], target.pk: [source.pk]}
    assert auth_client.get(f"{HISTORY}{target.pk}/").json()["inhibited_by"] == [source.pk]


def test_an_api_alert_of_another_service_is_sent(sent, rules):
    database, api = rules
    database_down_inhibits_api()
    sent.open(database, service="checkout")

    other = sent.open(api, service="search")

    assert sent.arrived() == [DB_FIRING, API_FIRING]
    assert [status for _, status, _ in deliveries(other)] == ["sent"]


def test_once_the_source_resolved_a_later_target_and_the_next_reminder_are_sent_but_nothing_at_once(
    sent, rules, auth_client,
):
    database, api = rules
    database_down_inhibits_api()
    source = sent.open(database, service="checkout")
    inhibited = sent.open(api, at=T0 + timedelta(minutes=1), service="checkout")

    sent.resolve(source, T0 + timedelta(minutes=5))

    # No message is owed for the inhibited alert when its source resolves.
    assert sent.arrived() == [DB_FIRING, ":white_check_mark: *Resolved: Database down*"]
    assert auth_client.get(f"{HISTORY}{inhibited.pk}/").json()["inhibited_by"] == []
    sent.remind(AlertHistory.objects.get(pk=inhibited.pk), T0 + timedelta(minutes=31))
    assert sent.arrived()[-1] == API_REMINDER
    later = sent.open(api, at=T0 + timedelta(minutes=32), service="payments")
    assert sent.arrived()[-1] == API_FIRING
    assert [status for _, status, _ in deliveries(later)] == ["sent"]


def test_a_reminder_and_the_resolve_of_an_inhibited_alert_are_inhibited_too(sent, rules):
    database, api = rules
    database_down_inhibits_api()
    sent.open(database, service="checkout")
    target = sent.open(api, service="checkout")

    sent.remind(target, T0 + timedelta(minutes=31))
    sent.resolve(target, T0 + timedelta(minutes=40))

    assert sent.arrived() == [DB_FIRING]
    assert [(event, status) for event, status, _ in deliveries(target)] == [
        ("trigger", "skipped"), ("reminder", "skipped"), ("resolve", "skipped")]


def test_a_label_missing_on_both_alerts_counts_as_equal(sent):
    database = make_rule(name="Database down", metric_name="db_connections", severity="critical", slack_enabled=True)
    api = make_rule(name="API errors", metric_name="api_error_rate", slack_enabled=True, group_by=["service"])
    database_down_inhibits_api(equal=["cluster"])  # neither alert has a cluster label
    source = sent.open(database)

    target = sent.open(api, service="checkout")

    assert sent.arrived() == [DB_FIRING]
    assert deliveries(target)[0][2].startswith(f"Inhibited by alert #{source.pk} (Database down) through ")


def test_a_label_only_one_alert_has_is_not_equal(sent):
    database = make_rule(name="Database down", metric_name="db_connections", severity="critical", slack_enabled=True)
    api = make_rule(name="API errors", metric_name="api_error_rate", slack_enabled=True, group_by=["service"])
    database_down_inhibits_api()  # equal: service, which only the target has
    sent.open(database)

    sent.open(api, service="checkout")

    assert sent.arrived() == [DB_FIRING, API_FIRING]


def test_an_inactive_rule_has_no_effect(sent, rules, auth_client):
    database, api = rules
    database_down_inhibits_api(is_active=False)
    sent.open(database, service="checkout")

    target = sent.open(api, service="checkout")

    assert sent.arrived() == [DB_FIRING, API_FIRING]
    assert auth_client.get(f"{HISTORY}{target.pk}/").json()["inhibited_by"] == []


def test_an_alert_does_not_inhibit_itself_nor_an_alert_matching_both_sides(sent):
    # Every critical alert inhibits every critical alert of the same service: one alone is sent,
    # and two of them do not silence each other.
    first = make_rule(name="Database down", metric_name="db_connections", severity="critical", slack_enabled=True,
                      group_by=["service"])
    second = make_rule(name="Disk full", metric_name="disk_usage", severity="critical", slack_enabled=True,
                       group_by=["service"])
    InhibitionRule.objects.create(name="criticals", source_matchers=matchers(("severity", "=", "critical")),
                                  target_matchers=matchers(("severity", "=", "critical")), equal=["service"])

    sent.open(first, service="checkout")
    sent.open(second, service="checkout")

    assert sent.arrived() == [DB_FIRING, ":rotating_light: *[CRITICAL] Disk full*"]


def test_without_active_rules_no_open_alert_is_read(sent, rules, django_assert_max_num_queries):
    from alerts.services.inhibitions import inhibitions_for

    database, api = rules
    database_down_inhibits_api(is_active=False)
    alert = sent.open(api, service="checkout")
    with django_assert_max_num_queries(1):
        assert inhibitions_for(alert) == []


# --- the API --------------------------------------------------------------------------------------


def test_managers_add_change_and_delete_rules_and_viewers_read_them(auth_client, viewer_client, user):
    body = {"name": "db down", "source_matchers": matchers(("metric", "=", "db_connections")),
            "target_matchers": matchers(("metric", "=~", "api_.*")), "equal": ["service"], "comment": " outage "}

    created = auth_client.post(RULES, body, format="json")

    assert created.status_code == 201, created.json()
    rule = created.json()
    assert rule["is_active"] is True and rule["created_by"] == user.username and rule["comment"] == "outage"
    assert viewer_client.get(f"{RULES}{rule['id']}/").json()["equal"] == ["service"]
    assert viewer_client.patch(f"{RULES}{rule['id']}/", {"is_active": False}, format="json").status_code == 403
    changed = auth_client.patch(f"{RULES}{rule['id']}/", {"is_active": False, "equal": []}, format="json")
    assert changed.status_code == 200 and changed.json()["equal"] == [] and changed.json()["is_active"] is False
    assert auth_client.delete(f"{RULES}{rule['id']}/").status_code == 204
    assert not InhibitionRule.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("source_matchers", []),
    ("source_matchers", matchers(("service", "=~", ".*"))),  # would match every alert
    ("target_matchers", [{"label": "Bad-Name", "op": "=", "value": "x"}]),
    ("target_matchers", matchers(("metric", "=~", "api_("))),
    ("equal", ["service", "service"]),
    ("equal", ["Service"]),
    ("equal", "service"),
    ("name", ""),
    ("is_active", "yes"),
])
def test_a_bad_field_is_a_400_on_that_field_and_nothing_is_saved(auth_client, field, value):
    body = {"name": "db down", "source_matchers": matchers(("metric", "=", "db_connections")),
            "target_matchers": matchers(("metric", "=~", "api_.*")), "equal": ["service"], field: value}

    response = auth_client.post(RULES, body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field], response.json()
    assert not InhibitionRule.objects.exists()


# --- admin ----------------------------------------------------------------------------------------


def test_the_admin_checks_a_rule_as_the_api_does_and_lists_it(admin_client):
    form = {"name": "db down", "source_matchers": '[{"label": "metric", "op": "=", "value": "db_connections"}]',
            "target_matchers": '[{"label": "metric", "op": "=~", "value": "api_.*"}]', "equal": '["service"]',
            "is_active": "on", "comment": ""}
    bad = admin_client.post("/admin/alerts/inhibitionrule/add/", {
        **form, "source_matchers": '[{"label": "service", "op": "=~", "value": ".*"}]', "equal": '["A"]'})
    assert bad.status_code == 200
    assert {"source_matchers", "equal"} <= set(bad.context["adminform"].form.errors)
    assert not InhibitionRule.objects.exists()

    good = admin_client.post("/admin/alerts/inhibitionrule/add/", form)

    assert good.status_code == 302
    assert InhibitionRule.objects.values_list("created_by__username", "equal").get() == ("admin", ["service"])
    assert b"metric=~&quot;api_.*&quot;" in admin_client.get("/admin/alerts/inhibitionrule/").content
