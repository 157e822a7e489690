from django import forms
from django.contrib import admin

from .models import AlertHistory, AlertRule, NotificationDelivery
from .validators import parse_email_recipients


class AlertRuleForm(forms.ModelForm):
    # Typed as the product document writes it: "dev@resee.com,ops@resee.com".
    email_recipients = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"size": 80}), help_text="Comma-separated email addresses."
    )

    class Meta:
        model = AlertRule
        exclude = ("state", "last_value", "last_evaluated_at", "last_error", "state_changed_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.email_recipients, list):
            self.initial["email_recipients"] = ", ".join(self.instance.email_recipients)

    def clean_email_recipients(self):
        return parse_email_recipients(self.cleaned_data["email_recipients"])


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ("name", "metric_name", "condition", "threshold_value", "severity", "is_active", "state")
    list_filter = ("is_active", "severity", "state")
    search_fields = ("name", "metric_name", "description")
    readonly_fields = ("state", "last_value", "last_evaluated_at", "last_error", "state_changed_at", "created_by")

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AlertHistory)
class AlertHistoryAdmin(admin.ModelAdmin):
    list_display = ("rule", "severity", "status", "metric_value", "triggered_at", "resolved_at", "notification_count")
    list_filter = ("status", "severity")
    search_fields = ("rule__name", "metric_name", "message")
    date_hierarchy = "triggered_at"
    list_select_related = ("rule",)
    readonly_fields = [field.name for field in AlertHistory._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    """The record of what was sent: read-only."""

    list_display = ("created_at", "event", "channel", "target", "status", "attempts", "response_code", "alert_id")
    list_filter = ("status", "event", "channel")
    search_fields = ("target", "last_error")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
