"""API tokens: `POST /api/auth/token/` (a username and password for a new token, for scripts and
curl) and `/api/auth/tokens/` (a signed-in user's own tokens: list, create, revoke).

The token endpoint is rate-limited per client address, so that passwords cannot be guessed at
speed, and locked out per username and address after repeated wrong passwords
(core.login_lockout). A key is in the answer to its creation and nowhere after."""

from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import tokens
from .fields import NameField
from .login_lockout import authenticate_login
from .lookups import IdLookupMixin
from .models import ApiToken, TokenScope
from .schema import ERROR_RESPONSES, VALIDATION_ERROR
from .throttling import AddressThrottle

DEFAULT_NAME = "Token from POST /api/auth/token/"


class TokenOptionsMixin(serializers.Serializer):
    """What a new token may be given: a name, a scope and an expiry in the future."""

    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.WRITE,
                                    help_text="read: GET only; write: what the user may do; push: ingest only.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                           help_text="When the token stops working; never if left out.")

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("The expiry must be in the future.")
        return value

    def validate_scope(self, value):
        token = getattr(self.context.get("request"), "auth", None)
        if isinstance(token, ApiToken) and value not in tokens.GRANTS[TokenScope(token.scope)]:
            raise serializers.ValidationError(f"A token of scope {token.scope} cannot create a {value} token.")
        return value


class TokenRequestSerializer(TokenOptionsMixin):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = NameField(max_length=100, required=False, default=DEFAULT_NAME)

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
    token = serializers.CharField(help_text="Send it as `Authorization: Bearer <token>`. Shown this once.")
    username = serializers.CharField()


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ObtainTokenView(APIView):
    """A new API token of the user (named, by default, "Token from POST /api/auth/token/"; of
    scope write and without expiry unless asked). Each call creates one more: list and revoke
    them at /api/auth/tokens/ or on the dashboard's Tokens page."""

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
        summary="Exchange a username and password for a new API token",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = data["user"]
        _, key = tokens.create_token(user, data["name"], scope=data["scope"], expires_at=data["expires_at"])
        return Response(TokenSerializer({"token": key, "username": user.get_username()}).data)


class ApiTokenSerializer(TokenOptionsMixin, serializers.ModelSerializer):
    name = NameField(max_length=100)
    hint = serializers.CharField(read_only=True, help_text="The key's first characters, to tell tokens apart.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "scope", "created_at", "expires_at", "last_used_at", "last_used_address",
                  "revoked_at"]
        read_only_fields = ["id", "created_at", "last_used_at", "last_used_address", "revoked_at"]


class CreatedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The key: shown this once, never again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


@extend_schema_view(
    list=extend_schema(tags=["auth"], summary="List your API tokens (never their keys)"),
    retrieve=extend_schema(tags=["auth"], summary="Get one of your API tokens"),
    create=extend_schema(tags=["auth"], summary="Create an API token (its key is in this answer only)",
                         responses={201: CreatedApiTokenSerializer, 400: VALIDATION_ERROR}),
    destroy=extend_schema(tags=["auth"], summary="Revoke one of your API tokens",
                          responses={204: None, 404: ERROR_RESPONSES[404]}),
)
class ApiTokenViewSet(IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own API tokens. A token never has more than its user's permissions;
    its scope may narrow them (read, push). Revoking keeps the entry (with revoked_at) so that
    requests with it are told it was revoked."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.all()

    def get_queryset(self):
        user = self.request.user
        return ApiToken.objects.filter(user_id=user.pk) if user.is_authenticated else ApiToken.objects.none()

    def create(self, request, *args, **kwargs):
        serializer = ApiTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = tokens.create_token(request.user, data["name"], scope=data["scope"],
                                         expires_at=data["expires_at"])
        token.token = key  # type: ignore[attr-defined]
        return Response(CreatedApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        if instance.revoked_at is None:
            instance.revoked_at = timezone.now()
            instance.save(update_fields=["revoked_at"])

