"""Pieces of the fault suite: a redis-server of the test's own, a process that holds a database
lock, an SMTP receiver that notes when each message arrived, and ways to start, kill and read
the worker, beat and web processes that core.testing.ProcessGroup runs."""

import json
import os
import signal
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection

from alerts.tests.receivers import RecordingHandler, SMTPReceiver
from core.testing import BACKEND_DIR, PYTHON, REDIS_SERVER_BINARY, ProcessGroup, RedisServer, child_env

REDIS_SERVER = REDIS_SERVER_BINARY
WEBHOOK_PATH = "/services/T0FAULT/B0FAULT/faultsuitewebhooktoken"


def on_sqlite() -> bool:
    return connection.vendor == "sqlite"


# --- processes ------------------------------------------------------------------------------------


def queues() -> str:
    """Every queue a task is routed to, so that one worker started here runs all of them."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return ",".join(sorted(names))


def worker_args(name: str, concurrency: int = 2, queue_names: str | None = None) -> list[str]:
    return [PYTHON, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO", "--concurrency",
            str(concurrency), "--hostname", f"{name}-{os.getpid()}@%h", "-Q", queue_names or queues()]


def beat_args(schedule: Path) -> list[str]:
    # Each beat its own schedule file: two beats sharing one would fight over the file, not the queue.
    return [PYTHON, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO", "--schedule", str(schedule)]


def gunicorn_args(port: int) -> list[str]:
    """The web server exactly as `make run` and the image start it (resee/gunicorn_conf.py)."""
    from core.management.commands.runstack import web_command

    return web_command("127.0.0.1", port, 2, PYTHON)


def kill_hard(group: ProcessGroup, name: str) -> list[int]:
    """SIGKILL a process and every process under it, each by its pid, as a crash of its machine
    would: a pool child left alive would finish the task its parent was killed in."""
    process = group.processes[name]
    try:
        tree = psutil.Process(process.pid)
        victims = [tree, *tree.children(recursive=True)]
    except psutil.NoSuchProcess:
        victims = []
    for victim in victims:
        try:
            os.kill(victim.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)
    psutil.wait_procs(victims, timeout=10)
    return [victim.pid for victim in victims]


def stop_all(group: ProcessGroup) -> None:
    """Finalizer: every process the test started and everything under them, by pid. runstack's
    children live in sessions of their own, so killing its group alone would not reach them."""
    for name in list(group.processes):
        kill_hard(group, name)
    group.kill_all()


def assert_alive(group: ProcessGroup, *names: str) -> bool:
    """Fails if any of these processes exited. Returns False, so that a wait_for condition can be
    `assert_alive(...) or condition`."""
    for name in names:
        assert group.processes[name].poll() is None, f"{name} exited:\n{group.log(name)[-4000:]}"
    return False


def count(group: ProcessGroup, name: str, text: str) -> int:
    return group.log(name).count(text)


def run_django(env: dict[str, str], code: str, timeout: float = 60) -> str:
    """Run a snippet in a new Django process with the stack's environment (its database, its
    broker), e.g. a service call with a `now` that a real process could only wait for."""
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    done = subprocess.run([PYTHON, "-c", script], cwd=BACKEND_DIR, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# --- Redis ----------------------------------------------------------------------------------------


def stack_redis_url(redis: RedisServer | None) -> dict[str, str]:
    """The environment that points a child at `redis` for its cache and broker (none: the
    embedded default, the database cache and the file-system broker)."""
    if redis is None:
        return {"REDIS_URL": ""}
    return {"REDIS_URL": redis.url, "CELERY_BROKER_URL": redis.url, "CELERY_RESULT_BACKEND": redis.url}


# --- a database lock held by another process ------------------------------------------------------

_SQLITE_LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""

_POSTGRES_LOCKER = """
import psycopg, sys
db = psycopg.connect(sys.argv[1])
db.execute("SELECT id FROM " + sys.argv[2] + " FOR UPDATE").fetchall()
print("locked", flush=True)
sys.stdin.read()
"""


class DatabaseLock:
    """Another process holding a write lock on the test database: on SQLite the whole file's
    (BEGIN IMMEDIATE), on PostgreSQL the rows of `table` (SELECT ... FOR UPDATE). It holds the
    lock until release() kills it; the database frees a dead process's lock."""

    def __init__(self, table: str = "alerts_alertrule"):
        self.table = table
        self.process: subprocess.Popen | None = None

    def acquire(self) -> "DatabaseLock":
        db = connection.settings_dict
        if on_sqlite():
            args = [PYTHON, "-c", _SQLITE_LOCKER, db["NAME"]]
        else:
            from core.testing import test_database_url

            args = [PYTHON, "-c", _POSTGRES_LOCKER, test_database_url().replace("postgres://", "postgresql://", 1),
                    self.table]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        start_new_session=True)
        assert self.process.stdout is not None  # stdout=PIPE
        line = self.process.stdout.readline()
        assert line.strip() == "locked", f"the lock holder did not take its lock: {line!r}"
        return self

    def release(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# --- receivers ------------------------------------------------------------------------------------


class TimedHandler(RecordingHandler):
    """Also notes when each message arrived (time.time(), comparable with database timestamps)."""

    def __init__(self):
        super().__init__()
        self.arrived_at: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.arrived_at.append(time.time())
        return reply


class TimedSMTPReceiver(SMTPReceiver):
    def __init__(self):
        super().__init__()
        self.handler = TimedHandler()


def slack_subjects(server) -> list[str]:
    """The one-line subject of each message the Slack receiver got, in order of arrival."""
    subjects = []
    for request in list(server.requests):
        payload = request.json
        attachments = payload.get("attachments") or [{}]
        subjects.append(attachments[0].get("fallback") or payload.get("text") or "")
    return subjects


def is_resolve(subject: str) -> bool:
    return "resolved" in subject.lower()


def stack_env(tmp_path: Path, *, slack=None, smtp=None, redis: RedisServer | None = None,
              **extra: str) -> dict[str, str]:
    env = child_env(
        tmp_path,
        SITE_URL="https://alerts.resee.test",
        DEFAULT_FROM_EMAIL="alerts@resee.test",
        **stack_redis_url(redis),
    )
    if slack is not None:
        env["SLACK_WEBHOOK_URL"] = slack.url(WEBHOOK_PATH)
    if smtp is not None:
        env.update(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                   EMAIL_PORT=str(smtp.port), EMAIL_USE_TLS="false")
    env.update(extra)
    return env


# --- HTTP -----------------------------------------------------------------------------------------


def http(method: str, url: str, *, token: str | None = None, body=None, timeout: float = 10) -> tuple[int, str]:
    """One request; the status and the body, whatever the status (a refused connection is 0)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, str(error)



# --- rules ----------------------------------------------------------------------------------------


def make_rule(metric: str, *, name: str | None = None, threshold: float = 100, **fields):
    """A critical rule on a pushed metric, `last` over 1 minute, to Slack and email, with a
    cooldown long enough that no reminder comes during a test."""
    from alerts.models import AlertRule

    values = dict(
        name=name or f"{metric} too high", metric_name=metric, condition="gt", threshold_value=threshold,
        time_window_minutes=1, aggregation="last", severity="critical", slack_enabled=True, slack_channel="#ops",
        email_enabled=True, email_recipients=["oncall@resee.test"], cooldown_minutes=60,
    )
    values.update(fields)
    return AlertRule.objects.create(**values)


def ticks_run(group: ProcessGroup, *names: str) -> int:
    """Ticks that evaluated rules (the task's summary line), in the logs of `names`."""
    return sum(count(group, name, "check_alert_rules: {'evaluated'") for name in names)
