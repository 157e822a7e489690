"""Security headers: a Content-Security-Policy on the admin and the API docs (the dashboard has its
own), HSTS and the HTTPS redirect when configured, and `check --deploy` clean with the documented
production settings."""

import re
import subprocess

import pytest
from django.conf import settings

from core.testing import PYTHON, child_env

pytestmark = pytest.mark.django_db

# The production settings docs/operations.md documents (section "Production: TLS and security settings").
PRODUCTION_ENV = {
    "SECRET_KEY": "k" * 10 + "-Vn8rT2qXw5zLp3sYh7dFj9mBc4gKe6uA1oRi0tNvQ",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "alerts.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://alerts.example.com",
    "SITE_URL": "https://alerts.example.com",
    "SECURE_COOKIES": "true",
    "TRUST_X_FORWARDED_PROTO": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def directives(response) -> dict[str, set[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def assert_strict(policy: dict[str, set[str]]):
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}  # no inline script, no eval, no other origin
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["connect-src"] == {"'self'"}


def test_the_admin_pages_carry_the_policy(client, superuser):
    assert_strict(directives(client.get("/admin/login/")))

    client.force_login(superuser)
    response = client.get("/admin/alerts/alertrule/add/")

    assert response.status_code == 200
    assert_strict(directives(response))


def test_the_api_docs_carry_the_policy_and_load_no_inline_script(client, superuser):
    client.force_login(superuser)

    page = client.get("/api/docs/")

    assert page.status_code == 200
    assert_strict(directives(page))
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html

    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_docs_sign_in_page_carries_the_policy_too(client):
    response = client.get("/api/docs/")

    assert response.status_code == 401
    assert_strict(directives(response))


def test_the_api_answers_with_the_policy(auth_client):
    assert_strict(directives(auth_client.get("/api/auth/me/")))


def test_no_hsts_and_no_redirect_by_default(client):
    assert (settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT) == (0, False)

    response = client.get("/health/", secure=True)

    assert "Strict-Transport-Security" not in response


def test_hsts_on_https_requests_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    secure = client.get("/admin/login/", secure=True)
    plain = client.get("/admin/login/")

    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in plain


def test_plain_http_is_redirected_except_the_health_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/admin/login/", HTTP_HOST="localhost")

    assert response.status_code == 301
    assert response["Location"] == "https://localhost/admin/login/"
    assert client.get("/health/").status_code == 200


def _manage(tmp_path, *args, **env):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=settings.BACKEND_DIR, env={**child_env(tmp_path), **env},
        capture_output=True, text=True, timeout=120,
    )


def test_the_variables_set_hsts_and_the_redirect(tmp_path):
    result = _manage(
        tmp_path, "shell", "-c",
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)",
        **PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "31536000 True True True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_what_the_embedded_default_leaves_for_production(tmp_path):
    result = _manage(tmp_path, "check", "--deploy")

    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    # HSTS, HTTPS redirect, secure session and CSRF cookies: what the production settings set.
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


@pytest.mark.parametrize("name, value", [
    ("SECURE_HSTS_SECONDS", "-1"), ("SECURE_HSTS_PRELOAD", "maybe"), ("LOGIN_LOCKOUT_BY", "user"),
    ("LOGIN_FAILURE_LIMIT", "0"), ("LOGIN_LOCKOUT_MINUTES", "0"),
])
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = _manage(tmp_path, "check", **{name: value})

    assert result.returncode != 0
    assert name in result.stderr


def test_the_docs_document_the_production_settings():
    operations = (settings.REPO_DIR / "docs" / "operations.md").read_text()
    section = operations.split("## Production: TLS and security settings", 1)[1].split("\n## ", 1)[0]

    for name, value in PRODUCTION_ENV.items():
        if name == "SECRET_KEY":
            assert "SECRET_KEY=" in section
        else:
            assert f"{name}={value}" in section, name
    assert "check --deploy" in section
