"""Settings for Resee Alerts.

Every value comes from the environment (or a `.env` file at the repository root), read here and
nowhere else. With nothing set, the system runs on the embedded default: SQLite and a Celery broker
on the local file system, both under DATA_DIR.
"""

import ipaddress
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BACKEND_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BACKEND_DIR.parent

env = environ.Env()

_FALSE_STRINGS = ("false", "off", "no", "n", "0", "")


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a recognised true or false value stops start-up, so that a
    typo in EMAIL_USE_TLS cannot quietly turn TLS off."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in environ.Env.BOOLEAN_TRUE_STRINGS:
        return True
    if value in _FALSE_STRINGS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false")


# A variable set in the process environment always wins over the same one in the .env file.
ENV_FILE = Path(env.str("ENV_FILE", default=str(REPO_DIR / ".env")))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

# Everything the system writes locally: SQLite database, embedded broker, generated secret key,
# collected static files, beat schedule.
DATA_DIR = Path(env.str("DATA_DIR", default=str(REPO_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _load_or_create_secret_key(path: Path) -> str:
    """Return the key stored at `path`, creating it first if this is the first run.

    Several processes may start at once (web, worker, beat, test workers): the file is created
    exclusively, so exactly one key wins and every process reads that one.
    """
    try:
        fd = path.open("x", encoding="ascii")
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        # A writer that has created the file but not yet written it: wait for it briefly.
        for _ in range(50):
            time.sleep(0.02)
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
        raise RuntimeError(f"{path} is empty; delete it to generate a new secret key") from None
    with fd:
        path.chmod(0o600)
        key = secrets.token_urlsafe(50)
        fd.write(key)
    return key


SECRET_KEY = env.str("SECRET_KEY", default="") or _load_or_create_secret_key(DATA_DIR / "secret_key")
# Keys of the secrets stored in the database (data source passwords, channel tokens), Fernet keys,
# comma-separated: the first encrypts, all decrypt (core/secrets.py), and so does a key derived from
# SECRET_KEY, the only one when this is empty. To rotate: put the new key first, run `manage.py
# rotate_secrets`, then drop the old.
SECRETS_ENCRYPTION_KEYS = env.list("SECRETS_ENCRYPTION_KEYS", default=[])
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where `make run` serves the web application.
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
# The address people open; links in notifications point here.
SITE_URL = env.str("SITE_URL", default=f"http://{HOST}:{PORT}").rstrip("/")
# One-click action links in alert messages (Acknowledge, Silence 1 h, Resolve): how long one works
# after its message was made, and whether using one needs a signed-in user with the permission
# (false: the signed link carries the permission of its one action on its one alert).
ACTION_LINK_MAX_AGE_SECONDS = env.int("ACTION_LINK_MAX_AGE_SECONDS", default=86400)
if ACTION_LINK_MAX_AGE_SECONDS < 60:
    raise ImproperlyConfigured("ACTION_LINK_MAX_AGE_SECONDS must be at least 60")
ACTION_LINKS_REQUIRE_SIGN_IN = env_bool("ACTION_LINKS_REQUIRE_SIGN_IN", default=False)

# Behind a TLS-terminating proxy: set SECURE_COOKIES=true and trust its X-Forwarded-Proto.
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Served over TLS: redirect plain HTTP to HTTPS (the health probe excepted, so that a container's
# own check on its plain port keeps working), and tell browsers to use HTTPS only for
# SECURE_HSTS_SECONDS (sent on HTTPS requests only: behind a proxy, with TRUST_X_FORWARDED_PROTO).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be 0 (off) or more")

# Every page (the admin, the API docs, the dashboard) loads scripts, styles, images and data from
# this origin only, with no inline script; inline styles are allowed because Swagger UI and the
# chart library set them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The audit trail of configuration changes (core/audit.py).
    "auditlog",
    "core",
    "monitoring",
    "alerts",
    "configuration",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Attributes configuration changes to the request's user, token, source and address.
    "core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: turns a locked-out admin login into its lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Request metrics (api_response_time, api_error_rate, ...): on unless switched off, placed outside
# everything that does work per request so that its timing covers it all.
REQUEST_METRICS_ENABLED = env_bool("REQUEST_METRICS_ENABLED", default=True)
if REQUEST_METRICS_ENABLED:
    MIDDLEWARE.insert(2, "monitoring.middleware.RequestMetricsMiddleware")

ROOT_URLCONF = "resee.urls"
WSGI_APPLICATION = "resee.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to the same file: WAL lets readers run beside a writer, IMMEDIATE
    # transactions take the write lock up front (no lock-upgrade deadlocks), and a writer waits for
    # the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
    }
    # A file, not memory, so that worker processes started by the integration tests see it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache ---------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # Django's Redis cache, except that an unreachable Redis is a cache miss (and a skipped
    # write), logged, never an error: the API answers from the database meanwhile. Short socket
    # timeouts, so a hung Redis holds no request for long.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "resee",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Shared by the web, worker and beat processes (a per-process memory cache would not be), and
    # its add() is atomic, which locks rely on.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "resee_cache",
            "KEY_PREFIX": "resee",
            # Culling past MAX_ENTRIES drops arbitrary keys (locks, baselines): keep it far off.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Celery ---------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://localhost/"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or REDIS_URL or (
    f"file://{DATA_DIR / 'celery-results'}"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = DATA_DIR / "broker"
    # kombu's filesystem transport, with messages that appear in the queue only once complete.
    CELERY_BROKER_TRANSPORT = "core.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        # One folder in and out: producers and consumers are different processes on this host.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    for folder in ("queue", "control", "processed"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 5, "socket_timeout": 10}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        # kombu's Redis transport, reconnecting where a closed channel would stop the worker.
        CELERY_BROKER_TRANSPORT = "core.redis_broker:Transport"
if CELERY_RESULT_BACKEND.startswith("file://"):
    (DATA_DIR / "celery-results").mkdir(parents=True, exist_ok=True)

CELERY_TIMEZONE = env.str("TIME_ZONE", default="UTC")
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Periodic tasks report through logs and the database; nothing waits on their return values.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=50)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
# A task whose worker dies is delivered again rather than lost; tasks are safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Notifications have a queue of their own, consumed by workers of their own (`make run` starts one,
# docker compose runs the celery-notifications service), so that sends waiting on a slow Slack or
# mail server never hold the processes that run ticks and collections. Every other task stays on
# the default queue, "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"
NOTIFICATIONS_QUEUE = "notifications"
CELERY_TASK_ROUTES = {
    "alerts.tasks.send_notification": {"queue": NOTIFICATIONS_QUEUE},
    "alerts.tasks.release_silenced_alerts": {"queue": NOTIFICATIONS_QUEUE},
    "alerts.tasks.flush_notification_groups": {"queue": NOTIFICATIONS_QUEUE},
    "alerts.tasks.escalate_unacknowledged_alerts": {"queue": NOTIFICATIONS_QUEUE},
    "alerts.tasks.end_flapping": {"queue": NOTIFICATIONS_QUEUE},
    # HTTP/TCP checks and heartbeats (monitoring/checks/) on a queue of their own, so that a slow
    # target never holds the processes that run ticks and collections.
    "monitoring.tasks.sweep_checks": {"queue": "checks"},
    "monitoring.tasks.run_check": {"queue": "checks"},
}
CHECKS_QUEUE = "checks"
# Every queue declared: a worker started without --queues (`celery -A resee worker`) consumes all
# of them, so a hand-started single worker still sends notifications and runs checks; `make run`
# and compose split them.
CELERY_TASK_QUEUES = (
    Queue(CELERY_TASK_DEFAULT_QUEUE, routing_key=CELERY_TASK_DEFAULT_QUEUE),
    Queue(NOTIFICATIONS_QUEUE, routing_key=NOTIFICATIONS_QUEUE),
    Queue(CHECKS_QUEUE, routing_key=CHECKS_QUEUE),
)

# How often system metrics are sampled and alert rules evaluated. 60 runs on the minute.
METRICS_COLLECTION_INTERVAL_SECONDS = env.int("METRICS_COLLECTION_INTERVAL_SECONDS", default=60)
ALERT_CHECK_INTERVAL_SECONDS = env.int("ALERT_CHECK_INTERVAL_SECONDS", default=60)


def _every(seconds: int):
    return crontab(minute="*") if seconds == 60 else timedelta(seconds=max(1, seconds))


def periodic_expiry(seconds: int) -> float:
    """How long a periodic run may wait in the queue: until 5 s before the next one is due, but at
    least half an interval, so that a short interval still leaves a worker time to take the run."""
    return max(seconds / 2, seconds - 5)


# How often the notification groups of grouping policies are looked at (group_wait and
# group_interval are counted to this precision).
NOTIFICATION_GROUP_FLUSH_SECONDS = env.int("NOTIFICATION_GROUP_FLUSH_SECONDS", default=10)
if NOTIFICATION_GROUP_FLUSH_SECONDS < 1:
    raise ImproperlyConfigured("NOTIFICATION_GROUP_FLUSH_SECONDS must be at least 1")

# How often due checks are looked for (a check's interval is kept to this precision).
CHECK_SWEEP_SECONDS = env.int("CHECK_SWEEP_SECONDS", default=10)
if CHECK_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured("CHECK_SWEEP_SECONDS must be at least 1")

# Configuration as code (docs/configuration-as-code.md): the *.yaml files of this directory are
# applied when beat starts and every PROVISIONING_INTERVAL_SECONDS; empty: no provisioning.
PROVISIONING_DIR = env.str("PROVISIONING_DIR", default="")
PROVISIONING_INTERVAL_SECONDS = env.int("PROVISIONING_INTERVAL_SECONDS", default=300)
if PROVISIONING_INTERVAL_SECONDS < 10:
    raise ImproperlyConfigured("PROVISIONING_INTERVAL_SECONDS must be at least 10")

# A periodic run that waits in the queue past its next run is dropped (`expires`), so a stalled
# worker catches up with one run, not a pile of them.
CELERY_BEAT_SCHEDULE = {
    "check-alert-rules": {
        "task": "alerts.tasks.check_alert_rules",
        "schedule": _every(ALERT_CHECK_INTERVAL_SECONDS),  # Every minute
        "options": {"expires": periodic_expiry(ALERT_CHECK_INTERVAL_SECONDS)},
    },
    # The one message an alert a silence held back is owed once the silence ends (alerts.tasks).
    "release-silenced-alerts": {
        "task": "alerts.tasks.release_silenced_alerts",
        "schedule": crontab(minute="*"),  # Every minute
        "options": {"expires": periodic_expiry(60)},
    },
    # Alerts not acknowledged in time go to their policies' escalation channels (alerts.tasks).
    "escalate-unacknowledged-alerts": {
        "task": "alerts.tasks.escalate_unacknowledged_alerts",
        "schedule": crontab(minute="*"),  # Every minute
        "options": {"expires": periodic_expiry(60)},
    },
    # Rules (groups) stable for their flap window stop flapping, and say so (alerts.tasks).
    "end-flapping": {
        "task": "alerts.tasks.end_flapping",
        "schedule": crontab(minute="*"),  # Every minute
        "options": {"expires": periodic_expiry(60)},
    },
    # The one message per notification group that is due (policies with group_by; alerts.tasks).
    "flush-notification-groups": {
        "task": "alerts.tasks.flush_notification_groups",
        "schedule": timedelta(seconds=NOTIFICATION_GROUP_FLUSH_SECONDS),
        "options": {"expires": periodic_expiry(NOTIFICATION_GROUP_FLUSH_SECONDS)},
    },
    "send-daily-alert-summary": {
        "task": "alerts.tasks.send_daily_alert_summary",
        "schedule": crontab(hour=9, minute=0),  # Daily at 9 AM
        "options": {"expires": 3600},
    },
    "cleanup-old-alert-history": {
        "task": "alerts.tasks.cleanup_old_alert_history",
        "schedule": crontab(hour=4, minute=0),  # Daily at 4 AM
        "options": {"expires": 3600},
    },
    "update-alert-metrics-cache": {
        "task": "alerts.tasks.update_alert_metrics_cache",
        "schedule": crontab(minute="*/5"),  # Every 5 minutes
        "options": {"expires": 280},
    },
    # Due HTTP/TCP checks are claimed and handed to the checks queue; heartbeats are judged.
    "sweep-checks": {
        "task": "monitoring.tasks.sweep_checks",
        "schedule": timedelta(seconds=CHECK_SWEEP_SECONDS),
        "options": {"expires": periodic_expiry(CHECK_SWEEP_SECONDS)},
    },
    "collect-system-metrics": {
        "task": "monitoring.tasks.collect_system_metrics",
        "schedule": _every(METRICS_COLLECTION_INTERVAL_SECONDS),
        "options": {"expires": periodic_expiry(METRICS_COLLECTION_INTERVAL_SECONDS)},
    },
}
if PROVISIONING_DIR:
    CELERY_BEAT_SCHEDULE["provision-configuration"] = {
        "task": "configuration.tasks.provision_configuration",
        "schedule": timedelta(seconds=PROVISIONING_INTERVAL_SECONDS),
        "options": {"expires": periodic_expiry(PROVISIONING_INTERVAL_SECONDS)},
    }

# --- Monitoring -----------------------------------------------------------------------------------

# This deployment's name: the `service` label of its request metrics (api_*, db_query_time, ...).
SERVICE_NAME = env.str("SERVICE_NAME", default="resee")
# The volume whose usage `disk_usage` reports: the one holding the data.
DISK_USAGE_PATH = env.str("DISK_USAGE_PATH", default=str(DATA_DIR))

# Requests timed by the metrics middleware: paths under the prefix, except those matching one of
# the exclusion patterns (by default the dashboard's own polling, so watching the dashboard does
# not change what it shows).
REQUEST_METRICS_PATH_PREFIX = env.str("REQUEST_METRICS_PATH_PREFIX", default="/api/")
REQUEST_METRICS_EXCLUDE = env.list(
    "REQUEST_METRICS_EXCLUDE",
    default=[
        r"^/api/monitoring/overview/", r"^/api/monitoring/metrics/[^/]+/series/", r"^/api/monitoring/endpoints/",
        r"^/api/alerts/open-alerts/", r"^/api/alerts/metric-health/", r"^/api/monitoring/self-health/",
    ],
)
# A database query at least this slow (ms) counts in slow_queries.
SLOW_QUERY_MS = env.float("SLOW_QUERY_MS", default=200.0)
# Seconds after a minute ends by which every process has flushed that minute's request metrics;
# windows of request metrics end at the newest minute this old.
ROLLUP_SETTLE_SECONDS = env.int("ROLLUP_SETTLE_SECONDS", default=15)
# How often each process writes its buffered request metrics and errors (0: only when asked).
TELEMETRY_FLUSH_INTERVAL_SECONDS = env.float("TELEMETRY_FLUSH_INTERVAL_SECONDS", default=5.0)
# Telemetry (samples, request rollups, error counts, AI usage) older than this is deleted at 04:00.
TELEMETRY_RETENTION_DAYS = env.int("TELEMETRY_RETENTION_DAYS", default=14)
# Results of checks (their runs, behind uptime % and history) older than this are deleted at 04:00;
# at least 30, so that the 30-day uptime is whole.
CHECK_RESULT_RETENTION_DAYS = env.int("CHECK_RESULT_RETENTION_DAYS", default=31)
if CHECK_RESULT_RETENTION_DAYS < 30:
    raise ImproperlyConfigured("CHECK_RESULT_RETENTION_DAYS must be at least 30 (the 30-day uptime reads them)")

# --- Notifications --------------------------------------------------------------------------------

SLACK_WEBHOOK_URL = env.str("SLACK_WEBHOOK_URL", default="")
SLACK_DEFAULT_CHANNEL = env.str("SLACK_DEFAULT_CHANNEL", default="#alerts")
SLACK_BOT_NAME = env.str("SLACK_BOT_NAME", default="Resee Alert Bot")
ALERT_SUMMARY_RECIPIENTS = env.list("ALERT_SUMMARY_RECIPIENTS", default=[])

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="alerts@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# A notification that fails for a passing reason (timeout, connection error, HTTP 5xx or 429, SMTP
# 4xx) is tried again: at most NOTIFICATION_MAX_ATTEMPTS attempts in all, the first retry after
# about NOTIFICATION_RETRY_BASE_SECONDS, doubling each time (with jitter) up to
# NOTIFICATION_RETRY_MAX_SECONDS, which also bounds how long a Retry-After is honoured.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", default=30.0)
NOTIFICATION_RETRY_MAX_SECONDS = env.float("NOTIFICATION_RETRY_MAX_SECONDS", default=900.0)
# Seconds to wait for Slack to accept a message (connecting, then answering). Email uses EMAIL_TIMEOUT.
NOTIFICATION_TIMEOUT_SECONDS = env.float("NOTIFICATION_TIMEOUT_SECONDS", default=10.0)
if NOTIFICATION_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("NOTIFICATION_MAX_ATTEMPTS must be at least 1")
if not 0 < NOTIFICATION_RETRY_BASE_SECONDS <= NOTIFICATION_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "NOTIFICATION_RETRY_BASE_SECONDS must be above 0 and at most NOTIFICATION_RETRY_MAX_SECONDS"
    )
if NOTIFICATION_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("NOTIFICATION_TIMEOUT_SECONDS must be above 0")

# Outbound HTTP requests (core/outbound.py: data sources, webhooks, checks) wait this long for an
# answer; connecting waits at most 5 s (or this, when shorter).
OUTBOUND_TIMEOUT_SECONDS = env.float("OUTBOUND_TIMEOUT_SECONDS", default=10.0)
# Outbound requests to loopback, private, link-local or reserved addresses are refused (a URL a user
# entered must not reach the machine's own services or the cloud metadata endpoint); true allows
# them, for a self-hosted installation whose targets are on its own network.
OUTBOUND_ALLOW_PRIVATE_TARGETS = env_bool("OUTBOUND_ALLOW_PRIVATE_TARGETS", default=False)
if OUTBOUND_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("OUTBOUND_TIMEOUT_SECONDS must be above 0")

# Resolved alerts (with their notification records) are deleted this many days after they were
# resolved, by the 04:00 clean-up; active alerts are kept however old.
ALERT_HISTORY_RETENTION_DAYS = env.int("ALERT_HISTORY_RETENTION_DAYS", default=90)
if ALERT_HISTORY_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("ALERT_HISTORY_RETENTION_DAYS must be at least 1")

# A tick that starts while the previous one still runs is skipped. The lock expires after this
# many seconds: shorter than the check interval (and the task's hard time limit), so a crashed
# tick never blocks the next one; far longer than a tick takes (under a second), so a running
# tick keeps it. Default: the shorter of the two less 5 s (half of it when that is 10 s or less).
_TICK_BOUND_SECONDS = min(ALERT_CHECK_INTERVAL_SECONDS, CELERY_TASK_TIME_LIMIT)
ALERT_TICK_LOCK_SECONDS = env.int(
    "ALERT_TICK_LOCK_SECONDS",
    default=_TICK_BOUND_SECONDS - 5 if _TICK_BOUND_SECONDS > 10 else max(1, _TICK_BOUND_SECONDS // 2),
)
if ALERT_TICK_LOCK_SECONDS < 1 or (_TICK_BOUND_SECONDS > 1 and ALERT_TICK_LOCK_SECONDS >= _TICK_BOUND_SECONDS):
    raise ImproperlyConfigured(
        f"ALERT_TICK_LOCK_SECONDS must be at least 1 and less than {_TICK_BOUND_SECONDS} (the shorter of "
        "ALERT_CHECK_INTERVAL_SECONDS and CELERY_TASK_TIME_LIMIT), so a crashed tick never blocks the next one"
    )

# --- Self-watch (docs/operations.md, "Watching the watcher") ------------------------------------

# /metrics (Prometheus text format) is refused until one of these is set: METRICS_TOKEN, which a
# scrape sends as `Authorization: Bearer <token>`, and/or METRICS_ALLOWED_IPS, the addresses or
# CIDR networks scrapes may come from (the client address as TRUSTED_PROXY_COUNT reads it). With
# both, a scrape needs both.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_ALLOWED_NETWORKS = []
for _item in METRICS_ALLOWED_IPS:
    try:
        METRICS_ALLOWED_NETWORKS.append(ipaddress.ip_network(_item.strip(), strict=False))
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS: {_item!r} is not an address or a network (e.g. 10.0.0.0/8)"
        ) from None
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters")
# The dead-man's switch: after each good evaluation tick, one request to this URL (e.g. a
# healthchecks.io check's ping URL), so that a service outside pages when the ticks stop. Off
# when empty. The URL is the operator's own, so private targets are allowed unless
# DEADMAN_PING_ALLOW_PRIVATE is false; the request waits at most DEADMAN_PING_TIMEOUT_SECONDS
# (and never more than half a check interval), and a failure is logged, never the tick's.
DEADMAN_PING_URL = env.str("DEADMAN_PING_URL", default="")
DEADMAN_PING_METHOD = env.str("DEADMAN_PING_METHOD", default="GET").upper()
DEADMAN_PING_TIMEOUT_SECONDS = env.float("DEADMAN_PING_TIMEOUT_SECONDS", default=5.0)
DEADMAN_PING_ALLOW_PRIVATE = env_bool("DEADMAN_PING_ALLOW_PRIVATE", default=True)
if DEADMAN_PING_METHOD not in ("GET", "POST"):
    raise ImproperlyConfigured("DEADMAN_PING_METHOD must be GET or POST")
if DEADMAN_PING_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("DEADMAN_PING_TIMEOUT_SECONDS must be above 0")
if DEADMAN_PING_URL and not DEADMAN_PING_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("DEADMAN_PING_URL must be an http:// or https:// URL")
# How long the self-health API (the dashboard's banner) keeps the answer of its worker ping.
SELF_HEALTH_WORKER_PING_CACHE_SECONDS = env.int("SELF_HEALTH_WORKER_PING_CACHE_SECONDS", default=30)

# --- Auth, API ------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The superuser that `make run` creates on first run (`manage.py ensure_admin`); with no password
# set, a random one is printed once.
ADMIN_USERNAME = env.str("ADMIN_USERNAME", default="admin")
ADMIN_EMAIL = env.str("ADMIN_EMAIL", default="")
ADMIN_PASSWORD = env.str("ADMIN_PASSWORD", default="")

# Repeated wrong passwords lock out further logins (django-axes), on every login path: the
# dashboard's, the token exchange and the admin. LOGIN_FAILURE_LIMIT failures lock for
# LOGIN_LOCKOUT_MINUTES, counted from the latest failure; by default per username from one client
# address (LOGIN_LOCKOUT_BY=username+ip_address), so that neither someone else's address nor a
# stranger guessing at one account locks its owner out. `manage.py axes_reset` unlocks everyone.
AUTHENTICATION_BACKENDS = [
    "core.login_lockout.LoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
LOGIN_LOCKOUT_BY = env.str("LOGIN_LOCKOUT_BY", default="username+ip_address")
if LOGIN_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be at least 1")
if LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_LOCKOUT_MINUTES must be at least 1")


def _lockout_parameters(spec: str) -> list:
    """"username+ip_address" (one combination) or a comma-separated list of them, any of which locks."""
    criteria = []
    for criterion in spec.split(","):
        names = [name.strip() for name in criterion.split("+") if name.strip()]
        if not names or any(name not in ("username", "ip_address") for name in names):
            raise ImproperlyConfigured(
                f"LOGIN_LOCKOUT_BY={spec!r}: write username, ip_address or username+ip_address "
                "(several separated by commas)"
            )
        criteria.append(names[0] if len(names) == 1 else names)
    return criteria


AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = _lockout_parameters(LOGIN_LOCKOUT_BY)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "core.login_lockout.lockout_response"
# Successful logins are in the session table already; a row per login would only grow.
AXES_DISABLE_ACCESS_LOG = True

# The audit trail (core/audit.py): diffs stored as JSON values, the changes of one request (or one
# import) share a correlation id and make one version of each object they touch.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_CID_GETTER = "core.audit.change_id"

# Behind this many reverse proxies (nginx in docker-compose.yml: 1), the client's address is the
# one the outermost trusted proxy saw: the Nth entry from the right of X-Forwarded-For. 0 trusts no
# proxy and uses the connection's address, so a forged X-Forwarded-For cannot change who a client is
# (and so cannot reset a rate limit).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# Rate limits, as "<requests>/<second|minute|hour|day>", counted in the shared cache so that every
# web process enforces the same limit. Test sends and manual triggers per user; token requests
# (username and password) per client address.
ALERT_ACTIONS_THROTTLE_RATE = env.str("ALERT_ACTIONS_THROTTLE_RATE", default="10/minute")
TOKEN_THROTTLE_RATE = env.str("TOKEN_THROTTLE_RATE", default="5/minute")
# OTLP exports per push token (an SDK exports every 60 s by default; a collector more often).
OTLP_THROTTLE_RATE = env.str("OTLP_THROTTLE_RATE", default="600/minute")
# Heartbeat pings (/ping/<uuid>/...) per client address, known uuids or not.
PING_THROTTLE_RATE = env.str("PING_THROTTLE_RATE", default="120/minute")
API_THROTTLE_RATES = {
    "alert_actions": ALERT_ACTIONS_THROTTLE_RATE, "token": TOKEN_THROTTLE_RATE, "otlp": OTLP_THROTTLE_RATE,
    "ping": PING_THROTTLE_RATE,
}
# OTLP/HTTP receivers: the largest body (after decompression) and the data points or log records
# of one export; beyond them a body is refused (413) and the points over the limit rejected.
OTLP_MAX_REQUEST_BYTES = env.int("OTLP_MAX_REQUEST_BYTES", default=4 * 1024 * 1024)
OTLP_MAX_DATA_POINTS = env.int("OTLP_MAX_DATA_POINTS", default=20000)
for _scope, _rate in API_THROTTLE_RATES.items():
    _count, _, _period = _rate.partition("/")
    if not (_count.isdigit() and int(_count) > 0 and _period in ("second", "minute", "hour", "day")):
        raise ImproperlyConfigured(
            f"{_scope.upper()}_THROTTLE_RATE={_rate!r} is not a rate; write e.g. 10/minute "
            "(per second, minute, hour or day)"
        )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API speaks JSON only (what the product document's curl examples and the dashboard send),
    # nested at most core.parsers.MAX_JSON_DEPTH levels.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    # A 500 is JSON with an error id that is also in the log, never Django's HTML page.
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Resee Alerts API",
    "DESCRIPTION": (
        "Alert rules, alert history, statistics, notification tests and telemetry of Resee Alerts. "
        "Authenticate with `Authorization: Bearer <token>` (from `POST /api/auth/token/`) or a "
        "dashboard session."
    ),
    "VERSION": "1.0.0",
    # The schema and the docs are for signed-in users, like the rest of the API.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "alerts.models.Severity",
        "ConditionEnum": "alerts.models.Condition",
        "ConditionOrSymbolEnum": "alerts.validators.CONDITION_INPUTS",
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "RuleStateEnum": "alerts.models.RuleState",
        "DeliveryStatusEnum": "alerts.models.DeliveryStatus",
        "NotificationEventEnum": "alerts.models.NotificationEvent",
        "EngineActionEnum": "alerts.api.serializers.ENGINE_ACTIONS",
        "RuleKindEnum": "alerts.models.RuleKind",
        "DataSourceKindEnum": "monitoring.models.DataSourceKind",
        "TokenScopeEnum": "core.models.TokenScope",
    },
    # Swagger UI from the drf-spectacular-sidecar package, served by this app: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
        "monitoring.api.schema.bound_batches",
    ],
}

# --- Internationalisation, static files -----------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = CELERY_TIMEZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# The dashboard's production build (`npm run build` in frontend/). When it exists, WhiteNoise serves
# its files at the site root (/assets/... with content hashes in their names, cached for good) and
# core.dashboard serves its index.html at / and at every client-side route; without it, / redirects
# to the admin.
FRONTEND_DIST_DIR = REPO_DIR / "frontend" / "dist"
WHITENOISE_ROOT = str(FRONTEND_DIST_DIR) if FRONTEND_DIST_DIR.is_dir() else None
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/assets/"


def _revalidate_the_dashboard_page(headers, path, url):
    # index.html names the current assets: never serve a stale one from a cache.
    if url == "/index.html":
        headers["Cache-Control"] = "no-cache"


WHITENOISE_ADD_HEADERS_FUNCTION = _revalidate_the_dashboard_page

# --- Logging --------------------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {
        # Celery's routine lines about the tasks beat runs every few seconds (core/quiet_logging.py).
        "frequent_task_runs": {"()": "core.quiet_logging.FrequentTaskRuns", "keep": LOG_LEVEL == "DEBUG"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["frequent_task_runs"]},
        # Every ERROR and CRITICAL record, django.request's included, into the error log.
        "errorlog": {"class": "monitoring.error_logging.ErrorLogHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["console", "errorlog"], "level": LOG_LEVEL},
    # urllib3's and Apprise's DEBUG lines quote each request's URL, and a channel's URL can be its
    # secret (a Slack or Discord webhook token, a Telegram bot token, an Apprise URL): never below INFO.
    "loggers": {
        name: {"level": "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL} for name in ("urllib3", "apprise")
    },
}
