"""OpenAPI schema pieces shared by every app: the error responses, the Bearer token scheme, and the
schema of the views in core.

Every operation answers 401 without credentials and 403 without the permission; a post-processing
hook adds those (and 404 where the path names an object, 400 where a query can be refused) so that
no view has to repeat them.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "A list of messages per field (`{\"threshold_value\": [\"A valid number is required.\"]}`), "
        "`non_field_errors` for the request as a whole, or `detail` when the body could not be read."
    ),
    "additionalProperties": {},
}

VALIDATION_ERROR = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Invalid input; nothing was changed.")

ERROR_RESPONSES = {
    400: VALIDATION_ERROR,
    401: OpenApiResponse(ErrorSerializer, description="No credentials, or invalid ones."),
    403: OpenApiResponse(ErrorSerializer, description="Signed in, but without the permission this needs."),
    404: OpenApiResponse(ErrorSerializer, description="No such object."),
    409: OpenApiResponse(ErrorSerializer, description="The object is not in a state that allows this."),
    429: OpenApiResponse(
        ErrorSerializer, description="Too many requests; the `Retry-After` header says how many seconds to wait."
    ),
}


def _error_ref(components) -> dict:
    return {"$ref": "#/components/schemas/Error"}


def _empty_is_no_filter(schema: dict) -> None:
    """A query parameter of choices is no filter when empty (`?severity=`), as django-filter reads it."""
    items = schema.get("items")
    for target in (schema, items if isinstance(items, dict) else {}):
        if isinstance(target.get("enum"), list) and "" not in target["enum"]:
            target["enum"] = [*target["enum"], ""]
            if target.get("type") != "string":
                target["type"] = "string"


def _no_null_characters(schema: dict) -> None:
    """A free-text query parameter never takes NUL (Django's forms refuse it): say so."""
    if schema.get("type") == "string" and not ({"enum", "pattern", "format"} & schema.keys()):
        schema["pattern"] = "^[^\\x00]*$"
    for choice in schema.get("anyOf", []) + schema.get("oneOf", []):
        _no_null_characters(choice)
    if isinstance(schema.get("items"), dict):
        _no_null_characters(schema["items"])


def add_error_responses(result, generator, request, public):
    """Post-processing hook: the responses every operation can give, where a view did not say."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    error = {"application/json": {"schema": _error_ref(schemas)}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            secured = operation.get("security") != [] and operation.get("security") != [{}]
            if secured:
                responses.setdefault("401", {"description": "No credentials, or invalid ones.", "content": error})
                responses.setdefault(
                    "403", {"description": "Signed in, but without the permission this needs.", "content": error}
                )
            if "{" in path:
                responses.setdefault("404", {"description": "No such object.", "content": error})
            if any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])):
                responses.setdefault("404", {"description": "No such page.", "content": error})
            for parameter in operation.get("parameters", []):
                _no_null_characters(parameter.get("schema", {}))
                if parameter.get("in") == "query":
                    _empty_is_no_filter(parameter.get("schema", {}))
            has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            has_body = "requestBody" in operation
            if has_query or has_body:
                responses.setdefault(
                    "400",
                    {
                        "description": "Invalid input; nothing was changed.",
                        "content": {"application/json": {"schema": VALIDATION_ERROR_SCHEMA}},
                    },
                )
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <token>` (or `Token <token>`); get a token from "
            "`POST /api/auth/token/`.",
        }


class AuthUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    is_staff = serializers.BooleanField()
    is_superuser = serializers.BooleanField()
    permissions = serializers.ListField(
        child=serializers.CharField(),
        help_text="The user's permissions on alerting and telemetry (`alerts.change_alertrule`, "
        "`monitoring.view_errorlog`, ...): what the API will allow.",
    )


class MeViewSchema(OpenApiViewExtension):
    target_class = "core.views.me"

    def view_replacement(self):
        view: Any = self.target_class  # the class by now: drf-spectacular imports the path it names

        class Me(view):
            @extend_schema(tags=["auth"], responses={200: AuthUserSerializer}, summary="The signed-in user")
            def get(self, request):  # pragma: no cover - schema only
                raise NotImplementedError

        return Me


# The session endpoints of the dashboard (core.views, another module's work): described here so the
# schema stays complete once they exist; `optional` keeps these quiet until then.


class CsrfTokenSerializer(serializers.Serializer):
    csrfToken = serializers.CharField()  # noqa: N815 - the name the endpoint answers with


class LoginRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096)


class CsrfViewSchema(OpenApiViewExtension):
    target_class = "core.views.CsrfTokenView"
    optional = True

    def view_replacement(self):
        view: Any = self.target_class  # the class by now: drf-spectacular imports the path it names

        class Csrf(view):
            @extend_schema(tags=["auth"], auth=[], responses={200: CsrfTokenSerializer},
                           summary="Set the CSRF cookie and return its token")
            def get(self, request):  # pragma: no cover - schema only
                raise NotImplementedError

        return Csrf


class LoginViewSchema(OpenApiViewExtension):
    target_class = "core.views.LoginView"
    optional = True

    def view_replacement(self):
        view: Any = self.target_class  # the class by now: drf-spectacular imports the path it names

        class Login(view):
            @extend_schema(tags=["auth"], auth=[], request=LoginRequestSerializer,
                           responses={200: AuthUserSerializer, 400: VALIDATION_ERROR,
                                      403: ERROR_RESPONSES[403], 429: ERROR_RESPONSES[429]},
                           summary="Session login for the dashboard")
            def post(self, request):  # pragma: no cover - schema only
                raise NotImplementedError

        return Login


class LogoutViewSchema(OpenApiViewExtension):
    target_class = "core.views.LogoutView"
    optional = True

    def view_replacement(self):
        view: Any = self.target_class  # the class by now: drf-spectacular imports the path it names

        class Logout(view):
            @extend_schema(tags=["auth"], request=None, responses={204: None}, summary="End the session")
            def post(self, request):  # pragma: no cover - schema only
                raise NotImplementedError

        return Logout
