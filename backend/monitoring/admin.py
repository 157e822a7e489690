from django.contrib import admin, messages
from django.utils.text import Truncator

from . import services
from .models import DataSource, ErrorLog, MetricSample, PushToken


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
