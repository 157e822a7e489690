"""Settings are read in a fresh interpreter per case, with exactly the environment the case gives."""

import json
import subprocess

import pytest

from core.testing import BACKEND_DIR, PYTHON

SHOW_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "db_engine": db["ENGINE"], "db_name": str(db["NAME"]), "db_host": db.get("HOST", ""),
    "cache": settings.CACHES["default"]["BACKEND"], "cache_location": settings.CACHES["default"].get("LOCATION"),
    "broker": settings.CELERY_BROKER_URL, "result_backend": settings.CELERY_RESULT_BACKEND,
    "broker_transport": getattr(settings, "CELERY_BROKER_TRANSPORT", None),
    "secret_key": settings.SECRET_KEY, "debug": settings.DEBUG, "allowed_hosts": settings.ALLOWED_HOSTS,
    "time_zone": settings.TIME_ZONE, "celery_timezone": settings.CELERY_TIMEZONE,
    "slack_channel": settings.SLACK_DEFAULT_CHANNEL, "summary_recipients": settings.ALERT_SUMMARY_RECIPIENTS,
    "email_port": settings.EMAIL_PORT, "email_use_tls": settings.EMAIL_USE_TLS,
}))
"""


def load_settings(tmp_path, **env):
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "resee.settings",
        "DATA_DIR": str(tmp_path / "data"),
        "ENV_FILE": str(tmp_path / "absent.env"),
    }
    base.update(env)
    out = subprocess.run(
        [PYTHON, "-c", SHOW_SETTINGS], cwd=BACKEND_DIR, env=base, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_no_env_file_gives_the_embedded_default(tmp_path):
    s = load_settings(tmp_path)

    assert s["db_engine"] == "django.db.backends.sqlite3"
    assert s["db_name"] == str(tmp_path / "data" / "db.sqlite3")
    assert s["broker"] == "filesystem://localhost/"
    assert s["broker_transport"] == "core.broker:Transport"
    assert s["result_backend"].startswith("file://")
    # Shared by web, worker and beat: not a per-process memory cache.
    assert s["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert s["debug"] is False
    assert s["allowed_hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert s["time_zone"] == "UTC"
    assert (tmp_path / "data" / "broker" / "queue").is_dir()


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings(tmp_path)["secret_key"]
    second = load_settings(tmp_path)["secret_key"]

    assert len(first) >= 50
    assert first == second
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o077 == 0


def test_secret_key_from_the_environment_wins(tmp_path):
    assert load_settings(tmp_path, SECRET_KEY="from-env-0123456789")["secret_key"] == "from-env-0123456789"
    assert not (tmp_path / "data" / "secret_key").exists()


def test_database_url_switches_to_postgresql(tmp_path):
    s = load_settings(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")

    assert s["db_engine"] == "django.db.backends.postgresql"
    assert s["db_name"] == "test"
    assert s["db_host"] == "127.0.0.1"


def test_redis_url_switches_broker_results_and_cache_to_redis(tmp_path):
    s = load_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")

    assert s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["broker_transport"] == "core.redis_broker:Transport"  # kombu's, reconnecting after an outage
    assert s["result_backend"] == "redis://127.0.0.1:6379/3"
    assert s["cache"] == "core.cache.ResilientRedisCache"  # Django's Redis cache, failing soft
    assert s["cache_location"] == "redis://127.0.0.1:6379/3"


def test_celery_broker_url_overrides_redis_for_the_broker_only(tmp_path):
    s = load_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3", CELERY_BROKER_URL="amqp://guest@127.0.0.1//")

    assert s["broker"] == "amqp://guest@127.0.0.1//"
    assert s["broker_transport"] is None
    assert s["cache"] == "core.cache.ResilientRedisCache"  # Django's Redis cache, failing soft


def test_env_file_is_read_and_the_process_environment_wins(tmp_path):
    env_file = tmp_path / "custom.env"
    env_file.write_text(
        "SLACK_DEFAULT_CHANNEL=#ops\n"
        "ALERT_SUMMARY_RECIPIENTS=admin@resee.com,ops@resee.com\n"
        "EMAIL_PORT=587\n"
        "EMAIL_USE_TLS=True\n"
        "TIME_ZONE=Europe/Berlin\n"
        "DEBUG=true\n"
    )

    s = load_settings(tmp_path, ENV_FILE=str(env_file), DEBUG="false")

    assert s["slack_channel"] == "#ops"
    assert s["summary_recipients"] == ["admin@resee.com", "ops@resee.com"]
    assert s["email_port"] == 587
    assert s["email_use_tls"] is True
    assert s["time_zone"] == s["celery_timezone"] == "Europe/Berlin"
    assert s["debug"] is False


@pytest.mark.parametrize("name", ["DEBUG", "EMAIL_PORT"])
def test_a_malformed_value_stops_start_up_with_its_name(tmp_path, name):
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "resee.settings",
        "DATA_DIR": str(tmp_path),
        "ENV_FILE": str(tmp_path / "absent.env"),
        name: "not-a-value",
    }
    out = subprocess.run([PYTHON, "-c", SHOW_SETTINGS], cwd=BACKEND_DIR, env=base, capture_output=True, text=True)

    assert out.returncode != 0
    assert name in out.stderr
