"""Admin pages of silences, maintenance windows and inhibition rules: the models' validators (the
API's) check what is typed; ending or changing a silence or a window sends what it held and is owed,
as the API does."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import InhibitionRule, MaintenanceWindow, Silence
from .services import lifecycle
from .validators import WEEKDAY_NAMES

MATCHERS_HELP = ('As JSON: [{"label": "category", "op": "=", "value": "system"}] over the alert\'s labels and '
                 "severity, category, metric and rule (its name); ops =, !=, =~, !~. At least one, and one that "
                 "does not match an empty value.")


def _matchers_text(matchers) -> str:
    return " ".join(f'{m.get("label")}{m.get("op")}"{m.get("value")}"' for m in matchers or [])


class _ReleasingAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if change:
            lifecycle.release_held_alerts_on_commit()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        lifecycle.release_held_alerts_on_commit()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        lifecycle.release_held_alerts_on_commit()

    @admin.display(description="matchers")
    def matchers_text(self, obj):
        return _matchers_text(obj.matchers)


class SilenceForm(forms.ModelForm):
    class Meta:
        model = Silence
        fields = ["matchers", "starts_at", "ends_at", "comment"]
        help_texts = {"matchers": MATCHERS_HELP}
        widgets = {"matchers": forms.Textarea(attrs={"rows": 3, "cols": 80})}


@admin.register(Silence)
class SilenceAdmin(_ReleasingAdmin):
    form = SilenceForm
    list_display = ("id", "matchers_text", "starts_at", "ends_at", "state_now", "comment", "created_by")
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description="state")
    def state_now(self, silence):
        return silence.state_at(timezone.now())


class MaintenanceWindowForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)), coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="The days a window starts on.",
    )

    class Meta:
        model = MaintenanceWindow
        fields = ["matchers", "weekdays", "start_time", "end_time", "time_zone", "starts_on", "ends_on", "comment"]
        help_texts = {
            "matchers": MATCHERS_HELP,
            "end_time": "Before the start: the next day; equal: 24 hours.",
            "time_zone": 'An IANA name, e.g. "Europe/Berlin"; the local times hold across DST changes.',
        }
        widgets = {"matchers": forms.Textarea(attrs={"rows": 3, "cols": 80})}


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(_ReleasingAdmin):
    form = MaintenanceWindowForm
    list_display = ("id", "matchers_text", "schedule", "starts_on", "ends_on", "active_now", "comment")
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description="when")
    def schedule(self, window):
        days = ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(window.weekdays or []) if 0 <= d <= 6)
        return f"{days} {window.start_time:%H:%M}-{window.end_time:%H:%M} {window.time_zone}"

    @admin.display(description="active now", boolean=True)
    def active_now(self, window):
        return window.occurrence_at(timezone.now()) is not None


class InhibitionRuleForm(forms.ModelForm):
    class Meta:
        model = InhibitionRule
        fields = ["name", "source_matchers", "target_matchers", "equal", "is_active", "comment"]
        help_texts = {
            "source_matchers": "The alerts that inhibit. " + MATCHERS_HELP,
            "target_matchers": "The alerts that are inhibited, the same way.",
            "equal": 'As JSON: ["service"]: labels whose values must be the same on both alerts (a label both '
                     "lack counts as the same); []: any source inhibits.",
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3, "cols": 80})
                   for name in ("source_matchers", "target_matchers")}


@admin.register(InhibitionRule)
class InhibitionRuleAdmin(admin.ModelAdmin):
    """Inhibition rules: the models' validators (the API's) check what is typed."""

    form = InhibitionRuleForm
    list_display = ("id", "name", "source_text", "target_text", "equal", "is_active", "created_by")
    list_filter = ("is_active",)
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="source")
    def source_text(self, obj):
        return _matchers_text(obj.source_matchers)

    @admin.display(description="target")
    def target_text(self, obj):
        return _matchers_text(obj.target_matchers)
