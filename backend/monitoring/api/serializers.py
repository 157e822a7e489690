import math
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException

from core import outbound
from core.fields import (
    FiniteFloatField,
    NameField,
    SchemaPattern,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    text_field,
)
from core.lookups import MAX_ID
from core.provisioning import ProvisionedField
from core.secrets import mask

from ..catalogue import METRIC_NAME
from ..labels import MAX_LABEL_VALUE, MAX_LABELS, labels_errors
from ..models import (
    DATA_SOURCE_MAX_TIMEOUT,
    DATA_SOURCE_MIN_TIMEOUT,
    DATA_SOURCE_SECRET_KEYS,
    DataSource,
    DataSourceKind,
    ErrorLog,
    PushToken,
)
from ..serializers import OverviewMetricSerializer
from ..services import (
    ERROR_ACTIONS,
    MAX_BATCH,
    MAX_TOKENS_PER_CALL,
    metric_name_error,
    timestamp_error,
)

TIMESTAMP_HELP = (
    "Defaults to now. At most 5 minutes ahead, and within the retention period "
    "(TELEMETRY_RETENTION_DAYS, 14 days by default)."
)


class _TimestampMixin:
    def validate_timestamp(self, value):
        if message := timestamp_error(value, now=timezone.now()):
            raise serializers.ValidationError(message)
        return value


@extend_schema_field({
    "type": "object", "maxProperties": MAX_LABELS,
    "additionalProperties": {"type": "string", "maxLength": MAX_LABEL_VALUE, "pattern": r"^[^\u0000-\u001f\u007f]*$"},
    "description": f"The sample's series: at most {MAX_LABELS} labels, names `[a-z_][a-z0-9_]*` (at most 64 "
    f"characters), values at most {MAX_LABEL_VALUE} characters; an empty value is the label being absent. "
    "Without labels: the metric's series without labels.",
    "example": {"queue": "emails"},
})
class SampleLabelsField(serializers.DictField):
    child = StrictCharField(allow_blank=True, max_length=MAX_LABEL_VALUE, trim_whitespace=False)


class MetricSampleInSerializer(_TimestampMixin, serializers.Serializer):
    name = StrictCharField(max_length=64, validators=[SchemaPattern(METRIC_NAME.pattern)])
    value = FiniteFloatField()
    timestamp = serializers.DateTimeField(required=False, help_text=TIMESTAMP_HELP)
    labels = SampleLabelsField(required=False)

    def validate_name(self, value):
        if message := metric_name_error(value):
            raise serializers.ValidationError(message)
        return value

    def validate_labels(self, value):
        if problems := labels_errors(value):
            raise serializers.ValidationError(problems)
        return value


COST_PATTERN = r"^(\d{1,8}(\.\d{0,6})?|\.\d{1,6})$"
_MICRODOLLAR = Decimal("0.000001")


@extend_schema_field({
    "anyOf": [
        {"type": "string", "pattern": COST_PATTERN},
        {"type": "number", "minimum": 0, "maximum": 99_999_999.99},
    ],
    "description": "US dollars, 0 or more, below 100,000,000: a string (\"0.0046\", at most 6 decimals) or a "
    "number (rounded to 6 decimals).",
})
class CostField(serializers.DecimalField):
    """A cost in dollars. A string is read exactly (as the product's examples send it); a JSON
    number is a float already, so it is rounded to a millionth rather than refused for its last
    binary digits."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, (int, float)):
            if not (math.isfinite(data) and 0 <= data < 10**8):
                raise serializers.ValidationError("Must be a number from 0 to 99999999.99.")
            data = str(Decimal(repr(data)).quantize(_MICRODOLLAR, rounding=ROUND_HALF_UP))
        elif not isinstance(data, str) or not re.match(COST_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class AIUsageInSerializer(_TimestampMixin, serializers.Serializer):
    provider = NameField(max_length=64)
    model = NameField(max_length=128)
    operation = NameField(max_length=128, required=False, allow_blank=True, default="")
    input_tokens = StrictIntegerField(min_value=0, max_value=MAX_TOKENS_PER_CALL, required=False, default=0)
    output_tokens = StrictIntegerField(min_value=0, max_value=MAX_TOKENS_PER_CALL, required=False, default=0)
    cost_usd = CostField(max_digits=14, decimal_places=6, min_value=0, required=False, default=Decimal(0))
    success = StrictBooleanField(required=False, default=True)
    latency_ms = FiniteFloatField(min_value=0, required=False, allow_null=True, default=None)
    error = text_field(10_000, required=False, allow_blank=True, default="")
    timestamp = serializers.DateTimeField(required=False, help_text=TIMESTAMP_HELP)


def many_or_one(serializer_class, data):
    """A serializer for one object or for a batch of at most MAX_BATCH."""
    if isinstance(data, list):
        return serializer_class(data=data, many=True, max_length=MAX_BATCH, allow_empty=False)
    return serializer_class(data=data)


class CreatedSerializer(serializers.Serializer):
    created = serializers.IntegerField()


class ServiceNameField(serializers.CharField):
    """A stored service name, blank for this server's own, as its labels name it (SERVICE_NAME)."""

    def to_representation(self, value):
        return value or settings.SERVICE_NAME


class ErrorLogListSerializer(serializers.ModelSerializer):
    user: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    service = ServiceNameField(
        read_only=True,
        help_text="SERVICE_NAME for this server's own errors, else the service.name of an OTLP exporter.",
    )

    class Meta:
        model = ErrorLog
        fields = [
            "id", "level", "service", "logger", "message", "exception_type", "path", "method", "user",
            "occurrences", "first_seen", "last_seen", "resolved", "resolved_at",
        ]
        read_only_fields = fields


class ErrorLogDetailSerializer(ErrorLogListSerializer):
    class Meta(ErrorLogListSerializer.Meta):
        fields = [*ErrorLogListSerializer.Meta.fields, "traceback", "fingerprint"]
        read_only_fields = fields


class ErrorBulkSerializer(serializers.Serializer):
    ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=1000)
    action = serializers.ChoiceField(choices=ERROR_ACTIONS)


class ChangedSerializer(serializers.Serializer):
    changed = serializers.IntegerField()


# --- response shapes (for the schema) -------------------------------------------------------------


class OverviewSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    window_minutes = serializers.IntegerField()
    metrics = OverviewMetricSerializer(many=True)


class SeriesPointSerializer(serializers.Serializer):
    t = serializers.DateTimeField(help_text="Start of the bucket.")
    v = serializers.FloatField(allow_null=True, help_text="Null: no data in the bucket.")


class SplitSeriesSerializer(serializers.Serializer):
    labels = serializers.DictField(
        child=serializers.CharField(), help_text="The series' value of the split_by label ({} for series without it)."
    )
    points = SeriesPointSerializer(many=True)


class SeriesSerializer(serializers.Serializer):
    metric = serializers.CharField()
    # A field named label: DRF takes declared fields off the class, so Field.label stays as it is.
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField(allow_blank=True)
    minutes = serializers.IntegerField()
    bucket_seconds = serializers.IntegerField()
    aggregation = serializers.CharField()
    points = SeriesPointSerializer(many=True, help_text="Every series the label filters select, together.")
    split_by = serializers.CharField(allow_null=True, help_text="The label the chart is split by; null: not split.")
    series = SplitSeriesSerializer(
        many=True, help_text="Split: the top series by the metric's default aggregation over the period, largest "
        "first; not split: empty.",
    )


class MetricLabelsSerializer(serializers.Serializer):
    metric = serializers.CharField()
    labels = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each label name the metric's series had in the last day, with its values, sorted (at most 100).",
    )
    truncated = serializers.ListField(
        child=serializers.CharField(),
        help_text="The label names that had more than 100 values (the first 100 are listed).",
    )


class RouteStatsSerializer(serializers.Serializer):
    service = serializers.CharField(
        help_text="SERVICE_NAME for this server's own API, else the service.name of an OTLP exporter."
    )
    route = serializers.CharField()
    method = serializers.CharField()
    count = serializers.IntegerField()
    status_4xx = serializers.IntegerField()
    status_5xx = serializers.IntegerField()
    error_rate = serializers.FloatField(allow_null=True, help_text="Percent of requests answered 5xx.")
    avg_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    max_ms = serializers.FloatField(allow_null=True)
    queries_per_request = serializers.FloatField(allow_null=True)


class EndpointStatsSerializer(serializers.Serializer):
    minutes = serializers.IntegerField()
    ordering = serializers.CharField()
    routes = RouteStatsSerializer(many=True)


class MinutesQuerySerializer(serializers.Serializer):
    minutes = serializers.IntegerField(required=False, min_value=1, max_value=60, help_text="Default 5.")


class PushTokenSerializer(serializers.ModelSerializer):
    name = NameField(max_length=100)
    hint = serializers.CharField(read_only=True, help_text="The token's first characters, to tell tokens apart.")
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PushToken
        fields = ["id", "name", "hint", "created_by", "created_at", "last_used_at"]
        read_only_fields = ["id", "created_at", "last_used_at"]


class CreatedPushTokenSerializer(PushTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token: shown this once, never again.")

    class Meta(PushTokenSerializer.Meta):
        fields = [*PushTokenSerializer.Meta.fields, "token"]


MAX_SECRET_LENGTH = 4096
MAX_BASE_URL_LENGTH = 500
# An http(s) URL with a host name (or an IPv4 address), an optional port and path:
# no credentials, query string or fragment.
BASE_URL_RE = re.compile(
    r"[hH][tT][tT][pP][sS]?://[A-Za-z0-9][A-Za-z0-9.-]*"
    r"(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?"
    r"(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?"
)


_SECRET_TEXT = {"type": "string", "minLength": 1, "maxLength": 4096, "pattern": "^[^\\u0000-\\u001f\\u007f]+$"}


@extend_schema_field({
    "oneOf": [
        {"type": "object", "title": "bearer", "properties": {"bearer_token": _SECRET_TEXT},
         "required": ["bearer_token"], "additionalProperties": False},
        {"type": "object", "title": "basic", "properties": {"username": _SECRET_TEXT, "password": _SECRET_TEXT},
         "required": ["username", "password"], "additionalProperties": False},
        {"type": "object", "title": "none", "maxProperties": 0},
    ],
    "description": "Write-only credentials: `{\"bearer_token\": ...}`, or `{\"username\": ..., \"password\": ...}` "
    "(basic auth), or `{}` for none. Sent, they replace the stored ones; not sent, those are kept. Answered "
    "masked: `{\"bearer_token\": \"set (…ab12)\"}`.",
})
class SecretsField(serializers.Field):
    """The secrets of a row: written as values, answered masked."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected an object of secrets.")
        unknown = sorted(set(map(str, data)) - set(DATA_SOURCE_SECRET_KEYS))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown key {unknown[0]!r}: the secrets are {', '.join(DATA_SOURCE_SECRET_KEYS)}."
            )
        for key, value in data.items():
            if not isinstance(value, str) or not value:
                raise serializers.ValidationError(f"{key} must be a string that is not empty.")
            if len(value) > MAX_SECRET_LENGTH:
                raise serializers.ValidationError(f"{key} has at most {MAX_SECRET_LENGTH:,} characters.")
            if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
                raise serializers.ValidationError(f"{key} must not contain control characters.")
        if "bearer_token" in data and ("username" in data or "password" in data):
            raise serializers.ValidationError("Either a bearer token or basic auth (username and password), not both.")
        if ("username" in data) != ("password" in data):
            raise serializers.ValidationError("Basic auth needs both a username and a password.")
        return dict(data)

    def to_representation(self, value):
        return {key: mask(str(v)) for key, v in sorted((value or {}).items()) if v}


class NameTaken(APIException):
    """A name another data source has: a conflict with what exists (409), said on the field."""

    status_code = 409
    default_detail = "A data source with this name exists already."


def base_url_error(value: str) -> str | None:
    """Why `value` cannot be a data source's base URL, or None."""
    try:
        outbound.parse_target(value)
    except outbound.TargetRefused as error:
        return str(error).removeprefix("Refused: ")
    if "?" in value or "#" in value:
        return "The base URL must not have a query string or a fragment."
    if not BASE_URL_RE.fullmatch(value):
        return "Not a valid base URL: http(s)://host[:port][/path]."
    return None


class DataSourceSerializer(serializers.ModelSerializer):
    """A Prometheus-compatible data source. Its secrets are write-only: answered masked."""

    name = NameField(max_length=100)
    kind = serializers.ChoiceField(choices=DataSourceKind.choices, required=False,
                                   help_text="prometheus: Prometheus, Thanos, Mimir, VictoriaMetrics (default).")
    base_url = StrictCharField(
        max_length=MAX_BASE_URL_LENGTH, validators=[SchemaPattern(f"^{BASE_URL_RE.pattern}$")],
        help_text="The HTTP API's root, e.g. http://prometheus:9090 (or a prefix, e.g. https://mimir/prometheus); "
        "/api/v1/query is added.",
    )
    secrets = SecretsField(required=False)
    timeout_seconds = StrictIntegerField(
        required=False, min_value=DATA_SOURCE_MIN_TIMEOUT, max_value=DATA_SOURCE_MAX_TIMEOUT,
        help_text="How long a query may take (1 to 60 s, default 10).",
    )

    provisioned = ProvisionedField()

    class Meta:
        model = DataSource
        fields = ["id", "name", "kind", "base_url", "secrets", "timeout_seconds", "created_at", "updated_at",
                  "provisioned"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_base_url(self, value):
        if error := base_url_error(value):
            raise serializers.ValidationError(error)
        return value.rstrip("/")

    def validate_name(self, value):
        others = DataSource.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise NameTaken({"name": [f"A data source named {value!r} exists already."]})
        return value


class DataSourceTestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "error"])
    detail = serializers.CharField(help_text="What the data source answered to vector(1); never a credential.")
