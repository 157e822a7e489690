from django.urls import path
from rest_framework.routers import SimpleRouter

from . import check_views, views

router = SimpleRouter()
router.register("errors", views.ErrorLogViewSet, basename="monitoring-error")
router.register("data-sources", views.DataSourceViewSet, basename="monitoring-data-source")
router.register("push-tokens", views.PushTokenViewSet, basename="monitoring-push-token")
router.register("checks", check_views.CheckViewSet, basename="monitoring-check")

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="monitoring-overview"),
    path("metrics/", views.MetricIngestView.as_view(), name="monitoring-metric-ingest"),
    path("metrics/<str:name>/series/", views.MetricSeriesView.as_view(), name="monitoring-metric-series"),
    path("metrics/<str:name>/labels/", views.MetricLabelsView.as_view(), name="monitoring-metric-labels"),
    path("ai-usage/", views.AIUsageIngestView.as_view(), name="monitoring-ai-usage"),
    path("endpoints/", views.EndpointStatsView.as_view(), name="monitoring-endpoints"),
    *router.urls,
]
