from django import forms
from django.contrib import admin, messages
from django.utils.text import Truncator

from . import services
from .checks import service as check_service
from .checks import validation as check_validation
from .models import Check, CheckKind, CheckResult, DataSource, ErrorLog, MetricSample, PushToken


@admin.register(MetricSample)
class MetricSampleAdmin(admin.ModelAdmin):
    """Samples are measurements: they can be read and searched here, not edited."""

    list_display = ("name", "value", "timestamp")
    list_filter = ("name",)
    search_fields = ("name",)
    date_hierarchy = "timestamp"
    ordering = ("-timestamp",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ErrorLog)
class ErrorLogAdmin(admin.ModelAdmin):
    """Logged errors, grouped: searchable, resolved or reopened in bulk (as the API does it)."""

    list_display = ("last_seen", "level", "summary", "exception_type", "path", "occurrences", "resolved")
    list_filter = ("resolved", "level")
    search_fields = ("message", "exception_type", "path", "logger")
    date_hierarchy = "last_seen"
    ordering = ("-last_seen",)
    list_select_related = ("user",)
    readonly_fields = [field.name for field in ErrorLog._meta.fields]
    show_full_result_count = False
    actions = ("resolve", "reopen")

    def has_add_permission(self, request):
        return False

    @admin.display(description="message")
    def summary(self, error):
        return Truncator(error.message).chars(100)

    @admin.action(description="Resolve selected errors", permissions=["change"])
    def resolve(self, request, queryset):
        changed = services.update_errors(ids=list(queryset.values_list("id", flat=True)), action="resolve")
        self.message_user(request, f"{changed} error group(s) resolved.", messages.SUCCESS)

    @admin.action(description="Reopen selected errors", permissions=["change"])
    def reopen(self, request, queryset):
        changed = services.update_errors(ids=list(queryset.values_list("id", flat=True)), action="unresolve")
        self.message_user(request, f"{changed} error group(s) reopened.", messages.SUCCESS)


@admin.register(PushToken)
class PushTokenAdmin(admin.ModelAdmin):
    """Push tokens can be seen and revoked here; they are created through the API or
    `manage.py create_push_token`, which show the token once."""

    list_display = ("name", "hint", "created_by", "created_at", "last_used_at")
    readonly_fields = ("name", "hint", "created_by", "created_at", "last_used_at")
    exclude = ("digest",)
    search_fields = ("name",)

    def has_add_permission(self, request):
        return False


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    """Data sources' names, URLs and timeouts; their secrets are entered through the API and not
    shown here (the field has no form field), only which of them are set."""

    list_display = ("name", "kind", "base_url", "timeout_seconds", "secrets_set", "updated_at")
    readonly_fields = ("secrets_set", "created_at", "updated_at")
    search_fields = ("name", "base_url")

    @admin.display(description="secrets")
    def secrets_set(self, source):
        return ", ".join(sorted(k for k, v in (source.secrets or {}).items() if v)) or "none"


class CheckAdminForm(forms.ModelForm):
    class Meta:
        model = Check
        fields = "__all__"

    def clean(self):
        data = super().clean() or {}
        kind = data.get("kind")
        problems: dict[str, str | None] = {}
        if kind == CheckKind.HTTP:
            problems["url"] = check_validation.url_error(data.get("url"))
            problems["expected_status"] = check_validation.expected_status_error(data.get("expected_status"))
            problems["body_contains"] = check_validation.body_error(data.get("body_contains", ""),
                                                                    bool(data.get("body_regex")))
            problems["headers"] = check_validation.headers_error(data.get("headers"))
            problems["method"] = check_validation.method_error(data.get("method"))
        elif kind == CheckKind.TCP:
            problems["host"] = check_validation.host_error(data.get("host"))
            problems["port"] = check_validation.port_error(data.get("port"))
        elif kind == CheckKind.HEARTBEAT:
            problems["cron"] = check_validation.cron_error(data.get("cron", ""))
            problems["time_zone"] = check_validation.time_zone_error(data.get("time_zone"))
        if kind in (CheckKind.HTTP, CheckKind.TCP):
            problems["interval_seconds"] = check_validation.interval_error(data.get("interval_seconds"))
            problems["timeout_seconds"] = check_validation.timeout_error(data.get("timeout_seconds"),
                                                                         data.get("interval_seconds"))
        for field, message in problems.items():
            if message and field in self.fields:
                self.add_error(field, message)
        return data


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    """HTTP(S), TCP and heartbeat checks. Changes go through the checks service (a rename moves the
    default rule's matcher, a deletion deletes the rule); a check added here gets no default rule
    (the API makes one)."""

    form = CheckAdminForm
    list_display = ("name", "kind", "is_active", "status", "status_since", "last_checked_at", "last_response_time_ms",
                    "cert_days_left", "last_ping_at")
    list_filter = ("kind", "status", "is_active")
    search_fields = ("name", "url", "host")
    readonly_fields = ("ping_key", "rule_id", "status", "status_since", "last_checked_at", "last_response_time_ms",
                       "last_error", "cert_days_left", "last_ping_at", "last_start_at", "last_fail_at", "next_run_at",
                       "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
            return
        stored = Check.objects.get(pk=obj.pk)
        check_service.update_check(stored, **{name: getattr(obj, name) for name in form.changed_data})

    def delete_model(self, request, obj):
        check_service.delete_check(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for check in queryset:
            check_service.delete_check(check, user=request.user)


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin):
    """The runs of checks: read-only."""

    list_display = ("check_ref", "at", "up", "response_time_ms", "status_code", "error", "cert_days_left")
    list_filter = ("up", "check_ref")
    date_hierarchy = "at"
    ordering = ("-at",)
    show_full_result_count = False
    list_select_related = ("check_ref",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
