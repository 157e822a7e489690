from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import Truncator

from .models import AlertEventVia, AlertHistory, AlertRule, AlertStatus, Condition, NotificationDelivery
from .services import channels, lifecycle, notifications, rules
from .services.lifecycle import MAX_NOTES_LENGTH
from .services.messages import alert_label_pairs, format_labels, format_time, label_pairs
from .validators import CONDITION_ALIASES, RUNBOOK_URL_RE, normalize_condition, parse_email_recipients


class ConditionFormField(forms.ChoiceField):
    """A condition picked from the list, or typed (or posted) as the product document's symbol."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Also accepted as " + " ".join(CONDITION_ALIASES) + ".")
        super().__init__(choices=Condition.choices, **kwargs)

    def to_python(self, value):
        return normalize_condition(super().to_python(value))


def zoned(field: str, description: str):
    """A list column or read-only field showing a time with its zone (TIME_ZONE), never bare."""

    @admin.display(description=description, ordering=field)
    def show(self, obj):
        return format_time(getattr(obj, field)) or "-"

    show.__name__ = f"{field}_zoned"
    return show

# A test send waits for Slack or the mail server: a bounded number per click keeps the page quick.
MAX_TEST_RULES = 10


class AlertRuleForm(forms.ModelForm):
    # Typed as the product document writes it: "dev@resee.com,ops@resee.com".
    email_recipients = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"size": 80}), help_text="Comma-separated email addresses."
    )
    condition = ConditionFormField()

    class Meta:
        model = AlertRule
        exclude = rules.ENGINE_FIELDS
        help_texts = {
            "label_matchers": 'The series the rule reads, as JSON: [{"label": "route", "op": "=~", "value": '
                              '"/api/.*"}] (ops =, !=, =~, !~; regexes match the whole value). Empty: every series.',
            "group_by": 'Label names, as JSON: ["route"] opens one alert per route. Empty: one value over all '
                        "the series.",
            "max_series_per_rule": "Past this many groups the rule is in error, saying how many it found.",
            "for_minutes": "Minutes the condition must hold on every tick before the alert opens (0-60); "
                           "meanwhile the rule is pending, and nobody is notified.",
            "labels": 'Free labels of the rule, as JSON: {"team": "payments"}; copied onto its alerts.',
            "runbook_url": "An http(s) link to the playbook, shown in the alert and in every message.",
            "summary": "A template rendered when the alert opens, e.g. {{ labels.route }} fails {{ value | round(1) }} "
                       "%; it may use value, threshold, condition, window, aggregation, metric, rule, severity, "
                       "labels.",
        }
        widgets = {
            "label_matchers": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "group_by": forms.TextInput(attrs={"size": 60}),
            "labels": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "runbook_url": forms.URLInput(attrs={"size": 80}),
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }

    # Fields a form may leave out (an older form, a script posting the product document's fields):
    # left blank, they keep their model default.
    DEFAULTED = ("label_matchers", "group_by", "labels", "max_series_per_rule", "for_minutes", "kind",
                 "flap_threshold", "flap_window_minutes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.email_recipients, list):
            self.initial["email_recipients"] = ", ".join(self.instance.email_recipients)
        for name in self.DEFAULTED:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean() or {}
        for name in self.DEFAULTED:
            if cleaned.get(name) in (None, ""):
                field = AlertRule._meta.get_field(name)
                assert isinstance(field, models.Field)  # a concrete field, not a relation
                cleaned[name] = field.get_default()
        return cleaned

    def clean_email_recipients(self):
        return parse_email_recipients(self.cleaned_data["email_recipients"])


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ("name", "metric_name", "condition", "threshold_value", "severity", "is_active", "state",
                    "state_reason")
    list_filter = ("is_active", "severity", "state", "metric_name", "slack_enabled", "email_enabled")
    search_fields = ("name", "metric_name", "description")
    readonly_fields = ("state", "state_reason", "last_value", "last_evaluated_at_zoned", "last_error",
                       "state_changed_at_zoned", "flapping_since", "created_by")
    # Every field of the form is in one of these (test_admin checks it): a field left out of the
    # fieldsets would silently keep its value.
    fieldsets = (
        (None, {"fields": ("name", "description", "is_active")}),
        ("Condition", {"fields": ("metric_name", "condition", "threshold_value", "time_window_minutes", "aggregation",
                                  "severity", "resolve_threshold", "alert_on_no_data")}),
        ("Labels and grouping", {"fields": ("label_matchers", "group_by", "max_series_per_rule", "labels")}),
        ("Pending", {"fields": ("for_minutes",)}),
        ("Annotations", {"fields": ("runbook_url", "summary")}),
        ("Notifications", {"fields": ("slack_enabled", "slack_channel", "email_enabled", "email_recipients",
                                      "channels", "cooldown_minutes", "auto_resolve", "notify_on_resolve",
                                      "max_alerts_per_hour")}),
        ("State", {"fields": readonly_fields}),
        ("Kind (metric, or PromQL through a data source)", {"fields": ("kind", "data_source", "expr")}),
        ("Flapping", {"fields": ("flap_threshold", "flap_window_minutes")}),
    )
    actions = ("activate", "deactivate", "send_test")

    last_evaluated_at_zoned = zoned("last_evaluated_at", "last evaluated at")
    state_changed_at_zoned = zoned("state_changed_at", "state changed at")

    def save_model(self, request, obj, form, change):
        """Through the rule services, as the API saves: a rule switched off closes its open alert."""
        if change:
            changed = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
            rules.update_rule(rule=obj, user=request.user, via=AlertEventVia.ADMIN, **changed)
            return
        fields = {name: value for name, value in form.cleaned_data.items() if name not in rules.SYSTEM_FIELDS}
        created = rules.create_rule(user=request.user, **fields)
        obj.pk = created.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        rules.delete_rule(rule=obj, user=request.user, via=AlertEventVia.ADMIN)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            rules.delete_rule(rule=rule, user=request.user, via=AlertEventVia.ADMIN)

    @admin.action(description="Activate selected rules", permissions=["change"])
    def activate(self, request, queryset):
        changed = rules.set_rules_active(rules=queryset, active=True, user=request.user, via=AlertEventVia.ADMIN)
        self.message_user(request, f"{changed} rule(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected rules", permissions=["change"])
    def deactivate(self, request, queryset):
        changed = rules.set_rules_active(rules=queryset, active=False, user=request.user,
                                           via=AlertEventVia.ADMIN)
        self.message_user(request, f"{changed} rule(s) deactivated; their open alerts closed.", messages.SUCCESS)

    @admin.action(description="Send a test notification to the selected rules' channels", permissions=["change"])
    def send_test(self, request, queryset):
        selected = list(queryset.order_by("name", "id")[: MAX_TEST_RULES + 1])
        if len(selected) > MAX_TEST_RULES:
            self.message_user(request, f"Select at most {MAX_TEST_RULES} rules to test at once.", messages.ERROR)
            return
        for rule in selected:
            text = f"Test of the alert rule \"{rule.name}\""
            # Everywhere the rule's alerts would go: its own channels and the policies that match it.
            outcomes = [
                notifications.send_test_to_channel(channel=route.channel, target=route.target, message=text,
                                                   user=request.user)
                for route in channels.routes(rule=rule, values=channels.routing_labels(rule=rule))
            ]
            if not outcomes:
                self.message_user(request, f"{rule.name}: no channel enabled, nothing sent.", messages.WARNING)
            for outcome in outcomes:
                level = messages.SUCCESS if outcome.ok else messages.ERROR
                detail = outcome.detail or "; ".join(m for ms in outcome.field_errors.values() for m in ms)
                self.message_user(request, f"{rule.name}: {outcome.status}: {detail}", level)


class ResolveForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False, max_length=MAX_NOTES_LENGTH,
        help_text="Why these alerts are resolved; kept with each alert and sent with the resolved message.",
    )


# Labels as the messages write them, and the runbook as a link, instead of raw JSON and text.
_ALERT_FIELDS_SHOWN_AS = {"labels": "labels_text", "group_labels": "group_labels_text", "runbook_url": "runbook_link"}


@admin.register(AlertHistory)
class AlertHistoryAdmin(admin.ModelAdmin):
    list_display = ("rule_name", "severity", "status", "metric_value", "triggered_at_zoned", "resolved_at_zoned",
                    "resolved_by", "acknowledged_by", "manual", "notification_count")
    list_filter = ("status", "severity", "manual", "metric_name", ("rule", admin.RelatedOnlyFieldListFilter))
    search_fields = ("rule_name", "metric_name", "message", "resolution_notes")
    date_hierarchy = "triggered_at"
    list_select_related = ("rule", "resolved_by")
    readonly_fields = [
        f"{field.name}_zoned" if field.get_internal_type() == "DateTimeField"
        else _ALERT_FIELDS_SHOWN_AS.get(field.name, field.name)
        for field in AlertHistory._meta.fields
    ]
    show_full_result_count = False
    actions = ("resolve_selected",)

    triggered_at_zoned = zoned("triggered_at", "triggered at")
    resolved_at_zoned = zoned("resolved_at", "resolved at")
    last_notified_at_zoned = zoned("last_notified_at", "last notified at")
    reminded_at_zoned = zoned("reminded_at", "reminded at")
    acknowledged_at_zoned = zoned("acknowledged_at", "acknowledged at")

    @admin.display(description="labels")
    def labels_text(self, alert):
        """The group's labels first, then the rule's, as the messages show them."""
        group, rest = alert_label_pairs(alert)
        return format_labels(group + rest) or "-"

    @admin.display(description="group labels")
    def group_labels_text(self, alert):
        return format_labels(label_pairs(alert.group_labels)) or "-"

    @admin.display(description="runbook")
    def runbook_link(self, alert):
        if not alert.runbook_url:
            return "-"
        if not RUNBOOK_URL_RE.fullmatch(alert.runbook_url):
            return alert.runbook_url  # shown as text (escaped), never as a link
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', alert.runbook_url, alert.runbook_url)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resolve selected alerts with a note", permissions=["change"])
    def resolve_selected(self, request, queryset):
        """First a page that asks for the note; then each active alert is resolved as the API
        resolves it (resolve_alert: who, the note, the resolved message to its channels)."""
        active = queryset.filter(status=AlertStatus.ACTIVE).select_related("rule")
        if "apply" in request.POST:
            form = ResolveForm(request.POST)
            if form.is_valid():
                resolved = skipped = 0
                for alert in active:
                    try:
                        lifecycle.resolve_by_person(alert=alert, user=request.user, via=AlertEventVia.ADMIN,
                                                      notes=form.cleaned_data["notes"].strip())
                        resolved += 1
                    except lifecycle.AlertAlreadyResolved:
                        skipped += 1
                message = f"{resolved} alert(s) resolved."
                if skipped:
                    message += f" {skipped} had been resolved meanwhile."
                self.message_user(request, message, messages.SUCCESS)
                return None
        else:
            form = ResolveForm()
        if not active.exists():
            self.message_user(request, "None of the selected alerts is active.", messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Resolve alerts",
            "opts": self.model._meta,
            "alerts": active,
            "already_resolved": queryset.count() - active.count(),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/alerts/alerthistory/resolve_selected.html", context)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    """The record of what was sent: read-only."""

    list_display = ("created_at_zoned", "event", "channel", "target", "status", "attempts", "response_code", "error",
                    "alert_id")
    list_filter = ("status", "event", "channel")
    search_fields = ("target", "last_error")
    date_hierarchy = "created_at"
    show_full_result_count = False

    created_at_zoned = zoned("created_at", "created at")
    sent_at_zoned = zoned("sent_at", "sent at")
    next_attempt_at_zoned = zoned("next_attempt_at", "next attempt at")
    claimed_until_zoned = zoned("claimed_until", "claimed until")

    def get_fields(self, request, obj=None):
        return [f"{f.name}_zoned" if f.get_internal_type() == "DateTimeField" else f.name
                for f in NotificationDelivery._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="last error")
    def error(self, delivery):
        return Truncator(delivery.last_error).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Channels and policies: their own module, registered with the rest.
from . import channel_admin, silence_admin  # noqa: E402, F401
