from django.contrib import admin

from .models import MetricSample


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
