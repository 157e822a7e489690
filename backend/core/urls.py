from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .token_views import ApiTokenViewSet, ObtainTokenView

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="auth-tokens")

urlpatterns = [
    path("csrf/", views.CsrfTokenView.as_view(), name="auth-csrf"),
    path("login/", views.LoginView.as_view(), name="auth-login"),
    path("logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("me/", views.me, name="auth-me"),
    path("token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]
