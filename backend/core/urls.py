from django.urls import path

from . import views
from .token_views import ObtainTokenView

urlpatterns = [
    path("csrf/", views.CsrfTokenView.as_view(), name="auth-csrf"),
    path("login/", views.LoginView.as_view(), name="auth-login"),
    path("logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("me/", views.me, name="auth-me"),
    path("token/", ObtainTokenView.as_view(), name="auth-token"),
]
