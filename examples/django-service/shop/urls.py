from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:id>/", views.order),
    path("checkout/", views.checkout),
    path("health/", views.health),
]
