from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from core.audit_views import AuditViewSet
from core.dashboard import dashboard_page
from core.docs_views import ApiDocsView
from core.views import ApiNotFound, health
from monitoring.api import check_views, otlp_views

# Under /api/, a server error is JSON with an error id (core.exceptions), not an HTML page.
handler500 = "core.exceptions.server_error"

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    # OTLP/HTTP: an exporter posts to <endpoint>/v1/metrics and <endpoint>/v1/logs, no slash.
    path("otlp/v1/metrics", otlp_views.metrics, name="otlp-metrics"),
    path("otlp/v1/logs", otlp_views.logs, name="otlp-logs"),
    # Heartbeat pings: /ping/<uuid>/, /ping/<uuid>/start, /ping/<uuid>/fail (no authentication).
    path("ping/<str:key>/", check_views.ping, name="check-ping"),
    re_path(r"^ping/(?P<key>[^/]{1,64})/(?P<what>start|fail)/?$", check_views.ping, name="check-ping-kind"),
    # The pages an alert message's one-click action links open (server-rendered, CSRF-protected).
    path("actions/", include("alerts.action_urls")),
    path("api/auth/", include("core.urls")),
    path("api/audit/", AuditViewSet.as_view({"get": "list"}), name="audit-list"),
    # /metrics (Prometheus) and /api/monitoring/self-health/ (the dashboard's banner).
    path("", include("alerts.api.selfwatch_urls")),
    path("api/monitoring/", include("monitoring.api.urls")),
    path("api/alerts/", include("alerts.api.urls")),
    path("api/config/", include("configuration.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Keep these two last. Any other /api/ path is a JSON 404 (401 before authentication), never
    # the dashboard's page.
    re_path(r"^api/", ApiNotFound.as_view(), name="api-not-found"),
    # The dashboard at / and its client-side routes: every path outside api/, admin/, static/,
    # otlp/, metrics, ping/ and health/ (so that /admin still gets its redirect to /admin/).
    re_path(r"^(?!(?:api|admin|static|health|otlp|metrics|ping)(?:/|$))", dashboard_page, name="dashboard"),
]
