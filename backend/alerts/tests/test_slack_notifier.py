"""SlackNotifier against a real HTTP server on 127.0.0.1 standing in for the incoming webhook."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts.services.messages import build_alert_message, build_test_message
from alerts.services.slack_notifier import SlackNotifier

from .conftest import SITE_URL, WEBHOOK_PATH, WEBHOOK_TOKEN
from .factories import make_alert, make_rule
from .receivers import Reply, closed_port

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def fields_of(payload) -> dict:
    return {field["title"]: field["value"] for field in payload["attachments"][0]["fields"]}


def trigger(**rule_fields):
    rule_values = {"name": "High CPU Usage", "severity": "high", "slack_enabled": True}
    rule_values.update(rule_fields)
    alert = make_alert(make_rule(**rule_values), metric_value=91.5, triggered_at=T0,
                       context={"window_minutes": 5, "aggregation": "avg"})
    return alert, build_alert_message(alert=alert, event="trigger")


def test_a_trigger_arrives_with_colour_fields_channel_username_and_link(slack_server):
    alert, message = trigger(slack_channel="#system-alerts")

    result = SlackNotifier().send(message, target="#system-alerts")

    assert result.ok and result.response_code == 200
    (request,) = slack_server.requests
    assert request.path == WEBHOOK_PATH
    assert request.headers["Content-Type"] == "application/json"
    payload = request.json
    assert payload["channel"] == "#system-alerts"
    assert payload["username"] == "Resee Alert Bot"
    assert payload["text"] == ":rotating_light: *[HIGH] High CPU Usage*"
    attachment = payload["attachments"][0]
    assert attachment["color"] == "#f97316"
    assert attachment["title"] == "High CPU Usage"
    assert attachment["title_link"] == f"{SITE_URL}/alerts/{alert.pk}"
    assert attachment["fallback"] == "[HIGH] High CPU Usage"
    assert attachment["ts"] == int(T0.timestamp())
    assert fields_of(payload) == {
        "Rule": "High CPU Usage",
        "Severity": "HIGH",
        "Metric": "cpu_usage",
        "Value": "91.5% (threshold &gt; 80%)",  # Slack reads &gt; as >
        "Window": "5 min (avg)",
        "Time": "2025-03-01 12:00:00 UTC",
        "Alert": f"<{SITE_URL}/alerts/{alert.pk}|Open alert #{alert.pk}>",
    }


@pytest.mark.parametrize(
    "severity,colour", [("critical", "#d00000"), ("high", "#f97316"), ("medium", "#eab308"), ("low", "#3b82f6")]
)
def test_the_colour_follows_the_severity(slack_server, severity, colour):
    _, message = trigger(severity=severity)

    SlackNotifier().send(message, target="#alerts")

    assert slack_server.requests[0].json["attachments"][0]["color"] == colour


def test_the_bot_name_comes_from_settings(slack_server, settings):
    settings.SLACK_BOT_NAME = "Ops Robot"
    _, message = trigger()

    SlackNotifier().send(message, target="@oncall")

    payload = slack_server.requests[0].json
    assert payload["username"] == "Ops Robot"
    assert payload["channel"] == "@oncall"


def test_a_rule_without_a_channel_goes_to_the_default_channel(settings):
    settings.SLACK_DEFAULT_CHANNEL = "#ops"
    notifier = SlackNotifier()

    assert notifier.targets_for_rule(make_rule(slack_enabled=True)) == ["#ops"]
    assert notifier.targets_for_rule(make_rule(slack_enabled=True, slack_channel="#db")) == ["#db"]
    assert notifier.targets_for_rule(make_rule(slack_enabled=False, slack_channel="#db")) == []


def test_a_reminder_says_so(slack_server):
    alert = make_alert(make_rule(severity="critical"), triggered_at=T0, last_value=97.0)
    message = build_alert_message(alert=alert, event="reminder", now=T0 + timedelta(hours=1))

    SlackNotifier().send(message, target="#alerts")

    payload = slack_server.requests[0].json
    assert payload["text"] == ":repeat: *[CRITICAL] High CPU Usage* is still firing (reminder)"
    assert payload["attachments"][0]["color"] == "#d00000"
    fields = fields_of(payload)
    assert fields["Value"] == "now 97% (fires above 80%, resolves at or below 80%)"
    assert fields["Firing since"] == "2025-03-01 12:00:00 UTC"


def test_resolved_is_green_and_says_who(slack_server, user):
    alert = make_alert(make_rule(severity="critical"), triggered_at=T0, last_value=40.0, status="resolved",
                       resolved_at=T0 + timedelta(minutes=20), resolution_notes="Scaled out.")
    by_system = build_alert_message(alert=alert, event="resolve")
    alert.resolved_by = user
    by_person = build_alert_message(alert=alert, event="resolve")

    SlackNotifier().send(by_system, target="#alerts")
    SlackNotifier().send(by_person, target="#alerts")

    system_payload, person_payload = (request.json for request in slack_server.requests)
    assert system_payload["text"] == ":white_check_mark: *Resolved: High CPU Usage*"
    assert system_payload["attachments"][0]["color"] == "#2eb67d"
    assert fields_of(system_payload)["Resolved by"] == "the system (auto-resolve)"
    assert fields_of(system_payload)["Value"] == "now 40% (fires above 80%, resolves at or below 80%)"
    assert "Scaled out." in system_payload["attachments"][0]["text"]
    assert fields_of(person_payload)["Resolved by"] == "oncall"


def test_names_cannot_ping_or_link(slack_server):
    _, message = trigger(name="<!channel> & <https://evil.example|click>")

    SlackNotifier().send(message, target="#alerts")

    payload = slack_server.requests[0].json
    assert "<!channel>" not in payload["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in payload["text"]
    assert fields_of(payload)["Rule"] == "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"


def test_a_test_message(slack_server, user):
    SlackNotifier().send(build_test_message(text="Test alert from Resee", user=user), target="#alerts")

    payload = slack_server.requests[0].json
    assert payload["attachments"][0]["text"] == "Test alert from Resee"
    assert fields_of(payload)["Requested by"] == "oncall"


# --- answers and failures -------------------------------------------------------------------------


def test_server_error_is_transient(slack_server):
    slack_server.replies.append(Reply(500, "internal_error"))

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert not result.ok
    assert result.transient
    assert result.response_code == 500
    assert result.error == "Slack answered HTTP 500: internal_error"


def test_rate_limit_is_transient_with_retry_after(slack_server):
    slack_server.replies.append(Reply(429, "rate_limited", headers={"Retry-After": "7"}))

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert (result.ok, result.transient, result.response_code, result.retry_after) == (False, True, 429, 7.0)


@pytest.mark.parametrize("status,body", [(400, "invalid_payload"), (403, "action_prohibited"), (404, "no_service"),
                                         (410, "channel_is_archived")])
def test_client_errors_are_permanent(slack_server, status, body):
    slack_server.replies.append(Reply(status, body))

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert (result.ok, result.transient, result.response_code) == (False, False, status)
    assert result.error == f"Slack answered HTTP {status}: {body}"


def test_redirects_are_not_followed(slack_server):
    slack_server.replies.append(Reply(302, "", headers={"Location": slack_server.url("/elsewhere")}))

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert (result.ok, result.transient, result.response_code) == (False, False, 302)
    assert [request.path for request in slack_server.requests] == [WEBHOOK_PATH]


def test_a_hanging_server_times_out_as_transient(slack_server, settings):
    settings.NOTIFICATION_TIMEOUT_SECONDS = 0.3
    slack_server.replies.append(Reply(200, hang=10))

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert (result.ok, result.transient) == (False, True)
    assert result.error == "Slack did not answer within 0.3 s."


def test_a_refused_connection_is_transient_and_does_not_reveal_the_url(settings):
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}{WEBHOOK_PATH}"

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert (result.ok, result.transient) == (False, True)
    assert result.error == "Could not connect to the Slack webhook host."


def test_an_error_body_quoting_the_webhook_is_scrubbed(slack_server):
    slack_server.replies.append(Reply(400, f"bad request to {slack_server.url(WEBHOOK_PATH)} ({WEBHOOK_PATH})"))

    result = SlackNotifier().send(trigger()[1], target="#alerts")

    assert WEBHOOK_TOKEN not in result.error
    assert "/services/" not in result.error
    assert result.error.startswith("Slack answered HTTP 400: bad request to [redacted]")


@pytest.mark.parametrize(
    "url,problem",
    [
        ("", "Slack is not configured: SLACK_WEBHOOK_URL is not set."),
        ("hooks.slack.com/services/x", "Slack is not configured: SLACK_WEBHOOK_URL is not an http(s) URL."),
        ("https://hooks.slack.com/services/T/B/x", ""),
    ],
)
def test_configuration(settings, url, problem):
    settings.SLACK_WEBHOOK_URL = url

    assert SlackNotifier().configuration_problem() == problem
    assert SlackNotifier().is_configured() is (problem == "")
