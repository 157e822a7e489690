"""The files that describe the project stay true to it: every setting documented, every link of
the docs leading somewhere, compose valid."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import get_resolver

REPO = Path(settings.REPO_DIR)
SETTINGS_SOURCE = (REPO / "backend" / "resee" / "settings.py").read_text()
GUNICORN_SOURCE = (REPO / "backend" / "resee" / "gunicorn_conf.py").read_text()
VARIABLES = sorted(
    set(re.findall(r'env(?:\.\w+|_bool)\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE))
    | set(re.findall(r'Env\(\)\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', GUNICORN_SOURCE))
)
PRODUCT_DOCUMENT_VARIABLES = [
    "SLACK_WEBHOOK_URL", "SLACK_DEFAULT_CHANNEL", "SLACK_BOT_NAME", "ALERT_SUMMARY_RECIPIENTS",
    "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL",
]


def test_settings_read_the_variables_of_the_product_document():
    assert set(PRODUCT_DOCUMENT_VARIABLES) <= set(VARIABLES)


def test_the_variables_are_found():
    assert {"SECRET_KEY", "SLACK_WEBHOOK_URL", "WEB_THREADS"} <= set(VARIABLES)


@pytest.mark.parametrize("document", [".env.example", "docs/configuration.md"])
def test_every_variable_is_documented(document):
    text = (REPO / document).read_text()

    missing = [name for name in VARIABLES if not re.search(rf"\b{name}\b", text)]

    assert missing == []


DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lowercase, punctuation dropped, spaces as '-'."""
    anchors = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


@pytest.mark.parametrize("page", DOCS, ids=lambda page: str(page.relative_to(REPO)))
def test_every_link_of_the_docs_leads_somewhere(page):
    text = page.read_text()
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an outside address
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text()):
            broken.append(target)
    assert broken == []


def test_the_readme_is_the_front_door():
    readme = (REPO / "README.md").read_text()

    for page in ("architecture", "configuration", "api", "operations", "contributing"):
        assert f"(docs/{page}.md)" in readme, page
    assert "(docs/ALERT_SYSTEM_README.md)" in readme
    assert "make run" in readme and "make test" in readme
    assert "![" in readme and "docs/screenshots/" in readme
    assert len(readme.splitlines()) < 250


def test_env_example_is_a_working_configuration(tmp_path):
    # Copied to .env as it is, it must not switch anything on that needs filling in.
    settings_lines = [
        line for line in (REPO / ".env.example").read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    assert settings_lines == []


COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_health_checks():
    services = COMPOSE["services"]

    # The product document runs `docker-compose exec backend ...` and `docker-compose exec celery ...`.
    assert set(services) == {"postgres", "redis", "backend", "celery", "celery-notifications", "celery-checks",
                             "celery-beat", "frontend"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    for name in ("backend", "celery", "celery-notifications", "celery-checks", "celery-beat"):
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert services["celery"]["command"][:4] == ["celery", "-A", "resee", "worker"]
    assert services["celery-beat"]["command"][:4] == ["celery", "-A", "resee", "beat"]
    assert set(COMPOSE["volumes"]) == {"app-data", "postgres-data", "redis-data"}


def test_nginx_proxies_the_backend_paths():
    nginx = (REPO / "frontend" / "nginx.conf").read_text()

    # What nginx sends to Django is every prefix Django keeps from the dashboard's page: a new one
    # (the OTLP receivers' /otlp/) not proxied would get the dashboard's HTML with a 200.
    proxied = re.search(r"location ~ \^/\(([a-z|]+)\)/ \{", nginx)
    assert proxied, "the backend location of nginx.conf"
    dashboard = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == "dashboard")
    kept = re.search(r"\(\?:([a-z|]+)\)", str(dashboard.pattern))
    assert kept, dashboard.pattern
    assert set(proxied.group(1).split("|")) == set(kept.group(1).split("|")) >= {"api", "admin", "otlp"}
    assert "proxy_pass http://resee_backend" in nginx
    assert "try_files $uri /index.html" in nginx


def compose_command() -> list[str] | None:
    """The compose CLI of this machine: docker-compose, or the docker CLI's compose plugin."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_file_validates(tmp_path):
    compose = compose_command()
    if compose is None:
        pytest.skip("no compose CLI here (neither docker-compose nor the docker compose plugin)")
    for name in ("docker-compose.yml", ".env.example"):
        shutil.copy(REPO / name, tmp_path)
    (tmp_path / ".env.example").rename(tmp_path / ".env")
    for folder in ("backend", "frontend"):
        (tmp_path / folder).symlink_to(REPO / folder)

    result = subprocess.run([*compose, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
