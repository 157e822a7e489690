"""/metrics (Prometheus text format, for a scraper with METRICS_TOKEN or from METRICS_ALLOWED_IPS)
and GET /api/monitoring/self-health/ (the dashboard's banner, for signed-in users)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from prometheus_client import CONTENT_TYPE_LATEST
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selfwatch as access
from core.throttling import client_address

from ..services import selfwatch


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    status, why = access.metrics_access(request.META.get("HTTP_AUTHORIZATION", ""), client_address(request))
    if status != 200:
        response = HttpResponse(why + "\n", status=status, content_type="text/plain; charset=utf-8")
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(selfwatch.metrics_text(), content_type=CONTENT_TYPE_LATEST)


class SelfHealthProblemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["tick_stale", "no_worker", "deliveries_failing"])
    text = serializers.CharField()


class SelfHealthSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    problems = SelfHealthProblemSerializer(many=True)
    last_tick_at = serializers.DateTimeField(allow_null=True)
    check_interval_seconds = serializers.IntegerField()
    workers = serializers.IntegerField(
        allow_null=True, help_text="Celery workers that answered a ping (null: the broker could not be asked)."
    )
    failing_deliveries_15m = serializers.IntegerField()


class SelfHealthView(APIView):
    """Whether the alerting itself works: ticks completing, workers answering, deliveries going
    out. The dashboard polls it and shows a banner with each problem's text."""

    @extend_schema(tags=["monitoring"], summary="The alerting system's own health (the dashboard's banner)",
                   responses=SelfHealthSerializer)
    def get(self, request):
        return Response(SelfHealthSerializer(selfwatch.self_health()).data)
