from rest_framework import serializers


class FiniteFloatField(serializers.FloatField):
    """A finite number. Unlike DRF's FloatField it refuses true and false, which Python would
    otherwise read as 1 and 0."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number that is not a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)
