"""`manage.py runstack`: notifications on a queue and a worker of their own, next to the worker
that runs ticks and collections; a ready banner that says how to sign in and what is configured."""

import json
import signal
import urllib.request

import pytest
from django.contrib.auth import get_user_model

from alerts.models import AlertRule
from alerts.tests.receivers import WebhookServer
from core.management.commands.runstack import web_command, worker_commands
from core.testing import BACKEND_DIR, PYTHON, api_key, child_env, free_port, http_status, wait_for
from monitoring.models import Check, MetricSample
from monitoring.tests.check_servers import TargetServer
from resee.celery import app


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_notifications_go_to_their_own_queue():
    assert _queue("alerts.tasks.send_notification") == "notifications"


def test_checks_go_to_their_own_queue():
    assert _queue("monitoring.tasks.sweep_checks") == "checks"
    assert _queue("monitoring.tasks.run_check") == "checks"


@pytest.mark.parametrize("task_name", [
    "alerts.tasks.check_alert_rules", "monitoring.tasks.collect_system_metrics",
    "alerts.tasks.update_alert_metrics_cache", "alerts.tasks.send_daily_alert_summary",
    "alerts.tasks.cleanup_old_alert_history",
])
def test_the_periodic_tasks_stay_on_the_default_queue(task_name):
    assert _queue(task_name) == "celery"


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_one_worker_per_queue():
    commands = worker_commands(2, 4, PYTHON)

    assert {_option(c, "--queues") for c in commands.values()} == {"celery", "notifications", "checks"}
    assert _option(commands["worker"], "--queues") == "celery"
    assert _option(commands["notifications"], "--concurrency") == "4"
    # Two workers on one host need names of their own.
    assert {_option(c, "--hostname") for c in commands.values()} == {"celery@%h", "notifications@%h", "checks@%h"}


def test_the_web_server_runs_threads_and_the_redacting_logger():
    import resee.gunicorn_conf as conf

    command = web_command("127.0.0.1", 8000, 2, PYTHON)

    assert _option(command, "--config") == "python:resee.gunicorn_conf"
    assert (conf.worker_class, conf.threads) == ("gthread", 8)
    assert conf.logger_class is conf.RedactingLogger


@pytest.fixture
def slack():
    server = WebhookServer().start()
    yield server
    server.stop()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_runstack_delivers_notifications_through_their_own_worker(tmp_path, process_group, slack):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-admin-1")
    token = api_key(user)
    rule = AlertRule.objects.create(
        name="Drill", metric_name="cpu_usage", condition="gt", threshold_value=90, time_window_minutes=5,
        severity="high", slack_enabled=True, slack_channel="#ops", email_enabled=False, is_active=True,
    )
    port = free_port()
    env = child_env(tmp_path, SLACK_WEBHOOK_URL=slack.url("/services/T0/B0/x"), EMAIL_HOST="",
                    OUTBOUND_ALLOW_PRIVATE_TARGETS="true")
    runstack = process_group.start("runstack", [PYTHON, "manage.py", "runstack", "--port", str(port)], env)

    wait_for(lambda: "Resee Alerts is running at" in process_group.log("runstack") or runstack.poll() is not None,
             timeout=90, message="the ready banner")
    wait_for(lambda: all(f"{name}@" in process_group.log("runstack") for name in ("celery", "notifications", "checks")),
             timeout=60, message="the three workers")
    log = process_group.log("runstack")
    assert "make manage ARGS='changepassword admin'" in log
    assert "Slack: messages go to the webhook in SLACK_WEBHOOK_URL." in log
    assert "Email: not configured (EMAIL_HOST is not set); email notifications are skipped." in log
    workers = [p.cmdline() for p in process_group.descendants() if "worker" in p.cmdline()]
    queues = {_option(c, "--queues") for c in workers if "--queues" in c}
    assert queues == {"celery", "notifications", "checks"}

    # A check is run by the stack itself: beat's sweep, the checks worker, its result and series.
    with TargetServer() as website:
        check = Check.objects.create(name="our website", kind="http", url=website.url("/ok"))
        wait_for(lambda: Check.objects.get(pk=check.pk).status == "up", timeout=60, message="the check's first run")
    assert website.paths == ["/ok"]
    assert MetricSample.objects.filter(name="check_up", series__labels={"check": "our website", "kind": "http"},
                                       value=1.0).exists()

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/alerts/trigger/", method="POST",
        data=json.dumps({"rule_id": rule.pk, "message": "Failover drill"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)

    wait_for(lambda: slack.requests, timeout=60, message="the trigger's Slack message")
    assert "Drill" in str(slack.requests[0].json)
    assert slack.requests[0].json["channel"] == "#ops"

    runstack.send_signal(signal.SIGINT)
    assert runstack.wait(timeout=40) == 0
    assert http_status(f"http://127.0.0.1:{port}/health/") == 0


def _compose():
    import yaml
    from django.conf import settings

    return yaml.safe_load((settings.REPO_DIR / "docker-compose.yml").read_text())["services"]


def test_compose_runs_a_worker_per_queue_and_the_web_server_with_its_settings():
    services = _compose()

    assert _option(services["celery"]["command"], "--queues") == "celery"
    notifications = services["celery-notifications"]["command"]
    assert notifications[:4] == ["celery", "-A", "resee", "worker"]
    assert _option(notifications, "--queues") == "notifications"
    assert _option(services["celery-checks"]["command"], "--queues") == "checks"
    assert "--config python:resee.gunicorn_conf" in " ".join(services["backend"]["command"])


def test_the_image_runs_the_web_server_with_its_settings():
    from django.conf import settings

    dockerfile = (settings.BACKEND_DIR / "Dockerfile").read_text()
    cmd = json.loads(dockerfile.split("\nCMD ", 1)[1].replace("\\\n", ""))

    assert cmd[:2] == ["gunicorn", "resee.wsgi:application"]
    assert _option(cmd, "--config") == "python:resee.gunicorn_conf"


def test_a_worker_started_without_queues_consumes_all_of_them():
    # `celery -A resee worker` with no --queues takes every declared queue.
    # (app.amqp.queues would also gain a queue that routing created on the fly; the declared ones are what
    # a worker starts with.)
    assert {queue.name for queue in app.conf.task_queues} == {"celery", "notifications", "checks"}


def test_web_threads_come_from_the_env_file_too(tmp_path):
    import subprocess

    env_file = tmp_path / "test.env"
    env_file.write_text("WEB_THREADS=3\n")
    env = {k: v for k, v in child_env(tmp_path).items() if k != "WEB_THREADS"}
    env["ENV_FILE"] = str(env_file)
    done = subprocess.run([PYTHON, "-c", "import resee.gunicorn_conf as c; print(c.threads)"],
                          cwd=BACKEND_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "3", done.stderr
