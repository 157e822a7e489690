from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from core.docs_views import ApiDocsView
from core.views import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/auth/", include("core.urls")),
    path("api/monitoring/", include("monitoring.api.urls")),
    path("api/alerts/", include("alerts.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Until the dashboard is built, the admin is the way in.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
