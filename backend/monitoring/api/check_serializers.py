"""The checks API's serializers (contract: docs/api.md, "Checks")."""

import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException

from core.fields import NameField, StrictBooleanField, StrictCharField, StrictIntegerField
from core.provisioning import ProvisionedField

from ..checks import validation
from ..models import (
    CHECK_MAX_INTERVAL,
    CHECK_MAX_TIMEOUT,
    CHECK_METHODS,
    CHECK_MIN_INTERVAL,
    CHECK_MIN_TIMEOUT,
    Check,
    CheckKind,
    CheckResult,
    CheckStatus,
)

# Header values viewers are not shown (they may hold credentials).
SECRET_HEADER = re.compile(r"auth|cookie|token|key|secret|passw", re.IGNORECASE)
MAX_PERIOD = 366 * 86400


class NameTaken(APIException):
    """A name another check has: a conflict with what exists (409), said on the field."""

    status_code = 409
    default_detail = "A check with this name exists already."


class UptimeSerializer(serializers.Serializer):
    """Percent of runs up over the last 24 hours, 7 days and 30 days (null: no run)."""

    def get_fields(self):
        # The keys "24h", "7d" and "30d" are not Python names: the fields are made here.
        return {key: serializers.FloatField(allow_null=True, help_text=f"Percent of runs up over the last {key}.")
                for key in ("24h", "7d", "30d")}

    def to_representation(self, instance):
        return {key: instance.get(key) for key in ("24h", "7d", "30d")}


class RecentRunSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    up = serializers.BooleanField()
    response_time_ms = serializers.FloatField(allow_null=True)


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = ["at", "up", "response_time_ms", "status_code", "error"]
        read_only_fields = fields


class HeadersField(serializers.DictField):
    child = serializers.CharField(max_length=2000, allow_blank=True)

    def to_internal_value(self, data):
        if error := validation.headers_error(data):
            raise serializers.ValidationError(error)
        return data


class CheckSerializer(serializers.ModelSerializer):
    """An HTTP(S) or TCP check, or a heartbeat. State fields are read-only."""

    name = NameField(max_length=100)
    kind = serializers.ChoiceField(choices=CheckKind.choices, help_text="http, tcp or heartbeat.")
    is_active = StrictBooleanField(required=False)
    interval_seconds = StrictIntegerField(
        required=False, min_value=CHECK_MIN_INTERVAL, max_value=CHECK_MAX_INTERVAL,
        help_text=f"http/tcp: how often it runs ({CHECK_MIN_INTERVAL} s to a day; default 60).",
    )
    timeout_seconds = StrictIntegerField(
        required=False, min_value=CHECK_MIN_TIMEOUT, max_value=CHECK_MAX_TIMEOUT,
        help_text="http/tcp: how long a run may take, redirects included (1 to 60 s; default 10).",
    )
    url = StrictCharField(required=False, allow_blank=True, max_length=2000, help_text="http: the http(s):// URL.")
    method = serializers.ChoiceField(choices=[(m, m) for m in CHECK_METHODS], required=False)
    headers = HeadersField(required=False, help_text='http: request headers, e.g. {"Authorization": "Bearer ..."}.')
    expected_status = StrictCharField(
        required=False, max_length=200,
        help_text='http: the status codes that are up: "200", "200,204", "200-299,301" (default 200-299).',
    )
    body_contains = StrictCharField(required=False, allow_blank=True, max_length=1000,
                                    help_text="http: a substring the answer must contain (a regex with body_regex).")
    body_regex = StrictBooleanField(required=False)
    follow_redirects = StrictBooleanField(required=False, help_text="http: follow up to 5 redirects (default true).")
    verify_tls = StrictBooleanField(
        required=False,
        help_text="https: refuse a certificate that cannot be verified (default true); its days left are reported "
        "either way.",
    )
    host = StrictCharField(required=False, allow_blank=True, max_length=255, help_text="tcp: host name or address.")
    port = StrictIntegerField(required=False, allow_null=True, min_value=1, max_value=65535, help_text="tcp: port.")
    period_seconds = StrictIntegerField(required=False, min_value=60, max_value=MAX_PERIOD,
                                        help_text="heartbeat: a ping is expected this often (default a day).")
    grace_seconds = StrictIntegerField(required=False, min_value=0, max_value=MAX_PERIOD,
                                       help_text="heartbeat: how late a ping may be before it is down (default 1 h).")
    cron = StrictCharField(required=False, allow_blank=True, max_length=100,
                           help_text='heartbeat: a cron schedule instead of the period, e.g. "0 3 * * *".')
    time_zone = StrictCharField(required=False, max_length=64, help_text="heartbeat: the cron schedule's time zone.")
    create_rule = StrictBooleanField(
        required=False, write_only=True, default=True,
        help_text='On creation: make the ordinary rule "<name> is down" (down on 2 consecutive runs -> high).',
    )
    ping_url = serializers.SerializerMethodField()
    uptime = serializers.SerializerMethodField()
    recent = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=CheckStatus.choices, read_only=True)

    provisioned = ProvisionedField()

    class Meta:
        model = Check
        fields = [
            "id", "name", "kind", "is_active", "interval_seconds", "timeout_seconds", "url", "method", "headers",
            "expected_status", "body_contains", "body_regex", "follow_redirects", "verify_tls", "host", "port",
            "period_seconds", "grace_seconds", "cron", "time_zone", "ping_url", "status", "status_since",
            "last_checked_at", "last_response_time_ms", "last_error", "cert_days_left", "last_ping_at", "uptime",
            "recent", "rule_id", "create_rule", "created_at", "updated_at", "provisioned",
        ]
        read_only_fields = [
            "id", "status", "status_since", "last_checked_at", "last_response_time_ms", "last_error",
            "cert_days_left", "last_ping_at", "rule_id", "created_at", "updated_at",
        ]

    @extend_schema_field(serializers.CharField(help_text="heartbeat: where the job pings; \"\" for other kinds."))
    def get_ping_url(self, check: Check) -> str:
        if check.kind != CheckKind.HEARTBEAT:
            return ""
        return settings.SITE_URL + reverse("check-ping", kwargs={"key": check.ping_key})

    @extend_schema_field(UptimeSerializer)
    def get_uptime(self, check: Check) -> dict:
        return self.context.get("uptime", {}).get(check.pk) or {"24h": None, "7d": None, "30d": None}

    @extend_schema_field(RecentRunSerializer(many=True))
    def get_recent(self, check: Check) -> list:
        runs = self.context.get("recent", {}).get(check.pk, [])
        return list(RecentRunSerializer(runs, many=True).data)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and not user.has_perm("monitoring.change_check") and data.get("headers"):
            data["headers"] = {k: ("set" if SECRET_HEADER.search(k) else v) for k, v in data["headers"].items()}
        return data

    def validate_name(self, value):
        others = Check.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise NameTaken({"name": [f"A check named {value!r} exists already."]})
        return value

    # Each field on its own (so that one answer names every bad field); what depends on the kind
    # is checked in validate().
    def validate_url(self, value):
        if value and (error := validation.url_error(value)):
            raise serializers.ValidationError(error)
        return value.strip()

    def validate_expected_status(self, value):
        if error := validation.expected_status_error(value):
            raise serializers.ValidationError(error)
        return value

    def validate_host(self, value):
        if value and (error := validation.host_error(value)):
            raise serializers.ValidationError(error)
        return value.strip()

    def validate_cron(self, value):
        if error := validation.cron_error(value):
            raise serializers.ValidationError(error)
        return value.strip()

    def validate_time_zone(self, value):
        if error := validation.time_zone_error(value):
            raise serializers.ValidationError(error)
        return value

    def validate(self, attrs):
        attrs.pop("create_rule", None) if self.instance is not None else None

        def value(name):
            if name in attrs:
                return attrs[name]
            if self.instance is not None:
                return getattr(self.instance, name)
            field = Check._meta.get_field(name)
            return field.get_default() if isinstance(field, models.Field) else None

        kind = value("kind")
        errors: dict[str, str | None] = {}
        if kind == CheckKind.HTTP:
            method = value("method")
            errors["url"] = validation.url_error(value("url"))
            errors["expected_status"] = validation.expected_status_error(value("expected_status"))
            errors["body_contains"] = validation.body_error(value("body_contains"), value("body_regex")) or (
                "A HEAD request has no body to look in; use GET." if method == "HEAD" and value("body_contains")
                else None
            )
        elif kind == CheckKind.TCP:
            errors["host"] = validation.host_error(value("host"))
            errors["port"] = validation.port_error(value("port"))
        else:
            errors["cron"] = validation.cron_error(value("cron"))
            errors["time_zone"] = validation.time_zone_error(value("time_zone"))
        if kind in (CheckKind.HTTP, CheckKind.TCP) and "timeout_seconds" not in errors:
            if value("timeout_seconds") >= value("interval_seconds"):
                errors["timeout_seconds"] = "Must be shorter than the interval."
        found = {name: [message] for name, message in errors.items() if message}
        if found:
            raise serializers.ValidationError(found)
        if kind == CheckKind.HTTP and "url" in attrs:
            attrs["url"] = attrs["url"].strip()
        if kind == CheckKind.TCP and "host" in attrs:
            attrs["host"] = attrs["host"].strip()
        return attrs
