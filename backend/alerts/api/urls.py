from django.urls import path
from rest_framework.routers import SimpleRouter

from . import channel_views, inhibition_views, silence_views, views

router = SimpleRouter()
router.register("rules", views.AlertRuleViewSet, basename="alerts-rule")
router.register("history", views.AlertHistoryViewSet, basename="alerts-history")
router.register("channels", channel_views.NotificationChannelViewSet, basename="alerts-channel")
router.register("policies", channel_views.NotificationPolicyViewSet, basename="alerts-policy")
router.register("silences", silence_views.SilenceViewSet, basename="alerts-silence")
router.register("maintenance-windows", silence_views.MaintenanceWindowViewSet, basename="alerts-maintenance-window")
router.register("inhibition-rules", inhibition_views.InhibitionRuleViewSet, basename="alerts-inhibition-rule")

urlpatterns = [
    *router.urls,
    path("stats/", views.StatsView.as_view(), name="alerts-stats"),
    path("test/slack/", views.TestSlackView.as_view(), name="alerts-test-slack"),
    path("test/email/", views.TestEmailView.as_view(), name="alerts-test-email"),
    path("trigger/", views.TriggerView.as_view(), name="alerts-trigger"),
    path("metrics/", views.MetricCatalogueView.as_view(), name="alerts-metrics"),
    path("integrations/", views.IntegrationsView.as_view(), name="alerts-integrations"),
    path("open-alerts/", views.OpenAlertsView.as_view(), name="alerts-open-alerts"),
    path("metric-health/", views.MetricHealthView.as_view(), name="alerts-metric-health"),
]
