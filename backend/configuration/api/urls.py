from django.urls import path

from . import views

urlpatterns = [
    path("export/", views.ExportView.as_view(), name="config-export"),
    path("import/", views.ImportView.as_view(), name="config-import"),
    path("import-prometheus/", views.ImportPrometheusView.as_view(), name="config-import-prometheus"),
]
