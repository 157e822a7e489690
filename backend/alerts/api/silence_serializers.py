"""Serializers of silences and maintenance windows (docs/architecture.md §10). Their rules are the
models' validators (alerts.validators), so the admin and the API refuse the same things."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import StrictCharField, StrictIntegerField, text_field
from core.provisioning import ProvisionedField
from monitoring.labels import MAX_MATCHERS

from .. import validators
from ..models import AlertHistory, MaintenanceWindow, Silence, SilenceState
from .serializers import LabelMatcherSerializer, _label_values_field

MAX_EXTEND_MINUTES = validators.MAX_SILENCE_DAYS * 24 * 60
MATCHERS_HELP = (
    "Over the alert's labels and its severity, category, metric and rule (its name), as a notification "
    "policy's: [{\"label\": \"category\", \"op\": \"=\", \"value\": \"system\"}]; ops =, !=, =~, !~ (regexes "
    "anchored). At least one, and at least one that does not match an empty value."
)
COMMENT_HELP = (f"Why (the others on call read it). Required; at most {validators.MAX_SILENCE_COMMENT_LENGTH:,} "
                "characters.")


def _django_errors(call, *args):
    try:
        call(*args)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class UtcDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time, kept in UTC (PostgreSQL refuses offsets past ±15:59, which ISO allows); a
    time past the calendar's ends is a 400, not an overflow."""

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
            return parsed.astimezone(UTC)
        except OverflowError:
            raise serializers.ValidationError("Enter a date and time between the years 1 and 9999.") from None


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$", "example": "02:00"})
class WallClockTimeField(serializers.TimeField):
    """A local time of day in whole minutes, "HH:MM" (also "HH:MM:00"): no offset, the window's
    time zone gives it one on each day."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="HH:MM")
        parsed = super().to_internal_value(value)
        if parsed.second or parsed.microsecond:
            raise serializers.ValidationError("Whole minutes, e.g. \"02:00\".")
        return parsed


def matchers_field(**kwargs):
    return serializers.ListField(child=LabelMatcherSerializer(), min_length=1, max_length=MAX_MATCHERS,
                                 help_text=MATCHERS_HELP, **kwargs)


class _MatchersMixin:
    def validate_matchers(self, value):
        _django_errors(validators.validate_silence_matchers, value)
        return value

    def validate_comment(self, value):
        if not value.strip():
            raise serializers.ValidationError("Say why (the others on call read it): a comment is required.")
        return value.strip()


def _period_errors(starts_at: datetime, ends_at: datetime, *, now: datetime, ends_sent: bool) -> dict:
    errors: dict[str, list[str]] = {}
    if starts_at > now + timedelta(days=validators.MAX_SILENCE_DAYS):
        errors["starts_at"] = [f"A silence starts within {validators.MAX_SILENCE_DAYS} days from now."]
    errors.update(validators.silence_period_errors(starts_at, ends_at))
    if ends_sent and "ends_at" not in errors and ends_at <= now:
        errors["ends_at"] = ["In the past: this silence would hold nothing. To end a silence now, expire it "
                             "(POST .../expire/)."]
    return errors


class SilenceSerializer(_MatchersMixin, serializers.ModelSerializer):
    """A silence: alerts matching `matchers` between starts_at and ends_at are opened and recorded but
    not notified."""

    matchers = matchers_field()
    starts_at = UtcDateTimeField(required=False, help_text="Default: now.")
    ends_at = UtcDateTimeField(help_text=f"After starts_at and in the future; at most {validators.MAX_SILENCE_DAYS} "
                               "days after starts_at.")
    comment = text_field(validators.MAX_SILENCE_COMMENT_LENGTH, help_text=COMMENT_HELP)
    state = serializers.SerializerMethodField(help_text="pending (before starts_at), active, or expired (ends_at "
                                              "passed, or expired by hand).")
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    from_alert = serializers.PrimaryKeyRelatedField(
        queryset=AlertHistory.objects.all(), write_only=True, required=False,
        help_text="On create: the alert this silence was made from (the dashboard's \"silence this alert\"); its "
        "timeline records who silenced it, until when and this silence. Ignored on change.",
    )

    provisioned = ProvisionedField()

    class Meta:
        model = Silence
        fields = ["id", "matchers", "starts_at", "ends_at", "comment", "state", "created_by", "created_at",
                  "updated_at", "from_alert", "provisioned"]
        read_only_fields = ["id", "state", "created_by", "created_at", "updated_at"]

    @extend_schema_field(serializers.ChoiceField(choices=SilenceState.values))
    def get_state(self, silence) -> str:
        return silence.state_at(self.context.get("now") or timezone.now())

    def validate(self, attrs):
        now = timezone.now()
        instance = self.instance
        starts_at = attrs.get("starts_at", instance.starts_at if instance is not None else now)
        ends_at = attrs.get("ends_at", instance.ends_at if instance is not None else None)
        if ends_at is None:
            return attrs  # the field's own "required" says it
        errors = _period_errors(starts_at, ends_at, now=now, ends_sent="ends_at" in attrs)
        if errors:
            raise serializers.ValidationError(errors)
        if instance is None:
            attrs.setdefault("starts_at", now)
        return attrs


class SilenceExtendSerializer(serializers.Serializer):
    """A later end: an exact time, or a number of minutes added to the current end."""

    ends_at = UtcDateTimeField(required=False, help_text="The new end (later than the current one).")
    minutes = StrictIntegerField(required=False, min_value=1, max_value=MAX_EXTEND_MINUTES,
                                 help_text="Minutes added to the current end.")

    def validate(self, attrs):
        if ("ends_at" in attrs) == ("minutes" in attrs):
            message = "Send either ends_at or minutes, not both." if attrs else "Send ends_at or minutes."
            raise serializers.ValidationError({"ends_at": [message], "minutes": [message]})
        silence: Silence = self.context["silence"]
        now = timezone.now()
        if "minutes" in attrs:
            try:
                ends_at = silence.ends_at + timedelta(minutes=attrs["minutes"])
            except OverflowError:
                raise serializers.ValidationError({"minutes": ["Past the year 9999."]}) from None
            field = "minutes"
        else:
            ends_at, field = attrs["ends_at"], "ends_at"
            if ends_at <= silence.ends_at:
                raise serializers.ValidationError({"ends_at": [
                    f"Must be later than the current end ({silence.ends_at.isoformat()}); to end it sooner, change "
                    "its ends_at or expire it."]})
        errors = _period_errors(silence.starts_at, ends_at, now=now, ends_sent=True)
        if errors:
            raise serializers.ValidationError({field: errors.get("ends_at") or errors.get("starts_at")})
        return {"ends_at": ends_at}


class SilencePreviewInputSerializer(_MatchersMixin, serializers.Serializer):
    matchers = matchers_field()


class MatchedAlertSerializer(serializers.ModelSerializer):
    labels = _label_values_field(help_text="The rule's labels and its group's.")

    class Meta:
        model = AlertHistory
        fields = ["id", "rule", "rule_name", "severity", "metric_name", "labels", "triggered_at", "acknowledged_at"]
        read_only_fields = fields


class SilencePreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many open alerts these matchers hold.")
    alerts = MatchedAlertSerializer(many=True, help_text="The newest of them (at most 200).")


class MaintenanceWindowSerializer(_MatchersMixin, serializers.ModelSerializer):
    """A recurring silence: on each weekday, from start_time to end_time in time_zone."""

    matchers = matchers_field()
    weekdays = serializers.ListField(
        child=StrictIntegerField(min_value=0, max_value=6), min_length=1, max_length=7,
        help_text="0 Monday ... 6 Sunday: the days a window starts on.",
    )
    start_time = WallClockTimeField(help_text="Local time in time_zone, e.g. \"02:00\".")
    end_time = WallClockTimeField(help_text="Local time in time_zone; before start_time: the next day; equal: "
                                     "24 hours.")
    time_zone = StrictCharField(max_length=64, help_text="An IANA time zone name, e.g. \"Europe/Berlin\" or \"UTC\"; "
                                "the local times hold across DST changes.")
    starts_on = serializers.DateField(required=False, allow_null=True, help_text="The first day a window starts "
                                      "on; null: from now on.")
    ends_on = serializers.DateField(required=False, allow_null=True, help_text="The last day a window starts on; "
                                    "null: no end.")
    comment = text_field(validators.MAX_SILENCE_COMMENT_LENGTH, help_text=COMMENT_HELP)
    active_now = serializers.SerializerMethodField(help_text="Whether a window is open now.")
    current_ends_at = serializers.SerializerMethodField(help_text="When the open window closes; null when none is.")
    next_start = serializers.SerializerMethodField(help_text="When the next window opens; null: none is to come.")
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    provisioned = ProvisionedField()

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "matchers", "weekdays", "start_time", "end_time", "time_zone", "starts_on", "ends_on",
                  "comment", "active_now", "current_ends_at", "next_start", "created_by", "created_at", "updated_at",
                  "provisioned"]
        read_only_fields = ["id", "active_now", "current_ends_at", "next_start", "created_by", "created_at",
                            "updated_at"]

    def _now(self) -> datetime:
        return self.context.get("now") or timezone.now()

    def get_active_now(self, window) -> bool:
        return window.occurrence_at(self._now()) is not None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_current_ends_at(self, window):
        occurrence = window.occurrence_at(self._now())
        return serializers.DateTimeField().to_representation(occurrence[1]) if occurrence else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_start(self, window):
        start = window.next_start(self._now())
        return serializers.DateTimeField().to_representation(start) if start else None

    def validate_weekdays(self, value):
        _django_errors(validators.validate_weekdays, value)
        return sorted(value)

    def validate_time_zone(self, value):
        _django_errors(validators.validate_time_zone, value)
        return value

    def validate(self, attrs):
        instance = self.instance
        starts_on = attrs.get("starts_on", instance.starts_on if instance is not None else None)
        ends_on = attrs.get("ends_on", instance.ends_on if instance is not None else None)
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": ["Must be on or after starts_on."]})
        return attrs
