import signal
import socket

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core.testing import PYTHON, child_env, free_port, http_status, wait_for

pytestmark = pytest.mark.django_db


def test_ensure_admin_creates_one_superuser_and_prints_its_password_once(capsys, client):
    call_command("ensure_admin")
    first = capsys.readouterr().out
    call_command("ensure_admin")
    second = capsys.readouterr().out

    admin = get_user_model().objects.get(is_superuser=True)
    assert admin.username == "admin"
    password = first.split("password: ")[1].split()[0]
    assert client.login(username="admin", password=password)
    assert "password" not in second
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_ensure_admin_takes_the_configured_name_and_password(settings, capsys, client):
    settings.ADMIN_USERNAME = "ops"
    settings.ADMIN_PASSWORD = "a-chosen-password"

    call_command("ensure_admin")

    assert "a-chosen-password" not in capsys.readouterr().out
    assert client.login(username="ops", password="a-chosen-password")


def test_runstack_tells_its_processes_the_address_it_serves_unless_one_is_configured(settings):
    from core.management.commands.runstack import children_environment

    settings.HOST, settings.PORT, settings.SITE_URL = "127.0.0.1", 8000, "http://127.0.0.1:8000"
    served = children_environment("127.0.0.1", 9123, environ={"PATH": "/bin"})
    assert served == {"PATH": "/bin", "SITE_URL": "http://127.0.0.1:9123"}
    assert children_environment("127.0.0.1", 9123, environ={"SITE_URL": "https://alerts.example.com"}) == {
        "SITE_URL": "https://alerts.example.com"}

    settings.SITE_URL = "https://alerts.example.com"  # from an .env file
    assert "SITE_URL" not in children_environment("127.0.0.1", 9123, environ={})


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_runstack_serves_and_ctrl_c_stops_every_process(tmp_path, process_group):
    port = free_port()
    runstack = process_group.start(
        "runstack", [PYTHON, "manage.py", "runstack", "--port", str(port)], child_env(tmp_path)
    )

    wait_for(lambda: http_status(f"http://127.0.0.1:{port}/health/") == 200, timeout=60, message="the web server")
    assert http_status(f"http://127.0.0.1:{port}/admin/login/") == 200
    wait_for(lambda: "celery@" in process_group.log("runstack") and "beat: Starting" in process_group.log("runstack"),
             timeout=60, message="worker and beat")
    everything = process_group.descendants()
    names = " ".join(" ".join(p.cmdline()) for p in everything)
    assert "gunicorn" in names and "worker" in names and "beat" in names

    runstack.send_signal(signal.SIGINT)

    assert runstack.wait(timeout=40) == 0
    assert "All processes stopped." in process_group.log("runstack")
    assert [p.pid for p in everything if p.is_running() and p.status() != "zombie"] == []
    assert http_status(f"http://127.0.0.1:{port}/health/") == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_runstack_stops_everything_when_the_port_is_taken(tmp_path, process_group):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        runstack = process_group.start(
            "runstack", [PYTHON, "manage.py", "runstack", "--port", str(port)], child_env(tmp_path)
        )

        assert runstack.wait(timeout=60) == 1
    log = process_group.log("runstack")
    assert "web exited" in log
    assert "PORT" in log
    assert process_group.descendants() == []
