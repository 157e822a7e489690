"""The shape of a catalogue metric with its current value, as the monitoring overview and the
alerts' metric catalogue both answer it (each app's api module builds on this, never on the
other's)."""

from rest_framework import serializers


class OverviewMetricSerializer(serializers.Serializer):
    name = serializers.CharField()
    # A field named label: DRF takes declared fields off the class, so Field.label stays as it is.
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField(allow_blank=True)
    category = serializers.CharField()
    kind = serializers.CharField()
    default_aggregation = serializers.CharField()
    description = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null: no data in the window.")
    no_data = serializers.BooleanField()
