from django.urls import path

from . import views
from .token_views import ObtainTokenView

urlpatterns = [
    path("me/", views.me, name="auth-me"),
    path("token/", ObtainTokenView.as_view(), name="auth-token"),
]
