from django.contrib.auth import login, logout
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .health import run_checks
from .serializers import LoginSerializer, UserSerializer


@never_cache
@require_GET
def health(request):
    """Unauthenticated probe: 200 when the database and the broker answer, 503 otherwise.

    It names the checks and their outcome, nothing else: no versions, hosts or error texts.
    """
    checks = run_checks()
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: "ok" if ok else "unavailable" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@api_view(["GET"])
def me(request):
    """Who the request is authenticated as."""
    return Response(UserSerializer(request.user).data)


@method_decorator(never_cache, name="dispatch")
class CsrfTokenView(APIView):
    """Sets the `csrftoken` cookie and returns its value, for a browser about to log in.

    Anyone may ask: the token is worthless without the cookie it was just given, and the answer
    says nothing about the system or its users."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"csrfToken": get_token(request)})


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class LoginView(APIView):
    """Session login for the dashboard. Scripts use a token instead."""

    # Whoever is calling is about to become someone else: a stale or foreign token in the request
    # must not turn the login into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        # DRF checks CSRF only for requests that its session authentication has authenticated; a
        # login form is anonymous by definition, so the check is made here (login CSRF).
        SessionAuthentication().enforce_csrf(request)
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A new session key and a new CSRF token: nothing from before the login carries over.
        login(request._request, user)
        return Response(UserSerializer(user).data)


@method_decorator(never_cache, name="dispatch")
class LogoutView(APIView):
    """Ends the browser session (CSRF-checked by session authentication). A token stays valid:
    tokens are revoked in the admin."""

    def post(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiNotFound(APIView):
    """Any path under /api/ that nothing else answers: a JSON 404 once authenticated (401 before),
    for every method, so that API clients never receive the dashboard's HTML page."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()
