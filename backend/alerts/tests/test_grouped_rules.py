"""Grouped rules (docs/architecture.md §9): one rule watches every route (queue, host ...) and opens
one alert per group that breaches, each with its own state, notified once and resolved on its own."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from alerts.models import AlertHistory, AlertRule, AlertRuleGroup, NotificationDelivery
from alerts.services import alert_engine, lifecycle, rules
from alerts.services.alert_engine import AlertEngine, RuleSnapshot, latest_evaluations
from alerts.services.dry_run import evaluate
from monitoring.labels import fingerprint
from monitoring.services import record_metric
from monitoring.sources.base import settled_minute
from monitoring.tests.helpers import store_rollup

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _clean_engine_cache(settings):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/never-called"
    settings.ALERT_CHECK_INTERVAL_SECONDS = 60
    cache.delete_many([alert_engine.EVALUATIONS_CACHE_KEY, alert_engine.GROUP_EVALUATIONS_CACHE_KEY])


def route_rule(**fields) -> AlertRule:
    defaults = dict(name="Error rate per route", metric_name="api_error_rate", condition="gt", threshold_value=5,
                    time_window_minutes=1, severity="high", slack_enabled=True, slack_channel="#ops",
                    cooldown_minutes=60, group_by=["route"])
    return AlertRule.objects.create(**(defaults | fields))


def traffic(now: datetime, routes: dict[str, tuple[int, int]]) -> None:
    """Requests in the minute a tick at `now` reads: route -> (requests, answered 5xx)."""
    for route, (count, errors) in routes.items():
        store_rollup(settled_minute(now), route=route, method="GET", count=count, status_5xx=errors)


def tick(now: datetime):
    return AlertEngine(now=now).run()


def open_routes(rule: AlertRule) -> list[str]:
    return sorted(a.group_labels["route"] for a in AlertHistory.objects.filter(rule=rule, status="active"))


def triggers_per_alert() -> dict[str, int]:
    counts: dict[str, int] = {}
    for delivery in NotificationDelivery.objects.filter(event="trigger").select_related("alert"):
        assert delivery.alert is not None  # a trigger belongs to its alert
        route = delivery.alert.group_labels.get("route", "")
        counts[route] = counts.get(route, 0) + 1
    return counts


def test_one_alert_per_breaching_route_each_notified_once_and_resolved_on_its_own():
    rule = route_rule()
    busy = {"/api/orders/": (100, 10), "/api/cart/": (200, 14), "/api/users/": (300, 3)}
    traffic(T0, busy)

    tick(T0)

    assert open_routes(rule) == ["/api/cart/", "/api/orders/"]
    rule.refresh_from_db()
    assert rule.state == "firing"
    assert rule.state_reason.startswith("2 of 3 groups firing")
    alert = AlertHistory.objects.get(rule=rule, group_labels={"route": "/api/orders/"})
    assert alert.metric_value == pytest.approx(10.0)
    assert alert.group_fingerprint == fingerprint({"route": "/api/orders/"})
    assert alert.labels == {"route": "/api/orders/"}
    assert alert.message.startswith('api_error_rate{route="/api/orders/"}')

    # Still failing a minute later: nobody hears again.
    traffic(T0 + MINUTE, busy)
    tick(T0 + MINUTE)
    assert triggers_per_alert() == {"/api/orders/": 1, "/api/cart/": 1}

    # The cart recovers; orders keep failing; a fourth route starts failing.
    traffic(T0 + 2 * MINUTE, {"/api/orders/": (100, 10), "/api/cart/": (200, 1), "/api/users/": (300, 3),
                              "/api/payments/": (50, 25)})
    tick(T0 + 2 * MINUTE)

    assert open_routes(rule) == ["/api/orders/", "/api/payments/"]
    cart = AlertHistory.objects.get(rule=rule, group_labels={"route": "/api/cart/"})
    assert cart.status == "resolved" and cart.resolved_by is None
    assert 'api_error_rate{route="/api/cart/"}' in cart.resolution_notes
    assert triggers_per_alert() == {"/api/orders/": 1, "/api/cart/": 1, "/api/payments/": 1}
    assert NotificationDelivery.objects.filter(event="resolve", alert=cart).count() == 1
    states = dict(AlertRuleGroup.objects.filter(rule=rule).values_list("labels__route", "state"))
    assert states == {"/api/orders/": "firing", "/api/cart/": "ok", "/api/users/": "ok", "/api/payments/": "firing"}


def test_matchers_exclude_what_they_should():
    rule = route_rule(label_matchers=[{"label": "route", "op": "!~", "value": "/api/health.*"}])
    traffic(T0, {"/api/health/": (100, 50), "/api/healthz/": (100, 50), "/api/orders/": (100, 10)})

    tick(T0)

    assert open_routes(rule) == ["/api/orders/"]
    assert set(AlertRuleGroup.objects.filter(rule=rule).values_list("labels__route", flat=True)) == {"/api/orders/"}


def test_without_group_by_the_matchers_select_the_series_of_one_value():
    # Without matchers: all routes together, 60 errors in 300 requests = 20 %; with them, only orders.
    traffic(T0, {"/api/orders/": (100, 2), "/api/health/": (200, 58)})
    everything = route_rule(name="All routes", group_by=[], threshold_value=10)
    orders = route_rule(name="Orders only", group_by=[], threshold_value=10,
                        label_matchers=[{"label": "route", "op": "=", "value": "/api/orders/"}])

    tick(T0)

    assert AlertHistory.objects.filter(rule=everything).count() == 1
    assert AlertHistory.objects.get(rule=everything).metric_value == pytest.approx(20.0)
    assert AlertHistory.objects.filter(rule=orders).count() == 0
    assert latest_evaluations()[orders.pk].value == pytest.approx(2.0)


def test_more_groups_than_allowed_is_an_error_that_says_how_many():
    rule = route_rule(max_series_per_rule=2)
    traffic(T0, {f"/api/r{i}/": (100, 50) for i in range(3)})

    tick(T0)

    rule.refresh_from_db()
    assert rule.state == "error"
    assert rule.state_reason.startswith("3 groups of api_error_rate by route match, more than max_series_per_rule (2)")
    assert AlertHistory.objects.count() == 0


def test_a_group_that_disappears_follows_the_no_data_behaviour():
    rule = route_rule()
    traffic(T0, {"/api/orders/": (100, 10), "/api/users/": (100, 1)})
    tick(T0)
    assert open_routes(rule) == ["/api/orders/"]

    # Neither route has traffic in the next minute's window.
    tick(T0 + MINUTE)

    rule.refresh_from_db()
    assert open_routes(rule) == ["/api/orders/"]  # no data says nothing either way: the alert stays open
    group = AlertRuleGroup.objects.get(rule=rule, labels__route="/api/orders/")
    assert group.state == "no_data"
    # The healthy route that went away has nothing open and nothing to watch: forgotten.
    assert not AlertRuleGroup.objects.filter(rule=rule, labels__route="/api/users/").exists()
    assert rule.state == "no_data"


def test_a_group_that_disappears_alerts_when_the_rule_asks_for_no_data_alerts():
    rule = route_rule(alert_on_no_data=True)
    traffic(T0, {"/api/orders/": (100, 1)})
    tick(T0)
    assert open_routes(rule) == []

    tick(T0 + MINUTE)

    assert open_routes(rule) == ["/api/orders/"]
    assert "has had no data" in AlertHistory.objects.get(rule=rule).message


def test_the_database_allows_one_open_alert_per_group():
    rule = route_rule()
    context = {"window_minutes": 1}
    first = lifecycle.open_alert(rule=rule, now=T0, message="a", context=context, value=9,
                                 group_labels={"route": "/a/"})
    lifecycle.open_alert(rule=rule, now=T0, message="b", context=context, value=9, group_labels={"route": "/b/"})

    with pytest.raises(lifecycle.AlertAlreadyActive) as refused:
        lifecycle.open_alert(rule=rule, now=T0, message="c", context=context, value=9, group_labels={"route": "/a/"})

    assert refused.value.alert_id == first.pk
    assert AlertHistory.objects.filter(rule=rule, status="active").count() == 2


def test_switching_a_grouped_rule_off_closes_every_group_alert(user):
    rule = route_rule()
    traffic(T0, {"/api/orders/": (100, 10), "/api/cart/": (100, 10)})
    tick(T0)
    assert len(open_routes(rule)) == 2

    rules.update_rule(rule=rule, user=user, is_active=False)

    assert open_routes(rule) == []


def test_max_alerts_per_hour_counts_the_groups_of_one_tick():
    rule = route_rule(max_alerts_per_hour=2)
    traffic(T0, {f"/api/r{i}/": (100, 50) for i in range(3)})

    tick(T0)

    assert len(open_routes(rule)) == 2
    held = AlertRuleGroup.objects.get(rule=rule, state="suppressed")
    assert "max_alerts_per_hour is 2" in held.state_reason


def test_a_rule_that_loses_its_group_by_resolves_its_group_alerts():
    rule = route_rule()
    traffic(T0, {"/api/orders/": (100, 10)})
    tick(T0)
    assert open_routes(rule) == ["/api/orders/"]

    AlertRule.objects.filter(pk=rule.pk).update(group_by=[], threshold_value=50)
    traffic(T0 + MINUTE, {"/api/orders/": (100, 10)})
    tick(T0 + MINUTE)

    grouped = AlertHistory.objects.get(rule=rule)
    assert grouped.status == "resolved"
    assert "grouping (group_by) changed" in grouped.resolution_notes


def test_the_api_and_the_dry_run_show_every_group_worst_first(auth_client):
    rule = route_rule()
    traffic(T0, {"/api/orders/": (100, 10), "/api/users/": (100, 1)})
    tick(T0)

    shown = auth_client.get(f"/api/alerts/rules/{rule.pk}/").json()

    assert [g["labels"] for g in shown["groups"]] == [{"route": "/api/orders/"}, {"route": "/api/users/"}]
    assert [g["state"] for g in shown["groups"]] == ["firing", "ok"]
    open_alert = AlertHistory.objects.get(rule=rule, status="active")
    assert shown["groups"][0]["open_alert_id"] == open_alert.pk
    assert shown["groups"][1]["open_alert_id"] is None


def test_the_dry_run_lists_the_groups(settings):
    from django.utils import timezone

    rule = route_rule()
    now = timezone.now()
    for minutes_ago in range(3):  # the minute the dry run reads, whichever side of a minute it falls
        traffic(now - timedelta(minutes=minutes_ago), {"/api/orders/": (100, 10), "/api/users/": (100, 1)})
    traffic(now + timedelta(minutes=1), {"/api/orders/": (100, 10), "/api/users/": (100, 1)})

    report = evaluate(rule)

    assert [(g["labels"]["route"], g["action"]) for g in report["groups"]] == [
        ("/api/orders/", "fire"), ("/api/users/", "none")
    ]
    assert report["state"] == "firing"
    assert AlertHistory.objects.count() == 0


def test_pushed_samples_with_labels_group_by_queue():
    rule = AlertRule.objects.create(name="Queue backing up", metric_name="queue_depth", condition="gt",
                                    threshold_value=100, time_window_minutes=1, aggregation="last",
                                    severity="high", group_by=["queue"], labels={"team": "platform"})
    for queue, depth in {"emails": 500, "reports": 20, "webhooks": 150}.items():
        record_metric("queue_depth", depth, timestamp=T0 - timedelta(seconds=10), labels={"queue": queue})

    tick(T0)

    opened = {a.group_labels["queue"]: a for a in AlertHistory.objects.filter(rule=rule)}
    assert sorted(opened) == ["emails", "webhooks"]
    assert opened["emails"].labels == {"team": "platform", "queue": "emails"}
    assert opened["emails"].metric_value == 500


def test_a_group_in_its_steady_state_is_decided_as_judging_it_would():
    # Groups that are known, OK, with nothing open and within the threshold skip the full judgement
    # (most groups of a tick): what they get must be what the judgement gives them.
    rule = AlertRule.objects.create(name="Queue backing up", metric_name="queue_depth", condition="gt",
                                    threshold_value=100, time_window_minutes=5, aggregation="avg",
                                    severity="high", group_by=["queue"], for_minutes=2)
    for queue, depth in {"emails": 5, "reports": 20, "webhooks": 150}.items():
        for minutes in range(3):
            record_metric("queue_depth", depth, timestamp=T0 - timedelta(minutes=minutes), labels={"queue": queue})
    tick(T0)  # the groups' rows: emails and reports OK, webhooks pending

    engine = AlertEngine(now=T0 + timedelta(minutes=1))
    (decision,) = engine.plan([rule])

    assert sorted(g.labels["queue"] for g in decision.quiet) == ["emails", "reports"]
    assert decision.groups is not None
    assert [(g.group_labels or {})["queue"] for g in decision.groups] == ["webhooks"]
    rows = {row.fingerprint: row for row in AlertRuleGroup.objects.filter(rule=rule)}
    fields = ("state", "action", "value", "reason", "state_reason", "error", "previous_state", "previous_reason",
              "group_labels", "fingerprint", "group_known", "forget", "alert")
    for quiet in decision.quiet:
        row = rows[quiet.fingerprint]
        judged = engine._judge(RuleSnapshot.of(rule), quiet.reading, None, since=row.state_changed_at,
                               previous_state=row.state, previous_reason=row.state_reason,
                               group_labels=quiet.labels, fingerprint=quiet.fingerprint, group_known=True)
        shortcut = decision.quiet_decision(quiet)
        assert [getattr(shortcut, f) for f in fields] == [getattr(judged, f) for f in fields]
    assert decision.state == "pending" and decision.reason == "3 groups evaluated"
