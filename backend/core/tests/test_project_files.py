"""The files that describe the project stay true to it: every setting documented, compose valid."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

REPO = Path(settings.REPO_DIR)
SETTINGS_SOURCE = (REPO / "backend" / "resee" / "settings.py").read_text()
VARIABLES = sorted(set(re.findall(r'env(?:\.\w+|_bool)\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE)))
PRODUCT_DOCUMENT_VARIABLES = [
    "SLACK_WEBHOOK_URL", "SLACK_DEFAULT_CHANNEL", "SLACK_BOT_NAME", "ALERT_SUMMARY_RECIPIENTS",
    "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL",
]


def test_settings_read_the_variables_of_the_product_document():
    assert set(PRODUCT_DOCUMENT_VARIABLES) <= set(VARIABLES)


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_is_documented(document):
    text = (REPO / document).read_text()

    missing = [name for name in VARIABLES if not re.search(rf"\b{name}\b", text)]

    assert missing == []


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
    assert set(services) == {"postgres", "redis", "backend", "celery", "celery-notifications", "celery-beat",
                             "frontend"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    for name in ("backend", "celery", "celery-notifications", "celery-beat"):
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert services["celery"]["command"][:4] == ["celery", "-A", "resee", "worker"]
    assert services["celery-beat"]["command"][:4] == ["celery", "-A", "resee", "beat"]
    assert set(COMPOSE["volumes"]) == {"app-data", "postgres-data", "redis-data"}


def test_nginx_proxies_the_backend_paths():
    nginx = (REPO / "frontend" / "nginx.conf").read_text()

    assert re.search(r"location ~ \^/\(api\|admin\|static\|health\)/", nginx)
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
