"""Lock-out after repeated wrong passwords, on every login path: the dashboard's session login, the
token exchange and the admin (django-axes counts the failures; settings.AXES_* say how many, for
how long, and by what: by default a username from one client address).

The client address is core.throttling.client_address, the same trusted-proxy rule the rate limits
use, so a forged X-Forwarded-For cannot escape a lock-out."""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import status
from rest_framework.exceptions import APIException


def _cool_off_seconds(request=None) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 0


def _message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (
        "Too many failed sign-in attempts for this user from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}, or ask an administrator to unlock it."
    )


class LoginBackend(AxesStandaloneBackend):
    """Refuses a locked-out (username, address) before any password is checked.

    A call without a request (the shell, management commands, the test client's login()) is not a
    login over HTTP and is let through to the next backend rather than refused."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, wait: int):
        # DRF's exception handler turns `wait` into the Retry-After header.
        self.wait = wait
        super().__init__(_message(wait))


def authenticate_login(request, username: str, password: str):
    """The user these credentials belong to, None when they are wrong; LoginLockedOut (429) when
    this username is locked out from this address, the right password included."""
    user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        raise LoginLockedOut(_cool_off_seconds(request))
    return user


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login through a Django form (the admin's) gets: a page saying so, with
    the status and Retry-After the API gives."""
    seconds = _cool_off_seconds(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _message(seconds)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    else:
        from django.contrib import admin

        context = {**admin.site.each_context(request), "message": _message(seconds)}
        response = render(request, "core/login_locked_out.html", context, status=status.HTTP_429_TOO_MANY_REQUESTS)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
