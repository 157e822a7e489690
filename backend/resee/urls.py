from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.views import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/auth/", include("core.urls")),
    path("api/monitoring/", include("monitoring.api.urls")),
    # Until the dashboard is built, the admin is the way in.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
