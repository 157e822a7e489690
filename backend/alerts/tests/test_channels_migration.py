"""Upgrading a database of the version before channels: the environment's Slack and email become
the default channels, past deliveries name them, and every rule notifies exactly where it did."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alerts.models import AlertRule, NotificationChannel, NotificationDelivery
from alerts.services.channels import routes, routing_labels

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("alerts", "0007_promql_rules")]
AFTER = [("alerts", "0008_notification_channels_and_policies")]

# Rules as the product document writes them, and the variants people made of them.
RULES = [
    {"name": "High CPU Usage", "slack_enabled": True, "slack_channel": "#system-alerts", "email_enabled": False},
    {"name": "Default channel", "slack_enabled": True, "slack_channel": "", "email_enabled": False},
    {"name": "Email only", "slack_enabled": False, "email_enabled": True,
     "email_recipients": ["dev@resee.com", "ops@resee.com"]},
    {"name": "Both", "slack_enabled": True, "slack_channel": "@oncall", "email_enabled": True,
     "email_recipients": ["ops@resee.com"]},
    {"name": "Silent", "slack_enabled": False, "email_enabled": False},
]


def where_it_went_before(rule) -> set[tuple[str, str]]:
    """What the notifier registry of the previous version queued for a rule."""
    targets = set()
    if rule.slack_enabled:
        targets.add(("slack", rule.slack_channel or "#alerts"))
    if rule.email_enabled:
        targets.update(("email", address) for address in rule.email_recipients)
    return targets


@pytest.fixture
def migrator():
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rules_and_deliveries_of_the_previous_version_keep_their_channels(migrator, settings):
    settings.SLACK_DEFAULT_CHANNEL = "#alerts"
    migrator.migrate(BEFORE)
    old = migrator.loader.project_state(BEFORE).apps
    Rule, Alert, Delivery = (old.get_model("alerts", name) for name in ("AlertRule", "AlertHistory",
                                                                        "NotificationDelivery"))
    for fields in RULES:
        Rule.objects.create(metric_name="cpu_usage", condition="gt", threshold_value=80, severity="high", **fields)
    alert = Alert.objects.create(rule=Rule.objects.first(), rule_name="High CPU Usage", severity="high",
                                 condition="gt", threshold_value=80, metric_name="cpu_usage")
    Delivery.objects.create(alert=alert, event="trigger", channel="slack", target="#system-alerts", status="sent")
    Delivery.objects.create(alert=alert, event="trigger", channel="email", target="ops@resee.com", status="failed")

    migrator = MigrationExecutor(connection)
    migrator.loader.build_graph()
    migrator.migrate(AFTER)
    # On to the latest schema, as an upgrade goes, so that today's routing code can read the rules.
    migrator = MigrationExecutor(connection)
    migrator.loader.build_graph()
    migrator.migrate(migrator.loader.graph.leaf_nodes("alerts"))

    defaults = {channel.builtin: channel for channel in NotificationChannel.objects.exclude(builtin="")}
    assert set(defaults) == {"slack", "email"}
    assert {(c.kind, c.name) for c in defaults.values()} == {("slack", "Slack (default)"), ("email", "Email (default)")}
    for rule in AlertRule.objects.all():
        now = {(route.channel.kind, route.target) for route in routes(rule=rule, values=routing_labels(rule=rule))}
        assert now == where_it_went_before(rule), rule.name
        assert all(route.channel.builtin for route in routes(rule=rule, values=routing_labels(rule=rule)))
    assert sorted(NotificationDelivery.objects.values_list("channel", "notification_channel__builtin",
                                                           "channel_name")) == [
        ("email", "email", "Email (default)"), ("slack", "slack", "Slack (default)")]
