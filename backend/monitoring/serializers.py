"""The shape of a catalogue metric with its current value, as the monitoring overview and the
alerts' metric catalogue both answer it (each app's api module builds on this, never on the
other's)."""

from rest_framework import serializers


class PlacementSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="The card's (chart's) title; metrics sharing one share the card.")
    order = serializers.IntegerField(help_text="Cards (charts) come in ascending order, and their metrics too.")


class OverviewMetricSerializer(serializers.Serializer):
    name = serializers.CharField()
    # A field named label: DRF takes declared fields off the class, so Field.label stays as it is.
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField(allow_blank=True)
    category = serializers.CharField()
    kind = serializers.CharField()
    default_aggregation = serializers.CharField()
    description = serializers.CharField()
    card = PlacementSerializer(allow_null=True, help_text="On the dashboard's status cards; null: not there.")
    chart = PlacementSerializer(allow_null=True, help_text="On the dashboard's charts; null: not there.")
    value = serializers.FloatField(allow_null=True, help_text="Null: no data in the window.")
    no_data = serializers.BooleanField()
