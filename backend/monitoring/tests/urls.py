"""The project's URLs plus views that fail or query on purpose, for the telemetry tests."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response

from resee.urls import urlpatterns as project_urlpatterns


def crash(request):
    raise ZeroDivisionError("the view divided by zero")


@api_view(["GET"])
def items(request, pk):
    users = get_user_model().objects
    return Response({"pk": pk, "users": users.count(), "again": users.count()})


def answer(request, status):
    return JsonResponse({"status": status}, status=status)


def refuse(exception):
    """A view raising what Django answers with a 4xx."""
    def view(request):
        raise exception
    return view


urlpatterns = [
    path("api/test/crash/", crash),
    path("api/test/items/<int:pk>/", items),
    path("api/test/answer/<int:status>/", answer),
    path("api/test/missing/", refuse(Http404("no such item"))),
    path("api/test/forbidden/", refuse(PermissionDenied("not yours"))),
    path("api/test/suspicious/", refuse(SuspiciousOperation("odd request"))),
    path("elsewhere/missing/", refuse(Http404("no such page"))),
    *project_urlpatterns,
]
