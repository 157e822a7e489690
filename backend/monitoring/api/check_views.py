"""The checks API (/api/monitoring/checks/) and the heartbeats' ping endpoints (/ping/<uuid>/)."""

from uuid import UUID

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.lookups import IdLookupMixin
from core.permissions import ModelPermissions, perm
from core.schema import ERROR_RESPONSES, VALIDATION_ERROR
from core.throttling import CacheRateThrottle, UserActionThrottle, client_address

from ..checks import service
from ..models import Check, CheckKind
from .check_serializers import CheckResultSerializer, CheckSerializer, NameTaken

MAX_RESULTS = 1000
NAME_TAKEN = OpenApiResponse(VALIDATION_ERROR.response, description="Another check has this name.")


class ResultsQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_RESULTS, default=200,
                                     help_text=f"How many results, newest first (1 to {MAX_RESULTS}; default 200).")


@extend_schema_view(
    list=extend_schema(tags=["monitoring"], summary="List checks, with uptime and their last 30 runs"),
    retrieve=extend_schema(tags=["monitoring"], summary="One check"),
    create=extend_schema(tags=["monitoring"], summary="Add a check (and its default rule)",
                         responses={201: CheckSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    update=extend_schema(tags=["monitoring"], summary="Replace a check",
                         responses={200: CheckSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    partial_update=extend_schema(tags=["monitoring"], summary="Change some of a check",
                                 responses={200: CheckSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    destroy=extend_schema(tags=["monitoring"], summary="Delete a check, its results and its default rule"),
)
class CheckViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """HTTP(S) and TCP checks and heartbeats. Viewers read them; managers add, change, run and
    delete them."""

    permission_classes = [ModelPermissions]
    required_permissions = {"results": [perm(Check, "view")], "run": [perm(Check, "change")]}
    queryset = Check.objects.all()
    serializer_class = CheckSerializer

    def get_throttles(self):
        if self.action == "run":
            return [UserActionThrottle()]
        return super().get_throttles()

    def _context_for(self, checks) -> dict:
        ids = [check.pk for check in checks]
        return {**self.get_serializer_context(), "uptime": service.uptime_of(ids), "recent": service.recent_of(ids)}

    def _answer(self, check, code=status.HTTP_200_OK) -> Response:
        return Response(CheckSerializer(check, context=self._context_for([check])).data, status=code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        checks = list(page if page is not None else queryset)
        data = CheckSerializer(checks, many=True, context=self._context_for(checks)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        create_rule = fields.pop("create_rule", True)
        try:
            check = service.create_check(user=request.user, create_rule=create_rule, **fields)
        except ValueError as error:
            return Response({"create_rule": [f"The default rule could not be made: {error}"]},
                            status=status.HTTP_400_BAD_REQUEST)
        return self._answer(check, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        check = self.get_object()
        serializer = self.get_serializer(check, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("create_rule", None)
        return self._answer(service.update_check(check, **fields))

    def destroy(self, request, *args, **kwargs):
        service.delete_check(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=["monitoring"], summary="A check's results, newest first",
                   parameters=[ResultsQuerySerializer], responses={200: CheckResultSerializer(many=True),
                                                                  400: VALIDATION_ERROR})
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        check = self.get_object()
        query = ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = check.results.order_by("-at", "-id")[: query.validated_data["limit"]]
        return Response(CheckResultSerializer(rows, many=True).data)

    @extend_schema(tags=["monitoring"], summary="Run an HTTP or TCP check now", request=None,
                   responses={200: CheckSerializer, 400: VALIDATION_ERROR, 429: ERROR_RESPONSES[429]})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        check = self.get_object()
        if check.kind == CheckKind.HEARTBEAT:
            return Response({"kind": ["A heartbeat is not run: its job pings it."]}, status=status.HTTP_400_BAD_REQUEST)
        service.run_check(check.pk)
        check.refresh_from_db()
        return self._answer(check)


__all__ = ["CheckViewSet", "NameTaken", "ping"]


class PingThrottle(CacheRateThrottle):
    """Pings per client address, known uuids or not (so guessing uuids is slow)."""

    scope = "ping"

    def get_ident_key(self, request, view):
        return f"addr-{client_address(request)}"


_PING_KINDS = {"": service.PING_SUCCESS, "start": service.PING_START, "fail": service.PING_FAIL}


@csrf_exempt
def ping(request, key: str, what: str | None = None):
    """GET, HEAD or POST /ping/<uuid>/ (also /start and /fail): no authentication, the uuid is
    the secret. "OK", or 404 for an unknown uuid, 429 past the rate limit."""
    if request.method not in ("GET", "HEAD", "POST"):
        response = HttpResponse("Method not allowed", status=405, content_type="text/plain")
        response["Allow"] = "GET, HEAD, POST"
        return response
    throttle = PingThrottle()
    if not throttle.allow_request(request, None):
        response = HttpResponse("Rate limited", status=429, content_type="text/plain")
        response["Retry-After"] = str(int(throttle.wait() + 0.999))
        return response
    try:
        uuid = UUID(key)
    except ValueError:
        uuid = None
    if uuid is None or not service.ping(uuid, _PING_KINDS[what or ""]):
        return HttpResponse("Not found", status=404, content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")
