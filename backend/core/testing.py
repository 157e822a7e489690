"""Helpers for tests that start real processes (web, worker, beat) against the test database."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.db import connection

BACKEND_DIR = Path(settings.BACKEND_DIR)
PYTHON = sys.executable

# Settings that a developer's shell or .env could carry into a child process and that would make
# it talk to something other than what the test chose.
_CHILD_ENV_DROP = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "ENV_FILE")


def test_database_url() -> str:
    """A DATABASE_URL for the database this test run uses, so child processes share it.

    Meaningful only inside a test with database access (the test database exists then)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # pytest: a helper, not a test


def child_env(tmp_path: Path, *, broker_url: str = "", **extra: str) -> dict[str, str]:
    """The environment for a child process of a test: the test database, the test's Redis (so
    that both share one cache), its own DATA_DIR (so the embedded broker and the generated secret
    are private to the test) and, when given, a broker."""
    env = {k: v for k, v in os.environ.items() if k not in _CHILD_ENV_DROP}
    env.update(
        DJANGO_SETTINGS_MODULE="resee.settings",
        ENV_FILE=str(tmp_path / "no.env"),
        DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=test_database_url(),
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    env.update(extra)
    return env


class ProcessGroup:
    """Child processes of one test, each in its own session so that it and everything it forks
    can be signalled together and nothing outlives the test."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")
        process = subprocess.Popen(
            args, cwd=BACKEND_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def descendants(self) -> list[psutil.Process]:
        found = []
        for process in self.processes.values():
            try:
                parent = psutil.Process(process.pid)
                found += [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return found

    def stop(self, name: str, sig=signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the process itself (not its group): Celery and gunicorn stop their own children
        in order; a pool child killed first would leave its parent waiting for it."""
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(sig)
        return process.wait(timeout=timeout)

    def kill_all(self):
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def wait_for(predicate, timeout: float, interval: float = 0.25, message: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


# --- API clients by role ---------------------------------------------------------------------------


def member_of(user, group_name: str):
    """`user`, made a member of one of the groups of core/roles.py."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from core.roles import sync_groups

    if not Group.objects.filter(name=group_name).exists():
        sync_groups(apps)  # a transactional test flushed what the migration created
    user.groups.add(Group.objects.get(name=group_name))
    return user


def client_for(user, scope: str = "write"):
    """An API client that sends a new API token of `user` (scope write unless told)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key(user, scope)}")
    return client


def api_key(user, scope: str = "write", **options) -> str:
    """The key of a new API token of `user`."""
    from core.tokens import create_token

    return create_token(user, f"test token ({scope})", scope=scope, **options)[1]


# --- ports, HTTP, a Redis server of the test's own ------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, *, timeout: float = 5, **headers: str) -> int:
    """The status a GET of `url` answers; 0 when nothing answers (refused, timed out)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


REDIS_SERVER_BINARY = shutil.which("redis-server")


class RedisServer:
    """A redis-server on a free port of 127.0.0.1, without persistence (what it holds is lost on
    a restart, as in a default container), that a test stops, kills and starts again by its pid
    on the same port."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        log = open(self.log_dir / f"redis-{self.port}.log", "ab")
        self.process = subprocess.Popen(
            [REDIS_SERVER_BINARY or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.log_dir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(self.ping, timeout=20, interval=0.05, message=f"redis-server on port {self.port}")
        return self

    def ping(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM: Redis shutting down cleanly."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: Redis crashing."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
