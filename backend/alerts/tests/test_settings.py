"""The notification settings are read from the environment and checked at start-up."""

import json
import subprocess

import pytest

from core.testing import BACKEND_DIR, PYTHON

SHOW = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "NOTIFICATION_MAX_ATTEMPTS", "NOTIFICATION_RETRY_BASE_SECONDS", "NOTIFICATION_RETRY_MAX_SECONDS",
    "NOTIFICATION_TIMEOUT_SECONDS", "ALERT_HISTORY_RETENTION_DAYS")}))
"""


def run_settings(tmp_path, **env):
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "resee.settings", "DATA_DIR": str(tmp_path / "data"),
            "ENV_FILE": str(tmp_path / "absent.env"), **env}
    return subprocess.run([PYTHON, "-c", SHOW], cwd=BACKEND_DIR, env=base, capture_output=True, text=True,
                          timeout=60)


def test_defaults(tmp_path):
    out = run_settings(tmp_path)

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "NOTIFICATION_MAX_ATTEMPTS": 5, "NOTIFICATION_RETRY_BASE_SECONDS": 30.0,
        "NOTIFICATION_RETRY_MAX_SECONDS": 900.0, "NOTIFICATION_TIMEOUT_SECONDS": 10.0,
        "ALERT_HISTORY_RETENTION_DAYS": 90,
    }


def test_values_from_the_environment(tmp_path):
    out = run_settings(tmp_path, NOTIFICATION_MAX_ATTEMPTS="3", NOTIFICATION_RETRY_BASE_SECONDS="2.5",
                       NOTIFICATION_RETRY_MAX_SECONDS="60", NOTIFICATION_TIMEOUT_SECONDS="4",
                       ALERT_HISTORY_RETENTION_DAYS="30")

    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "NOTIFICATION_MAX_ATTEMPTS": 3, "NOTIFICATION_RETRY_BASE_SECONDS": 2.5,
        "NOTIFICATION_RETRY_MAX_SECONDS": 60.0, "NOTIFICATION_TIMEOUT_SECONDS": 4.0,
        "ALERT_HISTORY_RETENTION_DAYS": 30,
    }


@pytest.mark.parametrize(
    "env,message",
    [
        ({"NOTIFICATION_MAX_ATTEMPTS": "0"}, "NOTIFICATION_MAX_ATTEMPTS must be at least 1"),
        ({"NOTIFICATION_RETRY_BASE_SECONDS": "0"}, "NOTIFICATION_RETRY_BASE_SECONDS must be above 0"),
        ({"NOTIFICATION_RETRY_BASE_SECONDS": "100", "NOTIFICATION_RETRY_MAX_SECONDS": "10"},
         "at most NOTIFICATION_RETRY_MAX_SECONDS"),
        ({"NOTIFICATION_TIMEOUT_SECONDS": "-1"}, "NOTIFICATION_TIMEOUT_SECONDS must be above 0"),
        ({"ALERT_HISTORY_RETENTION_DAYS": "0"}, "ALERT_HISTORY_RETENTION_DAYS must be at least 1"),
    ],
)
def test_impossible_values_stop_start_up(tmp_path, env, message):
    out = run_settings(tmp_path, **env)

    assert out.returncode != 0
    assert message in out.stderr
