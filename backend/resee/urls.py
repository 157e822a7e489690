from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from core.views import ApiNotFound, health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/auth/", include("core.urls")),
    # Keep this last among the API routes: any other /api/ path is a JSON 404 (401 before
    # authentication).
    re_path(r"^api/", ApiNotFound.as_view()),
    # Until the dashboard is built, the admin is the way in.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
