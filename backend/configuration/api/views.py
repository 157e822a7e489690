"""GET /api/config/export/ and POST /api/config/import/: the configuration as one document."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.parsers import BoundedJSONParser
from core.permissions import perm
from core.schema import VALIDATION_ERROR

from ..document import DocumentError, dumps
from ..kinds import KINDS
from ..prometheus_rules import import_rule_file
from ..provisioning import locked_by_file
from ..services import apply_document, export_document, parse_kinds
from .parsers import TextYAMLParser, XYAMLParser, YAMLParser

FORMATS = {"yaml": "application/yaml; charset=utf-8", "json": "application/json"}
_KINDS_PATTERN = "^((" + "|".join(KINDS) + ")(,(" + "|".join(KINDS) + "))*)?$"
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def _kinds_param(request) -> list[str] | None:
    try:
        return parse_kinds(request.query_params.get("kinds"))
    except DocumentError:
        return None


def _document_kinds(data) -> list[str]:
    """The kinds a document to import lists (all of them when it is not a document)."""
    if isinstance(data, dict):
        named = [name for name in data if name in KINDS]
        if named:
            return named
    return list(KINDS)


class ConfigPermissions(BasePermission):
    """Export: view permission on each kind exported. Import: add, change and delete on each kind
    the document lists (the "Alert managers" group has them)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method not in view.allowed_methods:
            return True
        if request.method in ("GET", "HEAD"):
            kinds = _kinds_param(request) or list(KINDS)
            needed = [perm(KINDS[name].model, "view") for name in kinds]
        else:
            try:
                kinds = getattr(view, "kinds", None) or _document_kinds(request.data)
            except ParseError:
                # A body that does not parse: a 400 for those who may import at all.
                if user.has_perms(_import_perms(list(KINDS))):
                    raise
                return False
            needed = _import_perms(kinds)
        return user.has_perms(needed)


def _import_perms(kinds: list[str]) -> list[str]:
    return [perm(KINDS[name].model, action) for name in kinds for action in ("add", "change", "delete")]


def _flag(request, name: str) -> bool | None:
    value = request.query_params.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


class _NoFormatOverride(DefaultContentNegotiation):
    """`format` is this view's own parameter (yaml or json), not DRF's renderer override."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportView(APIView):
    permission_classes = [ConfigPermissions]
    content_negotiation_class = _NoFormatOverride

    @extend_schema(
        tags=["config"], summary="Export the configuration as one document",
        description="apiVersion resee/v1, then a list per kind, each object by name, other objects by name, "
        "secrets as ${ENV_VAR} references (never in clear). Stable order, so a diff between two exports is small.",
        parameters=[
            OpenApiParameter("kinds", {"type": "string", "pattern": _KINDS_PATTERN},
                             description=f"Comma-separated, of: {', '.join(KINDS)}. Default: all."),
            OpenApiParameter("format", str, enum=list(FORMATS), description="yaml (default) or json."),
        ],
        responses={(200, "application/yaml"): OpenApiTypes.OBJECT, (200, "application/json"): OpenApiTypes.OBJECT,
                   400: VALIDATION_ERROR, 409: VALIDATION_ERROR},
    )
    def get(self, request):
        fmt = request.query_params.get("format", "yaml") or "yaml"
        if fmt not in FORMATS:
            return Response({"format": [f"Expected one of: {', '.join(FORMATS)}."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            kinds = parse_kinds(request.query_params.get("kinds"))
            document = export_document(kinds)
        except DocumentError as error:
            code = status.HTTP_400_BAD_REQUEST if "kinds" in error.errors else status.HTTP_409_CONFLICT
            return Response(error.errors, status=code)
        response = HttpResponse(dumps(document, fmt), content_type=FORMATS[fmt])
        response["Content-Disposition"] = f'inline; filename="resee-config.{fmt}"'
        return response


class ImportView(APIView):
    permission_classes = [ConfigPermissions]
    parser_classes = [BoundedJSONParser, YAMLParser, XYAMLParser, TextYAMLParser]

    @extend_schema(
        tags=["config"], summary="Import a configuration document (all or nothing)",
        description="The document (YAML or JSON) is checked with the API's serializers and applied in one "
        "transaction: any problem, and nothing is saved (400, each problem at its path, e.g. "
        "rules[3].threshold_value). The answer is a diff per kind: created, changed (field: old and new; secrets "
        "only \"changed\"), deleted (with prune) and unchanged.",
        parameters=[
            OpenApiParameter("dry_run", bool, description="Say what would change; save nothing."),
            OpenApiParameter("prune", bool, description="Delete the objects of the kinds the document lists that it "
                             "does not name."),
        ],
        request={"application/json": OpenApiTypes.OBJECT, "application/yaml": OpenApiTypes.STR},
        responses={200: OpenApiTypes.OBJECT, 400: VALIDATION_ERROR},
    )
    def post(self, request):
        flags = {name: _flag(request, name) for name in ("dry_run", "prune")}
        bad = {name: ["Expected true or false."] for name, value in flags.items() if value is None}
        if bad:
            return Response(bad, status=status.HTTP_400_BAD_REQUEST)
        try:
            with audit.acting(audit.IMPORT, user=request.user):
                result = apply_document(request.data, user=request.user, dry_run=bool(flags["dry_run"]),
                                        prune=bool(flags["prune"]), locked=locked_by_file)
        except DocumentError as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict())


class ImportPrometheusView(APIView):
    permission_classes = [ConfigPermissions]
    parser_classes = [BoundedJSONParser, YAMLParser, XYAMLParser, TextYAMLParser]
    # Only rules are written: the permissions are those of importing rules.
    kinds = ["rules"]

    @extend_schema(
        tags=["config"], summary="Import a Prometheus alerting rule file as PromQL rules",
        description="groups[].rules[] with alert, expr, for, labels and annotations become PromQL rules on the "
        "data source named by `data_source` (a rule of the same name is changed); recording rules are skipped "
        "and listed. All or nothing; problems at their path in the file (groups[0].rules[2].for).",
        parameters=[
            OpenApiParameter("data_source", str, required=True, description="The data source's name."),
            OpenApiParameter("dry_run", bool, description="Say what would change; save nothing."),
        ],
        request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        responses={200: OpenApiTypes.OBJECT, 400: VALIDATION_ERROR},
    )
    def post(self, request):
        data = request.data  # a body that does not parse is a 400 before anything else
        dry_run = _flag(request, "dry_run")
        source = request.query_params.get("data_source", "").strip()
        bad = {}
        if dry_run is None:
            bad["dry_run"] = ["Expected true or false."]
        if not source:
            bad["data_source"] = ["Name the data source the rules query: ?data_source=<name>."]
        if bad:
            return Response(bad, status=status.HTTP_400_BAD_REQUEST)
        try:
            with audit.acting(audit.IMPORT, user=request.user):
                result, skipped = import_rule_file(data, data_source=source, user=request.user,
                                                   dry_run=bool(dry_run))
        except DocumentError as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response({**result.as_dict(), "skipped_recording_rules": skipped})
