"""`POST /api/auth/token/`: a username and password exchanged for the user's API token, for scripts
and curl. Rate-limited per client address, so that passwords cannot be guessed at speed, and locked
out per username and address after repeated wrong passwords (core.login_lockout)."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .login_lockout import authenticate_login
from .schema import ERROR_RESPONSES, VALIDATION_ERROR
from .throttling import AddressThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    # One message for an unknown user, a wrong password and an inactive account: the answer does
    # not tell which user names exist.
    default_error_messages = {"invalid_login": "Wrong username or password."}

    def validate(self, attrs):
        user = authenticate_login(self.context["request"], attrs["username"], attrs["password"])
        if user is None:
            self.fail("invalid_login")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Bearer <token>`.")
    username = serializers.CharField()


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ObtainTokenView(APIView):
    """The user's API token (created on first request; the same one after that). Revoke it in the
    admin under *Auth Token → Tokens*; the next request here creates a new one."""

    # Whoever calls is about to prove who they are: a stale token in the request must not make
    # this a 401.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressThrottle]

    @extend_schema(
        tags=["auth"],
        auth=[],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: VALIDATION_ERROR,
            429: ERROR_RESPONSES[429],
        },
        summary="Exchange a username and password for an API token",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key, "username": user.get_username()}).data)


