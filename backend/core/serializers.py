from django.contrib.auth import get_user_model
from rest_framework import serializers

from .login_lockout import authenticate_login

# The apps whose permissions the dashboard needs to know about (to offer or hide what a user may do;
# auditlog: reading the audit trail).
PERMISSION_APPS = ("alerts", "monitoring", "auditlog")


class UserSerializer(serializers.ModelSerializer):
    """The authenticated user as the API shows it (`/api/auth/me/`, `/api/auth/login/`), with the
    permissions the user holds on alerting and telemetry (directly, through groups, or as a
    superuser), so that the dashboard offers only what the API would allow. The API still decides:
    this list only spares people buttons that would answer 403."""

    permissions = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "is_staff", "is_superuser", "permissions"]
        read_only_fields = fields

    def get_permissions(self, user) -> list[str]:
        if not user.is_active:
            return []
        return sorted(p for p in user.get_all_permissions() if p.split(".", 1)[0] in PERMISSION_APPS)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    # One message for an unknown user, a wrong password and an inactive account, so that the answer
    # does not tell which user names exist.
    default_error_messages = {"invalid_login": "Wrong username or password."}

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate_login(request, attrs["username"], attrs["password"])
        if user is None:
            self.fail("invalid_login")
        attrs["user"] = user
        return attrs
