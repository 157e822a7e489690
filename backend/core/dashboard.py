"""The React dashboard's page, served by Django at / and at every client-side route.

Its hashed assets under /assets/ are served by WhiteNoise (WHITENOISE_ROOT in settings), which
answers before any view is reached; this view answers only for the page itself."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

# Sent with the page: the app loads its scripts, styles and data from this origin only. Inline
# styles are allowed because chart libraries set them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _asks_for_html(request) -> bool:
    """A browser navigating names text/html in its Accept header; fetches of scripts, images or
    JSON do not (at most */*), and they get a 404 rather than a page they cannot use."""
    return any(media.main_type == "text" and media.sub_type == "html" for media in request.accepted_types)


@require_safe
def dashboard_page(request):
    index = settings.FRONTEND_DIST_DIR / "index.html"
    if not index.is_file():
        # No build: the admin is the way in, as before the dashboard existed.
        if request.path == "/":
            return redirect("/admin/")
        raise Http404("the dashboard is not built")
    if request.path != "/" and not _asks_for_html(request):
        raise Http404("not a page")
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    # The page names the current hashed assets, so it is revalidated on every load.
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Accept"])
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
