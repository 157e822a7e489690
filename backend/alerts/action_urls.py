"""The pages an alert message's one-click action links open (alerts.views_actions), under /actions/."""

from django.urls import path

from .views_actions import ActionSignInView, action_page

urlpatterns = [
    path("sign-in/", ActionSignInView.as_view(), name="action-sign-in"),
    path("<str:token>/", action_page, name="action-page"),
]
