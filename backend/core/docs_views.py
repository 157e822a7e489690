"""The interactive API docs (Swagger UI from drf-spectacular-sidecar, served by this app, so they
work without internet access). For signed-in users only, like the schema they show."""

from django.http import HttpResponse
from django.utils.html import escape
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions

_SIGN_IN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Resee Alerts API: sign in</title></head>
<body><h1>Resee Alerts API</h1>
<p>The API documentation is for signed-in users. Sign in to <a href="/admin/login/?next={next}">the
admin</a> (staff) or to <a href="/">the dashboard</a>, then come back to this page.</p></body></html>
"""


class ApiDocsView(SpectacularSwaggerSplitView):
    """Its start-up script is a file of its own (`?script`), not inline: the page's
    Content-Security-Policy allows scripts from this origin only."""

    def handle_exception(self, exc):
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            # A browser gets a way to sign in, not a bare "401 Unauthorized"; the status stays 401.
            response = HttpResponse(_SIGN_IN.format(next=escape(self.request.path)), status=401)
            response["WWW-Authenticate"] = self.get_authenticate_header(self.request) or "Bearer"
            return response
        return super().handle_exception(exc)
