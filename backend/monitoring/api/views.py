from django.db import transaction
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..catalogue import get_metric
from ..models import ErrorLog
from .filters import ErrorLogFilter
from .serializers import (
    AIUsageInSerializer,
    ChangedSerializer,
    CreatedSerializer,
    ErrorBulkSerializer,
    ErrorLogDetailSerializer,
    ErrorLogListSerializer,
    MetricSampleInSerializer,
    many_or_one,
)


def int_param(request, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise serializers.ValidationError({name: ["A whole number is required."]}) from None
    if not low <= value <= high:
        raise serializers.ValidationError({name: [f"Must be between {low} and {high}."]})
    return value


class _IngestView(APIView):
    """One object or a list of up to 1,000, recorded all or none: a bad item gets a 400 naming its
    position and field, and nothing of the batch is saved."""

    serializer_class: type
    record = None  # the service that saves a list of validated items

    def post(self, request):
        serializer = many_or_one(self.serializer_class, request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = type(self).record(data if isinstance(data, list) else [data])
        return Response(CreatedSerializer({"created": len(created)}).data, status=status.HTTP_201_CREATED)


class MetricIngestView(_IngestView):
    """Push samples of custom metrics (or `subscriptions`)."""

    serializer_class = MetricSampleInSerializer
    record = services.record_metrics


class AIUsageIngestView(_IngestView):
    """Record AI calls."""

    serializer_class = AIUsageInSerializer
    record = services.record_ai_usages


class OverviewView(APIView):
    """Every catalogue metric's current value (default aggregation over `minutes`, default 5)."""

    def get(self, request):
        minutes = int_param(request, "minutes", default=5, low=1, high=60)
        return Response(selectors.cached_overview(minutes=minutes))


class MetricSeriesView(APIView):
    """A metric over the last `minutes` (default 60, at most a week), in at most 300 points."""

    def get(self, request, name):
        metric = get_metric(name)
        if metric is None:
            return Response({"detail": f"Unknown metric '{name}'."}, status=status.HTTP_404_NOT_FOUND)
        minutes = int_param(request, "minutes", default=60, low=1, high=selectors.SERIES_MAX_MINUTES)
        return Response(selectors.metric_series(metric, minutes))


ENDPOINT_ORDERINGS = ("p95_ms", "avg_ms", "max_ms", "error_rate", "status_5xx", "status_4xx", "count")


class EndpointStatsView(APIView):
    """The slowest and most failing routes over the last `minutes` (default 60, at most a day),
    ordered by `ordering` (default p95_ms, largest first)."""

    def get(self, request):
        minutes = int_param(request, "minutes", default=60, low=1, high=1440)
        limit = int_param(request, "limit", default=50, low=1, high=200)
        ordering = request.query_params.get("ordering", "p95_ms").lstrip("-")
        if ordering not in ENDPOINT_ORDERINGS:
            raise serializers.ValidationError({"ordering": [f"One of: {', '.join(ENDPOINT_ORDERINGS)}."]})
        routes = selectors.endpoint_stats(minutes=minutes)
        routes.sort(key=lambda r: (r[ordering] is not None, r[ordering] or 0), reverse=True)
        return Response({"minutes": minutes, "ordering": ordering, "routes": routes[:limit]})


class ErrorLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The error log: groups of logged errors, searchable (`q`) and filterable by level, resolved
    and time; `bulk` resolves, reopens or deletes many at once."""

    queryset = ErrorLog.objects.select_related("user")
    filterset_class = ErrorLogFilter

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ErrorLogDetailSerializer
        if self.action == "bulk":
            return ErrorBulkSerializer
        return ErrorLogListSerializer

    @action(detail=False, methods=["post"])
    def bulk(self, request):
        serializer = ErrorBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            changed = services.update_errors(**serializer.validated_data)
        return Response(ChangedSerializer({"changed": changed}).data)
