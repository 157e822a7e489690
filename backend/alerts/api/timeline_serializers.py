"""The alert timeline's answer (GET /api/alerts/history/{id}/timeline/): services.timeline builds it."""

from rest_framework import serializers

from ..models import AlertEventKind, AlertEventVia, DeliveryStatus, NotificationEvent
from ..services.timeline import DELIVERY


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When it happened: a delivery's sent_at once sent, else its created_at.")
    kind = serializers.ChoiceField(choices=[*AlertEventKind.values, DELIVERY],
                                   help_text="What happened to the alert, or delivery (a message to a channel).")
    text = serializers.CharField(help_text="A sentence saying it, e.g. \"Trigger sent to Slack (default) (#alerts)\".")
    actor = serializers.CharField(allow_null=True, help_text="Who did it (a user name); null for the engine, an "
                                  "action link used without signing in, and deliveries.")
    via = serializers.ChoiceField(choices=AlertEventVia.values, allow_null=True,
                                  help_text="How: engine, api, admin or link (an action link); null for deliveries.")
    event = serializers.ChoiceField(choices=NotificationEvent.values, allow_null=True,
                                    help_text="A delivery's event (trigger, reminder, resolve, ...); null else.")
    channel = serializers.CharField(allow_null=True, help_text="A delivery's channel name; null else.")
    target = serializers.CharField(allow_null=True, help_text="A delivery's target (#channel, address); null else.")
    status = serializers.ChoiceField(choices=DeliveryStatus.values, allow_null=True,
                                     help_text="A delivery's status; null else.")
    delivery_id = serializers.IntegerField(allow_null=True, help_text="The delivery's id; null else.")


class TimelineSerializer(serializers.Serializer):
    alert = serializers.IntegerField(help_text="The alert's id.")
    entries = TimelineEntrySerializer(many=True, help_text="Its events and deliveries, oldest first.")
