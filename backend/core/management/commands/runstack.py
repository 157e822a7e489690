import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 20


def _die_with_parent():
    """Runs in each child before exec: its own session (so a terminal's Ctrl-C reaches only this
    supervisor, which then stops the children in order), and SIGTERM should the supervisor itself
    be killed without a chance to clean up."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def web_command(host: str, port: int, workers: int, python: str = sys.executable) -> list[str]:
    """gunicorn with the project's settings (resee/gunicorn_conf.py: threaded workers, an access log
    without query-string secrets), as the Docker image runs it."""
    return [
        python, "-m", "gunicorn", "resee.wsgi:application",
        "--config", "python:resee.gunicorn_conf",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
    ]


def children_environment(host: str, port: int, environ=None) -> dict[str, str]:
    """The environment of the processes runstack starts: its own, with SITE_URL set to the address
    it serves when nothing configured one, so that the links in notifications (to the alert, its
    one-click actions) point where the dashboard is, also with --host or --port."""
    children = dict(os.environ if environ is None else environ)
    configured = "SITE_URL" in children or settings.SITE_URL != f"http://{settings.HOST}:{settings.PORT}"
    if not configured:
        children["SITE_URL"] = f"http://{host}:{port}"
    return children


def worker_commands(concurrency: int, notification_concurrency: int, python: str = sys.executable,
                    check_concurrency: int = 2) -> dict:
    """Three Celery workers: one for ticks, collections and the other periodic tasks (the default
    queue), one for notifications and one for checks (settings.CELERY_TASK_ROUTES), so that sends
    waiting on a slow channel, or checks waiting on a slow target, can never occupy the processes
    that evaluate the rules on time."""
    celery = [python, "-m", "celery", "-A", "resee", "worker", "--loglevel", "INFO"]
    return {
        "worker": [*celery, "--queues", "celery", "--hostname", "celery@%h", "--concurrency", str(concurrency)],
        "notifications": [
            *celery, "--queues", "notifications", "--hostname", "notifications@%h",
            "--concurrency", str(notification_concurrency),
        ],
        "checks": [
            *celery, "--queues", "checks", "--hostname", "checks@%h", "--concurrency", str(check_concurrency),
        ],
    }


class Command(BaseCommand):
    help = (
        "Run the whole system in the foreground: the web server (gunicorn), a Celery worker for the "
        "periodic tasks, one for notifications, one for checks, and Celery beat. Ctrl-C (or SIGTERM) stops every "
        "process it started."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--worker-concurrency", type=int, default=2)
        parser.add_argument("--notification-concurrency", type=int, default=4)

    def handle(self, *args, host, port, web_workers, worker_concurrency, notification_concurrency, **options):
        python = sys.executable
        commands = {
            "web": web_command(host, port, web_workers, python),
            **worker_commands(worker_concurrency, notification_concurrency, python),
            "beat": [python, "-m", "celery", "-A", "resee", "beat", "--loglevel", "INFO"],
        }

        stop_requested = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        processes: dict[str, subprocess.Popen] = {}
        environment = children_environment(host, port)
        exit_code = 0
        try:
            for name, command in commands.items():
                processes[name] = subprocess.Popen(
                    command, cwd=settings.BACKEND_DIR, start_new_session=True, preexec_fn=_die_with_parent,
                    env=environment,
                )
                self.stdout.write(f"started {name} (pid {processes[name].pid})")
            announced = False
            deadline = time.monotonic() + 60
            while not stop_requested:
                crashed = [(n, p.returncode) for n, p in processes.items() if p.poll() is not None]
                if crashed:
                    for name, code in crashed:
                        self.stderr.write(f"{name} exited with code {code}; stopping everything.")
                        if name == "web":
                            self.stderr.write(f"(Is {host}:{port} in use? Choose another with PORT=...)")
                    exit_code = 1
                    break
                if not announced and self._web_is_up(host, port):
                    announced = True
                    self._announce(host, port)
                elif not announced and time.monotonic() > deadline:
                    self.stderr.write(f"The web server has not answered on {host}:{port} for 60 s.")
                    deadline = float("inf")
                time.sleep(0.5)
            if stop_requested:
                # Says who asked: Ctrl-C (SIGINT) or a supervisor (SIGTERM).
                self.stdout.write(f"{signal.Signals(stop_requested[0]).name} received; stopping everything.")
        finally:
            self._stop(processes)
        if exit_code:
            raise CommandError("stopped because a process exited", returncode=exit_code)
        self.stdout.write("All processes stopped.")

    @staticmethod
    def _web_is_up(host, port):
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/health/", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers, even if a dependency is unhealthy
        except OSError:
            return False

    def _announce(self, host, port):
        url = f"http://{host}:{port}/"
        # The dashboard when it is built (make run builds it), the admin otherwise.
        login_url = url if (settings.FRONTEND_DIST_DIR / "index.html").is_file() else f"{url}admin/"
        admin = settings.ADMIN_USERNAME
        slack = (
            "Slack: messages go to the webhook in SLACK_WEBHOOK_URL." if settings.SLACK_WEBHOOK_URL
            else "Slack: not configured (SLACK_WEBHOOK_URL is not set); Slack notifications are skipped."
        )
        if not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
            email = f"Email: through {settings.EMAIL_BACKEND} (EMAIL_BACKEND)."
        elif settings.EMAIL_HOST:
            server = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
            email = f"Email: through the SMTP server at {server} (EMAIL_HOST, EMAIL_PORT)."
        else:
            email = "Email: not configured (EMAIL_HOST is not set); email notifications are skipped."
        notice = f"  {slack}\n  {email}\n  Both are set in .env at the repository root (see .env.example).\n"
        self.stdout.write(
            self.style.SUCCESS(f"\nResee Alerts is running at {url}\n")
            + f"  Log in at {login_url} as '{admin}'. Its password was printed once, above, when\n"
            + "  the user was created (or is ADMIN_PASSWORD); forgotten or missed it? Set a new one with\n"
            + f"      make manage ARGS='changepassword {admin}'\n"
            + notice
            + f"  Health: {url}health/   Press Ctrl-C to stop web, workers and beat.\n"
        )

    def _stop(self, processes):
        running = {n: p for n, p in processes.items() if p.poll() is None}
        for name, process in running.items():
            self.stdout.write(f"stopping {name}")
            # Only the leader: gunicorn's master and Celery's main process stop their own children
            # in order (a worker finishes its current task first).
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in running.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in {STOP_GRACE_SECONDS} s; killing it")
        # Whatever is still alive in any of the groups (pool children included) is killed.
        for process in processes.values():
            self._signal_group(process, signal.SIGKILL)
            process.wait()

    @staticmethod
    def _signal_group(process, signum):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass
