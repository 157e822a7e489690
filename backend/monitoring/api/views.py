from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selfwatch
from core.lookups import IdLookupMixin
from core.permissions import ModelPermissions, perm
from core.schema import ERROR_RESPONSES, VALIDATION_ERROR

from .. import labels, prometheus, selectors, services
from ..labels import Matcher
from ..middleware import mark_upstream_failure
from ..models import AIUsage, DataSource, ErrorLog, MetricSample, PushToken, RequestRollup
from .filters import ErrorLogFilter
from .serializers import (
    AIUsageInSerializer,
    ChangedSerializer,
    CreatedPushTokenSerializer,
    CreatedSerializer,
    DataSourceSerializer,
    DataSourceTestSerializer,
    EndpointStatsSerializer,
    ErrorBulkSerializer,
    ErrorLogDetailSerializer,
    ErrorLogListSerializer,
    MetricLabelsSerializer,
    MetricSampleInSerializer,
    MinutesQuerySerializer,
    OverviewSerializer,
    PushTokenSerializer,
    SeriesSerializer,
    many_or_one,
)

# Reading telemetry needs the view permission of what is read; pushing it, the add permission of
# what is pushed (the "Metric pushers" group has exactly those two).
VIEW_SAMPLES = perm(MetricSample, "view")
VIEW_REQUESTS = perm(RequestRollup, "view")


def one_or_many(serializer_class, name: str) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer_class, serializer_class(many=True)],
        resource_type_field_name=None,
        many=False,
    )


INGEST_RESPONSES = {201: CreatedSerializer, 400: VALIDATION_ERROR}


def int_param(request, name: str, *, default: int, low: int, high: int) -> int:
    """A whole-number query parameter; absent, `default`. A blank one (`?minutes=`) is no number."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise serializers.ValidationError({name: ["A whole number is required."]}) from None
    if not low <= value <= high:
        raise serializers.ValidationError({name: [f"Must be between {low} and {high}."]})
    return value


def _bounded(low: int, high: int) -> dict:
    """The schema of a whole-number query parameter that int_param reads with these bounds."""
    return {"type": "integer", "minimum": low, "maximum": high}


def _as_list(data) -> list:
    return data if isinstance(data, list) else [data]


class MetricIngestView(APIView):
    """Push samples of custom metrics (or `subscriptions`): one object or a list of up to 1,000.
    A bad item gets a 400 naming its position and field, and nothing of the batch is saved."""

    permission_classes = [ModelPermissions]
    required_permissions = {"POST": [perm(MetricSample, "add")]}

    @extend_schema(
        tags=["monitoring"], summary="Push metric samples (one, or a list of up to 1,000)",
        request=one_or_many(MetricSampleInSerializer, "MetricSamplesIn"), responses=INGEST_RESPONSES,
    )
    def post(self, request):
        serializer = many_or_one(MetricSampleInSerializer, request.data)
        if not serializer.is_valid():
            # /metrics' resee_ingest_samples_total: a refused batch refuses each of its items.
            selfwatch.count_ingest("json", rejected=len(_as_list(request.data)))
            serializer.is_valid(raise_exception=True)
        items = _as_list(serializer.validated_data)
        created = services.record_metrics(items)
        selfwatch.count_ingest("json", accepted=len(created))
        return Response(CreatedSerializer({"created": len(created)}).data, status=status.HTTP_201_CREATED)


class AIUsageIngestView(APIView):
    """Record AI calls: one object or a list of up to 1,000, all or none."""

    permission_classes = [ModelPermissions]
    required_permissions = {"POST": [perm(AIUsage, "add")]}

    @extend_schema(
        tags=["monitoring"], summary="Record AI calls (one, or a list of up to 1,000)",
        request=one_or_many(AIUsageInSerializer, "AIUsagesIn"), responses=INGEST_RESPONSES,
    )
    def post(self, request):
        serializer = many_or_one(AIUsageInSerializer, request.data)
        serializer.is_valid(raise_exception=True)
        items = _as_list(serializer.validated_data)
        created = services.record_ai_usages(items)
        return Response(CreatedSerializer({"created": len(created)}).data, status=status.HTTP_201_CREATED)


class OverviewView(APIView):
    """Every catalogue metric's current value (default aggregation over `minutes`, default 5)."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_SAMPLES]}

    @extend_schema(
        tags=["monitoring"], summary="Every metric's current value",
        parameters=[MinutesQuerySerializer], responses={200: OverviewSerializer, 400: VALIDATION_ERROR},
    )
    def get(self, request):
        minutes = int_param(request, "minutes", default=5, low=1, high=60)
        return Response(selectors.cached_overview(minutes=minutes))


def label_matchers_param(request, name: str = "label") -> tuple[Matcher, ...]:
    """`?label=route:/api/orders/` (repeatable) as exact-match matchers; a bad one is a 400."""
    matchers, problems = [], []
    for raw in request.query_params.getlist(name):
        label, sep, value = raw.partition(":")
        problem = (
            None if sep else f"{raw[:80]!r}: use name:value, e.g. route:/api/orders/."
        ) or labels.label_name_error(label) or labels.label_value_error(value)
        if problem:
            problems.append(problem)
        else:
            matchers.append(Matcher(label, "=", value))
    if len(matchers) > labels.MAX_MATCHERS:
        problems.append(f"At most {labels.MAX_MATCHERS} label filters (got {len(matchers)}).")
    if problems:
        raise serializers.ValidationError({name: problems})
    return tuple(matchers)


def _unknown_metric(name: str) -> Response:
    return Response({"detail": f"Unknown metric '{name}'."}, status=status.HTTP_404_NOT_FOUND)


METRIC_PATH = OpenApiParameter("name", str, OpenApiParameter.PATH, description="A catalogue or custom metric.")
# What label_matchers_param accepts, for the schema: name:value, at most MAX_MATCHERS of them.
LABEL_FILTERS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "string",
        "pattern": rf"^[a-z_][a-z0-9_]{{0,{labels.LABEL_NAME_MAX_LENGTH - 1}}}:"
                   rf"[^\u0000-\u001f\u007f]{{0,{labels.MAX_LABEL_VALUE}}}$",
    },
    "maxItems": labels.MAX_MATCHERS,
}
SPLIT_BY_SCHEMA = {"type": "string", "pattern": rf"^$|^[a-z_][a-z0-9_]{{0,{labels.LABEL_NAME_MAX_LENGTH - 1}}}$"}


class MetricSeriesView(APIView):
    """A metric over the last `minutes` (default 60, at most a week), in at most 300 points: over
    the series the `label` filters select, and split by one label into its top series."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_SAMPLES]}

    @extend_schema(
        tags=["monitoring"], summary="A metric over time, for charts",
        parameters=[
            METRIC_PATH,
            OpenApiParameter("minutes", _bounded(1, selectors.SERIES_MAX_MINUTES),
                             description="Default 60, at most 10080 (a week)."),
            OpenApiParameter("label", LABEL_FILTERS_SCHEMA, explode=True,
                             description="name:value, repeatable: only the series with these labels (exact match)."),
            OpenApiParameter("split_by", SPLIT_BY_SCHEMA,
                             description="A label name: `series` holds the top series by it (blank: not split)."),
            OpenApiParameter("top", _bounded(1, selectors.SERIES_SPLIT_TOP_MAX),
                             description=f"With split_by: how many series (default "
                             f"{selectors.SERIES_SPLIT_TOP_DEFAULT}, at most {selectors.SERIES_SPLIT_TOP_MAX})."),
        ],
        responses={200: SeriesSerializer, 400: VALIDATION_ERROR, 404: ERROR_RESPONSES[404]},
    )
    def get(self, request, name):
        metric = selectors.get_metric(name)
        if metric is None:
            return _unknown_metric(name)
        minutes = int_param(request, "minutes", default=60, low=1, high=selectors.SERIES_MAX_MINUTES)
        matchers = label_matchers_param(request)
        split_by = request.query_params.get("split_by") or None
        if split_by and (problem := labels.label_name_error(split_by)):
            raise serializers.ValidationError({"split_by": [problem]})
        top = int_param(request, "top", default=selectors.SERIES_SPLIT_TOP_DEFAULT, low=1,
                        high=selectors.SERIES_SPLIT_TOP_MAX)
        return Response(selectors.metric_series(metric, minutes, matchers=matchers, split_by=split_by, top=top))


class MetricLabelsView(APIView):
    """The label names and values a metric's series had in the last day: what a rule may match
    on or group by."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_SAMPLES]}

    @extend_schema(
        tags=["monitoring"], summary="A metric's label names and values",
        parameters=[METRIC_PATH], responses={200: MetricLabelsSerializer, 404: ERROR_RESPONSES[404]},
    )
    def get(self, request, name):
        metric = selectors.get_metric(name)
        if metric is None:
            return _unknown_metric(name)
        return Response(selectors.metric_label_values(metric))


ENDPOINT_ORDERINGS = ("p95_ms", "avg_ms", "max_ms", "error_rate", "status_5xx", "status_4xx", "count")


class EndpointStatsView(APIView):
    """The slowest and most failing routes over the last `minutes` (default 60, at most a day),
    ordered by `ordering` (default p95_ms, largest first)."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_REQUESTS]}

    @extend_schema(
        tags=["monitoring"], summary="Routes by response time and errors",
        parameters=[
            OpenApiParameter("minutes", _bounded(1, 1440), description="Default 60, at most 1440."),
            OpenApiParameter("limit", _bounded(1, 200), description="Default 50, at most 200."),
            OpenApiParameter(
                "ordering", str, enum=[*ENDPOINT_ORDERINGS, *(f"-{o}" for o in ENDPOINT_ORDERINGS)],
                description="Largest first, whatever the sign. Default p95_ms.",
            ),
        ],
        responses={200: EndpointStatsSerializer, 400: VALIDATION_ERROR},
    )
    def get(self, request):
        minutes = int_param(request, "minutes", default=60, low=1, high=1440)
        limit = int_param(request, "limit", default=50, low=1, high=200)
        ordering = (request.query_params.get("ordering") or "p95_ms").lstrip("-")
        if ordering not in ENDPOINT_ORDERINGS:
            raise serializers.ValidationError({"ordering": [f"One of: {', '.join(ENDPOINT_ORDERINGS)}."]})
        routes = selectors.endpoint_stats(minutes=minutes)
        routes.sort(key=lambda r: (r[ordering] is not None, r[ordering] or 0), reverse=True)
        return Response({"minutes": minutes, "ordering": ordering, "routes": routes[:limit]})


@extend_schema_view(
    list=extend_schema(tags=["monitoring"], summary="List error groups"),
    retrieve=extend_schema(tags=["monitoring"], summary="Get an error group with its traceback"),
)
class ErrorLogViewSet(IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The error log: groups of logged errors, searchable (`q`) and filterable by level, resolved
    and time; `bulk` resolves, reopens or deletes many at once."""

    permission_classes = [ModelPermissions]
    # Deleting also needs the delete permission (checked in bulk()).
    required_permissions = {"bulk": [perm(ErrorLog, "change")]}
    queryset = ErrorLog.objects.select_related("user")
    filterset_class = ErrorLogFilter

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ErrorLogDetailSerializer
        if self.action == "bulk":
            return ErrorBulkSerializer
        return ErrorLogListSerializer

    @extend_schema(
        tags=["monitoring"], summary="Resolve, reopen or delete error groups",
        request=ErrorBulkSerializer, responses={200: ChangedSerializer, 400: VALIDATION_ERROR},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        serializer = ErrorBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["action"] == "delete" and not request.user.has_perm(perm(ErrorLog, "delete")):
            self.permission_denied(request, message="Deleting error groups needs the delete permission.")
        with transaction.atomic():
            changed = services.update_errors(**serializer.validated_data)
        return Response(ChangedSerializer({"changed": changed}).data)


@extend_schema_view(
    list=extend_schema(tags=["monitoring"], summary="List push tokens"),
    retrieve=extend_schema(tags=["monitoring"], summary="Get a push token (without the token)"),
    create=extend_schema(tags=["monitoring"], summary="Create a push token (shown once)",
                         responses={201: CreatedPushTokenSerializer, 400: VALIDATION_ERROR}),
    destroy=extend_schema(tags=["monitoring"], summary="Revoke a push token"),
)
class PushTokenViewSet(IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Tokens that may push telemetry (OTLP at /otlp/v1/metrics and /otlp/v1/logs) and nothing
    else: what a service's exporter is given. Only a digest is stored; the token is in the answer
    to its creation and nowhere after."""

    permission_classes = [ModelPermissions]
    queryset = PushToken.objects.select_related("created_by")
    serializer_class = PushTokenSerializer

    def create(self, request, *args, **kwargs):
        serializer = PushTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, text = services.create_push_token(serializer.validated_data["name"], created_by=request.user)
        token.token = text  # type: ignore[attr-defined]
        return Response(CreatedPushTokenSerializer(token).data, status=status.HTTP_201_CREATED)


NAME_TAKEN = OpenApiResponse(VALIDATION_ERROR.response, description="Another data source has this name.")


@extend_schema_view(
    list=extend_schema(tags=["monitoring"], summary="List data sources"),
    retrieve=extend_schema(tags=["monitoring"], summary="Get a data source (secrets masked)"),
    create=extend_schema(tags=["monitoring"], summary="Add a Prometheus-compatible data source",
                         responses={201: DataSourceSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    update=extend_schema(tags=["monitoring"], summary="Replace a data source",
                         responses={200: DataSourceSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    partial_update=extend_schema(tags=["monitoring"], summary="Change some of a data source",
                                 responses={200: DataSourceSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    destroy=extend_schema(tags=["monitoring"], summary="Delete a data source no rule uses",
                          responses={204: None, 409: ERROR_RESPONSES[409]}),
)
class DataSourceViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """Prometheus-compatible HTTP APIs (Prometheus, Thanos, Mimir, VictoriaMetrics) that rules of
    kind promql query. Credentials are write-only."""

    permission_classes = [ModelPermissions]
    required_permissions = {"test": [perm(DataSource, "change")]}
    queryset = DataSource.objects.all()
    serializer_class = DataSourceSerializer

    def destroy(self, request, *args, **kwargs):
        source = self.get_object()
        try:
            source.delete()
        except ProtectedError as error:
            names = sorted(str(rule) for rule in error.protected_objects)
            return Response(
                {"detail": f"Rules use this data source: {', '.join(names[:10])}. Change or delete them first."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["monitoring"], summary="Test a data source: query vector(1)", request=None,
        responses={200: DataSourceTestSerializer, 502: DataSourceTestSerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        problem = prometheus.check_source(self.get_object(), at=timezone.now())
        if problem:
            body = DataSourceTestSerializer({"status": "error", "detail": problem}).data
            return mark_upstream_failure(Response(body, status=status.HTTP_502_BAD_GATEWAY))
        return Response(DataSourceTestSerializer({"status": "ok", "detail": "vector(1) answered 1."}).data)
