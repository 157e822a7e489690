"""Liveness of what the system needs: its database, its Celery broker and its cache (Redis, when
configured: the API keeps answering without it, but slower and without its shared rate limits)."""

import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("health: database check failed", exc_info=True)
        return False
    return True


def check_broker() -> bool:
    url = settings.CELERY_BROKER_URL
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    try:
        if url.startswith("filesystem://"):
            # The embedded broker is a folder: it is up when producers can write to it.
            folder = Path(options["data_folder_in"])
            return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception:
        logger.warning("health: broker check failed", exc_info=True)
        return False
    return True


def check_cache() -> bool:
    backend = caches["default"]
    try:
        if hasattr(backend, "ping"):  # core.cache.ResilientRedisCache: its reads never fail
            return backend.ping()
        backend.get("health:probe")
    except Exception:
        logger.warning("health: cache check failed", exc_info=True)
        return False
    return True


def run_checks() -> dict[str, bool]:
    return {"database": check_database(), "broker": check_broker(), "cache": check_cache()}
