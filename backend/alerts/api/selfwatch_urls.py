"""Self-watch's URLs, at the site's root (resee/urls.py includes them before /api/monitoring/)."""

from django.urls import path

from . import selfwatch_views

urlpatterns = [
    # Prometheus' scrape (METRICS_TOKEN and/or METRICS_ALLOWED_IPS; refused until one is set).
    path("metrics", selfwatch_views.metrics, name="metrics"),
    path("metrics/", selfwatch_views.metrics, name="metrics-slash"),
    path("api/monitoring/self-health/", selfwatch_views.SelfHealthView.as_view(), name="monitoring-self-health"),
]
