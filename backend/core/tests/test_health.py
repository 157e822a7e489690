import json
import subprocess

import pytest

from core.testing import BACKEND_DIR, PYTHON

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_authentication(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_health_reports_a_broker_that_does_not_answer(client, settings):
    # A port nothing listens on: the connection is refused for real.
    settings.CELERY_BROKER_URL = "redis://:secret-password@127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable", "checks": {"database": "ok", "broker": "unavailable", "cache": "ok"},
    }
    assert b"secret-password" not in response.content
    assert b"127.0.0.1" not in response.content


def test_health_reports_an_unwritable_embedded_broker(client, settings, tmp_path):
    missing = tmp_path / "gone"
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(missing), "data_folder_out": str(missing)}

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"


def test_health_reports_a_database_that_does_not_answer(tmp_path):
    # A whole process configured with a database server that is not there, asked through Django's
    # own request handling.
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/health/'); print(json.dumps({'code': r.status_code, 'body': r.json()}))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "resee.settings",
        "ENV_FILE": str(tmp_path / "none"),
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres:hunter2@127.0.0.1:1/nothing",
        "ALLOWED_HOSTS": "testserver",
    }
    out = subprocess.run([PYTHON, "-c", script], cwd=BACKEND_DIR, env=env, capture_output=True, text=True, timeout=60)

    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 503
    assert result["body"] == {
        "status": "unavailable", "checks": {"database": "unavailable", "broker": "ok", "cache": "unavailable"},
    }
    assert "hunter2" not in out.stdout


def test_health_reveals_no_versions(client):
    response = client.get("/health/")

    body = response.content.decode().lower()
    for word in ("version", "django", "python", "celery", "sqlite", "postgres"):
        assert word not in body


def test_health_only_answers_get(client):
    assert client.post("/health/").status_code == 405
