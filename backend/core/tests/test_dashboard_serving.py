"""Django serves the dashboard's build: assets cached for good, the page revalidated, client-side
routes answered with the page, and nothing else (API, admin, health, static) touched."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGE = b'<!doctype html><title>Resee Alerts</title><script type="module" src="/assets/index-Ab3_x9Zq.js"></script>'
SCRIPT = b"console.log('dashboard')"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def dist(settings, tmp_path):
    """A dashboard build, as `npm run build` lays it out."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(PAGE)
    (root / "assets" / "index-Ab3_x9Zq.js").write_bytes(SCRIPT)
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    settings.FRONTEND_DIST_DIR = root
    settings.WHITENOISE_ROOT = str(root)
    return root


@pytest.fixture
def no_dist(settings, tmp_path):
    settings.FRONTEND_DIST_DIR = tmp_path / "not-built"
    settings.WHITENOISE_ROOT = None


def page(path, accept=BROWSER_ACCEPT):
    # A new client per request: WhiteNoise reads its settings when the middleware is created.
    return Client().get(path, HTTP_ACCEPT=accept)


def assert_is_the_page(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == PAGE
    assert response["Cache-Control"] == "no-cache"


def test_root_serves_the_page_that_is_revalidated_every_time(dist):
    response = page("/")

    assert_is_the_page(response)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_root_serves_the_page_to_any_client(dist):
    assert_is_the_page(page("/", accept="*/*"))


@pytest.mark.parametrize("path", ["/dashboard", "/login", "/alerts/42/edit", "/rules/?severity=high"])
def test_client_routes_serve_the_page(dist, path):
    assert_is_the_page(page(path))


def test_hashed_assets_are_cached_for_good(dist):
    response = page("/assets/index-Ab3_x9Zq.js", accept="*/*")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SCRIPT
    assert "javascript" in response["Content-Type"]
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]


def test_other_root_files_are_served_briefly_cached(dist):
    response = page("/favicon.svg", accept="image/*")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


def test_index_html_by_name_is_revalidated_too(dist):
    response = page("/index.html")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/assets/index-OldHash1.js", "/favicon.ico"])
def test_a_missing_file_is_a_404_not_the_page(dist, path):
    response = page(path, accept="*/*")

    assert response.status_code == 404
    assert PAGE not in response.content


def test_a_client_route_asked_for_as_json_is_a_404(dist):
    assert page("/dashboard", accept="application/json").status_code == 404


def test_a_client_route_takes_only_get_and_head(dist):
    assert Client().head("/dashboard", HTTP_ACCEPT=BROWSER_ACCEPT).status_code == 200
    assert Client().post("/dashboard", HTTP_ACCEPT=BROWSER_ACCEPT).status_code == 405


def test_unknown_api_paths_stay_json(dist):
    response = page("/api/nothing/here/")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_api_admin_health_and_static_are_untouched(dist):
    assert page("/api/auth/me/").status_code == 401
    assert page("/health/").json()["status"] == "ok"
    admin = page("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith("/admin/login/")
    assert page("/admin")["Location"] == "/admin/"
    assert page("/health")["Location"] == "/health/"
    missing_static = page("/static/nothing.css", accept="text/css,*/*")
    assert missing_static.status_code == 404
    assert PAGE not in missing_static.content


def test_without_a_build_root_redirects_to_the_admin(no_dist):
    response = page("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_without_a_build_client_routes_are_404(no_dist):
    assert page("/dashboard").status_code == 404
