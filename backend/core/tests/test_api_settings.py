"""The API's settings stop start-up when they cannot be read, naming the variable."""

import subprocess

import pytest

from core.testing import BACKEND_DIR, PYTHON


@pytest.mark.parametrize(
    "name, value",
    [
        ("ALERT_ACTIONS_THROTTLE_RATE", "10/fortnight"),
        ("ALERT_ACTIONS_THROTTLE_RATE", "many/minute"),
        ("TOKEN_THROTTLE_RATE", "0/minute"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("TRUSTED_PROXY_COUNT", "one"),
    ],
)
def test_a_bad_value_stops_start_up_with_its_name(tmp_path, name, value):
    env = {
        "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "resee.settings", "DATA_DIR": str(tmp_path),
        "ENV_FILE": str(tmp_path / "absent.env"), name: value,
    }
    out = subprocess.run([PYTHON, "-c", "from django.conf import settings; settings.INSTALLED_APPS"],
                         cwd=BACKEND_DIR, env=env, capture_output=True, text=True, timeout=60)

    assert out.returncode != 0
    assert name in out.stderr

