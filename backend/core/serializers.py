from django.contrib.auth import authenticate, get_user_model
from rest_framework import serializers


class UserSerializer(serializers.ModelSerializer):
    """The authenticated user as the API shows it (`/api/auth/me/`, `/api/auth/login/`)."""

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "is_staff", "is_superuser"]
        read_only_fields = fields


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    # One message for an unknown user, a wrong password and an inactive account, so that the answer
    # does not tell which user names exist.
    default_error_messages = {"invalid_login": "Wrong username or password."}

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request, username=attrs["username"], password=attrs["password"])
        if user is None:
            self.fail("invalid_login")
        attrs["user"] = user
        return attrs
