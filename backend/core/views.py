from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .health import run_checks


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
    user = request.user
    return Response(
        {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
        }
    )
