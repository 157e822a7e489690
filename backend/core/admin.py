from django.contrib import admin, messages
from django.utils import timezone

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens, to see and revoke; they are created through the API, the dashboard's
    Tokens page or `manage.py create_token`, which show the key once. The digest is not shown."""

    list_display = ("name", "user", "hint", "scope", "created_at", "expires_at", "last_used_at", "last_used_address",
                    "revoked_at")
    list_filter = ("scope",)
    readonly_fields = list_display
    exclude = ("digest",)
    search_fields = ("name", "user__username")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
