"""The admin of notification channels and policies. A channel's form is generated from its kind's
declaration (services.notifier_base.Setting), as the API's serializer and the dashboard's form
are: a secret field is a password input that is never filled in (blank keeps the stored value)."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html, format_html_join

from core.secrets import mask
from monitoring.labels import matchers_errors

from .models import NotificationChannel, NotificationPolicy
from .services import notifications
from .services.channels import notifier_for
from .services.notifier_base import Setting, clean_channel
from .services.notifiers import NOTIFIERS

SETTING_PREFIX = "setting__"
SECRET_PREFIX = "secret__"
DEFAULT_KIND = "slack"


def _form_field(setting: Setting, *, stored_secret: str = "") -> forms.Field:
    help_text = setting.help
    common: dict[str, Any] = {"label": setting.label, "required": False}
    if setting.secret:
        state = mask(stored_secret) if stored_secret else "not set"
        help_text = f"{help_text} Now: {state}. Leave blank to keep it.".strip()
        return forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={"size": 80}),
                               help_text=help_text, max_length=setting.max_length, **common)
    if setting.type == "boolean":
        return forms.BooleanField(help_text=help_text, **common)
    if setting.type == "integer":
        return forms.IntegerField(help_text=help_text, min_value=setting.min_value, max_value=setting.max_value,
                                  **common)
    if setting.type == "choice":
        return forms.ChoiceField(choices=[("", "---"), *((c, c) for c in setting.choices)], help_text=help_text,
                                 **common)
    if setting.type == "headers":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                               help_text=f"{help_text} As JSON: {{\"X-Team\": \"ops\"}}.".strip(), **common)
    if setting.type == "emails":
        return forms.CharField(widget=forms.TextInput(attrs={"size": 80}),
                               help_text=f"{help_text} Comma-separated.".strip(), **common)
    widget = forms.Textarea(attrs={"rows": 3, "cols": 80}) if setting.type == "text" else \
        forms.TextInput(attrs={"size": 80, "placeholder": setting.placeholder})
    return forms.CharField(widget=widget, help_text=help_text, max_length=setting.max_length, strip=True, **common)


def _initial(setting: Setting, value):
    if value is None:
        return setting.default
    if setting.type == "headers":
        return json.dumps(value)
    if setting.type == "emails" and isinstance(value, list):
        return ", ".join(value)
    return value


class NotificationChannelForm(forms.ModelForm):
    """kind, name, active, and one field per setting of the kind (read from the instance, or from
    the add page's ?kind=)."""

    class Meta:
        model = NotificationChannel
        fields = ["kind", "name", "is_active"]

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = self.instance.kind if self.instance.pk else (kind if kind in NOTIFIERS else DEFAULT_KIND)
        self.fields["kind"] = forms.ChoiceField(
            choices=[(self.kind, NOTIFIERS[self.kind].label)], initial=self.kind, disabled=True,
            help_text="Fixed once the channel exists." if self.instance.pk else
            "To add another kind: " + ", ".join(f"?kind={name}" for name in NOTIFIERS if name != self.kind),
        )
        if self.instance.builtin:
            return
        for setting in NOTIFIERS[self.kind].settings_schema:
            if setting.secret:
                stored = str((self.instance.secrets or {}).get(setting.name) or "")
                self.fields[SECRET_PREFIX + setting.name] = _form_field(setting, stored_secret=stored)
            else:
                field = _form_field(setting)
                field.initial = _initial(setting, (self.instance.settings or {}).get(setting.name))
                self.fields[SETTING_PREFIX + setting.name] = field

    def clean_kind(self):
        return self.kind

    def clean(self):
        cleaned = super().clean()
        if self.instance.builtin:
            return cleaned
        notifier_class = NOTIFIERS[self.kind]
        settings_in, secrets_in = {}, {}
        for setting in notifier_class.settings_schema:
            if setting.secret:
                value = self.cleaned_data.get(SECRET_PREFIX + setting.name)
                if value:
                    secrets_in[setting.name] = value
                continue
            value = self.cleaned_data.get(SETTING_PREFIX + setting.name)
            if setting.type == "headers" and value:
                try:
                    value = json.loads(value)
                except ValueError:
                    self.add_error(SETTING_PREFIX + setting.name, "Not valid JSON.")
                    continue
            if setting.type == "boolean" or value not in (None, ""):
                settings_in[setting.name] = value
        result = clean_channel(
            notifier_class, settings_in=settings_in, secrets_in=secrets_in,
            stored_secrets=self.instance.secrets if self.instance.pk else None,
        )
        for part, prefix in (("settings", SETTING_PREFIX), ("secrets", SECRET_PREFIX)):
            for name, problems in result.errors.get(part, {}).items():
                field = prefix + name if prefix + name in self.fields else None
                for problem in problems:
                    self.add_error(field, problem)
        self.instance.settings = result.settings
        self.instance.secrets = result.secrets
        return cleaned


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    form = NotificationChannelForm
    list_display = ("name", "kind", "is_active", "builtin", "configured", "targets")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    readonly_fields = ("secrets_state", "environment")
    actions = ("send_test",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kind = request.GET.get("kind")
        # The generated fields are added by the form itself: the factory gets the model's own.
        kwargs["fields"] = NotificationChannelForm.Meta.fields
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class KindForm(form_class):  # type: ignore[valid-type, misc]
            def __init__(self, *args, **inner):
                super().__init__(*args, kind=kind, **inner)

        return KindForm

    def get_fieldsets(self, request, obj=None):
        form = NotificationChannelForm(instance=obj, kind=request.GET.get("kind"))
        generated = [name for name in form.fields if name.startswith((SETTING_PREFIX, SECRET_PREFIX))]
        fieldsets: list[tuple[str | None, dict[str, list[str]]]] = [(None, {"fields": ["kind", "name", "is_active"]})]
        if obj is not None and obj.builtin:
            fieldsets.append(("Configuration", {"fields": ["environment"]}))
        elif generated:
            fieldsets.append(("Settings", {"fields": generated}))
        if obj is not None and not obj.builtin:
            fieldsets.append(("Secrets", {"fields": ["secrets_state"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.builtin:
            return False  # what a rule's slack_enabled / email_enabled mean
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(boolean=True)
    def configured(self, channel):
        notifier = notifier_for(channel)
        return notifier is not None and not notifier.configuration_problem()

    @admin.display(description="targets")
    def targets(self, channel):
        notifier = notifier_for(channel)
        return ", ".join(t for t in (notifier.default_targets() if notifier else []) if t) or "(its own URL)"

    @admin.display(description="secrets")
    def secrets_state(self, channel):
        stored = channel.secrets or {}
        return format_html_join(", ", "{}: {}", ((name, mask(str(value))) for name, value in sorted(stored.items())))

    @admin.display(description="configured by")
    def environment(self, channel):
        from .api.channel_serializers import ENVIRONMENT_SETTINGS

        return format_html("The environment: {}.", ENVIRONMENT_SETTINGS.get(channel.builtin, "its variables"))

    @admin.action(description="Send a test message through the selected channels", permissions=["change"])
    def send_test(self, request, queryset):
        for channel in queryset.order_by("name")[:20]:
            outcome = notifications.send_test_to_channel(channel=channel, user=request.user)
            level = messages.SUCCESS if outcome.ok else messages.ERROR
            detail = outcome.detail or "; ".join(m for ms in outcome.field_errors.values() for m in ms)
            self.message_user(request, f"{channel.name}: {outcome.status}: {detail}", level)


class NotificationPolicyForm(forms.ModelForm):
    class Meta:
        model = NotificationPolicy
        fields = ["name", "position", "matchers", "channels", "continue_matching", "is_active", "group_by",
                  "group_wait_seconds", "group_interval_seconds", "repeat_interval_seconds", "escalate_after_minutes",
                  "escalation_channels"]
        help_texts = {
            "matchers": 'As JSON: [{"label": "severity", "op": "=", "value": "critical"}] over the alert\'s labels '
                        "and severity, category, metric and rule (its name). Empty: every alert.",
            "continue_matching": "After a match, go on to the next policies (off: stop here).",
            "position": "Policies are tried in this order, lowest first.",
            "escalate_after_minutes": "An alert this policy matches, still open and not acknowledged this many "
                                      "minutes after it opened, goes to the escalation channels, once. Empty: never.",
        }
        widgets = {"matchers": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def clean_matchers(self):
        value = self.cleaned_data["matchers"]
        problems = matchers_errors(value)
        if problems:
            raise forms.ValidationError(
                problems if isinstance(problems, list)
                else [f"Matcher {i + 1}: {p}" for i, ps in problems.items() for p in ps]
            )
        return value

    # Fields a form may leave out (an older form, a script): left blank, they keep their default.
    DEFAULTED = ("group_wait_seconds", "group_interval_seconds", "repeat_interval_seconds")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean() or {}
        for name in self.DEFAULTED:
            if cleaned.get(name) is None and name not in self.errors:
                field = NotificationPolicy._meta.get_field(name)
                assert isinstance(field, models.Field)  # a concrete field, not a relation
                cleaned[name] = field.get_default()
        if cleaned.get("escalate_after_minutes") is not None and not cleaned.get("escalation_channels"):
            self.add_error("escalation_channels", "Name at least one channel to escalate to, or leave "
                                                  "“escalate after minutes” empty.")
        return cleaned


@admin.register(NotificationPolicy)
class NotificationPolicyAdmin(admin.ModelAdmin):
    form = NotificationPolicyForm
    list_display = ("position", "name", "matchers_text", "channel_names", "continue_matching", "is_active")
    list_display_links = ("name",)
    filter_horizontal = ("channels", "escalation_channels")

    @admin.display(description="matchers")
    def matchers_text(self, policy):
        return " ".join(f'{m.get("label")}{m.get("op")}"{m.get("value")}"' for m in policy.matchers or []) or "(all)"

    @admin.display(description="channels")
    def channel_names(self, policy):
        return ", ".join(channel.name for channel in policy.channels.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("channels")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
