"""Issue 10: conditions written as symbols everywhere a condition is read; rules on a custom
metric before its first sample; reminder and resolve texts that state both thresholds; times that
say their zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts.models import AlertRule
from alerts.services import alert_engine
from alerts.services.alert_engine import AlertEngine
from alerts.services.email_notifier import EmailNotifier
from alerts.services.messages import build_alert_message, format_time
from alerts.services.rules import create_rule
from alerts.services.slack_notifier import SlackNotifier
from monitoring.models import MetricSample

from .factories import make_alert, make_rule

pytestmark = pytest.mark.django_db

RULES = "/api/alerts/rules/"
BODY = {"name": "Queue", "metric_name": "cpu_usage", "threshold_value": 80, "time_window_minutes": 5}
SYMBOLS = [(">", "gt"), (">=", "gte"), ("<", "lt"), ("<=", "lte"), ("=", "eq"), ("==", "eq"), ("!=", "ne")]


@pytest.fixture(autouse=True)
def _clean_engine_cache():
    cache.delete(alert_engine.EVALUATIONS_CACHE_KEY)


# --- conditions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("symbol, code", SYMBOLS)
def test_the_api_takes_a_condition_symbol_and_stores_the_code(auth_client, symbol, code):
    created = auth_client.post(RULES, {**BODY, "condition": symbol}, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["condition"] == code
    assert AlertRule.objects.get().condition == code
    changed = auth_client.patch(f"{RULES}{created.json()['id']}/", {"condition": "<"}, format="json")
    assert changed.json()["condition"] == "lt"


def test_the_dry_run_takes_a_symbol(auth_client):
    response = auth_client.post(f"{RULES}evaluate/", {**BODY, "condition": ">="}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["condition"] == "gte"


def test_the_rule_and_history_lists_filter_by_symbol(auth_client):
    gt = make_rule(name="Above", condition="gt")
    make_rule(name="Below", condition="lt")
    make_alert(gt)

    rules = auth_client.get(RULES, {"condition": ">"})
    history = auth_client.get("/api/alerts/history/", {"condition": ">"})

    assert rules.status_code == history.status_code == 200
    names = [r["name"] for r in (rules.json()["results"] if isinstance(rules.json(), dict) else rules.json())]
    assert names == ["Above"]
    alerts = history.json()["results"] if isinstance(history.json(), dict) else history.json()
    assert [a["condition"] for a in alerts] == ["gt"]
    assert auth_client.get(RULES, {"condition": "=>"}).status_code == 400


def test_the_services_and_the_admin_form_take_a_symbol(admin_client):
    rule = create_rule(user=None, **{**BODY, "condition": "!="})
    assert rule.condition == "ne"

    response = admin_client.post("/admin/alerts/alertrule/add/", {
        "name": "From the admin", "metric_name": "cpu_usage", "condition": "<=", "threshold_value": "5",
        "time_window_minutes": "5", "severity": "medium", "cooldown_minutes": "60", "max_alerts_per_hour": "10",
        "email_recipients": "", "auto_resolve": "on", "notify_on_resolve": "on", "is_active": "on",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    assert AlertRule.objects.get(name="From the admin").condition == "lte"


# --- a rule ahead of its data ---------------------------------------------------------------------


def test_a_rule_on_a_custom_metric_without_samples_is_created_with_a_warning_and_reads_no_data(auth_client):
    response = auth_client.post(RULES, {**BODY, "metric_name": "checkout_failures", "condition": "gt"},
                                format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == [
        "No samples of checkout_failures yet: the rule reads no data until the first arrives."
    ]
    rule = AlertRule.objects.get()
    now = timezone.now()
    AlertEngine(now=now).run()
    rule.refresh_from_db()
    assert rule.state == "no_data"
    assert rule.last_error == ""

    MetricSample.objects.create(name="checkout_failures", value=120, timestamp=now + timedelta(seconds=30))
    AlertEngine(now=now + timedelta(minutes=1)).run()
    rule.refresh_from_db()
    assert rule.state == "firing"
    updated = auth_client.patch(f"{RULES}{rule.pk}/", {"threshold_value": 200}, format="json")
    assert updated.json()["warnings"] == []


def test_a_catalogue_metric_has_no_warning(auth_client):
    response = auth_client.post(RULES, {**BODY, "condition": "gt"}, format="json")

    assert response.json()["warnings"] == []


# --- texts ----------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)


def hysteresis_alert():
    rule = make_rule(name="Queue depth", metric_name="queue_depth", condition="gt", threshold_value=100,
                     resolve_threshold=70, slack_enabled=True)
    return make_alert(rule, metric_value=250.0, last_value=80.0, triggered_at=T0,
                      message="queue_depth (avg over 5 min) is 250, > 100",
                      context={"window_minutes": 5, "aggregation": "avg", "resolve_threshold": 70.0})


def test_a_reminder_under_hysteresis_states_the_value_now_and_both_thresholds():
    message = build_alert_message(alert=hysteresis_alert(), event="reminder", now=T0 + timedelta(hours=1))

    assert message.headline == (
        "Still firing since 2026-11-27 12:00:30 UTC: queue_depth is now 80 (fires above 100, resolves at or below 70)."
    )
    assert message.text == "When it fired: queue_depth (avg over 5 min) is 250, > 100"
    fields = {f["title"]: f["value"] for f in SlackNotifier().build_payload(message, target="#a")["attachments"][0]
              ["fields"]}
    assert fields["Value"] == "now 80 (fires above 100, resolves at or below 70)"
    _, text, html = EmailNotifier().render(message)
    assert "Value:        now 80 (fires above 100, resolves at or below 70)" in text
    assert "threshold &gt; 100" not in html


def test_a_resolve_states_the_value_and_both_thresholds():
    alert = hysteresis_alert()
    alert.status, alert.resolved_at, alert.last_value = "resolved", T0 + timedelta(hours=2), 65.0

    message = build_alert_message(alert=alert, event="resolve")

    assert message.headline == (
        "Resolved automatically: queue_depth is now 65 (fires above 100, resolves at or below 70)."
    )


def test_the_engine_resolve_note_says_which_threshold_it_went_back_past():
    rule = make_rule(metric_name="cpu_usage", condition="gt", threshold_value=100, resolve_threshold=70,
                     time_window_minutes=1, aggregation="last")
    MetricSample.objects.create(name="cpu_usage", value=250, timestamp=T0 - timedelta(seconds=20))
    AlertEngine(now=T0).run()
    MetricSample.objects.create(name="cpu_usage", value=65, timestamp=T0 + timedelta(seconds=40))
    AlertEngine(now=T0 + timedelta(minutes=1)).run()

    alert = rule.alerts.get()
    assert alert.resolution_notes == "Resolved automatically: cpu_usage is 65 (resolves at or below 70)."


@pytest.mark.parametrize("zone, expected", [
    ("UTC", "2026-11-27 12:00:30 UTC"), ("Europe/Paris", "2026-11-27 13:00:30 CET"),
    ("America/New_York", "2026-11-27 07:00:30 EST"),
])
def test_times_in_messages_say_their_zone(settings, zone, expected):
    settings.TIME_ZONE = zone
    timezone.deactivate()

    assert format_time(T0) == expected
    message = build_alert_message(alert=hysteresis_alert(), event="reminder", now=T0)
    assert f"since {expected}" in message.headline


def test_the_admin_lists_times_with_their_zone(admin_client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    make_alert(make_rule(), triggered_at=T0)

    page = admin_client.get("/admin/alerts/alerthistory/").content.decode()

    assert "2026-11-27 13:00:30 CET" in page
