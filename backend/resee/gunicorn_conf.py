"""gunicorn's settings for the web application, the same wherever it runs (`manage.py runstack`,
the Docker image, docker compose): `gunicorn resee.wsgi:application -c python:resee.gunicorn_conf
--bind ADDRESS --workers N`.

Read by gunicorn's master before Django is set up, so it reads its variable itself: from the
environment, or the same `.env` file that settings read."""

import os
import re
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote_plus

import environ
from gunicorn.glogging import Logger

_ENV_FILE = Path(os.environ.get("ENV_FILE", str(Path(__file__).resolve().parents[2] / ".env")))
if _ENV_FILE.is_file():
    environ.Env.read_env(_ENV_FILE)

# Threads, so that requests waiting on something slow (a test send to a hanging Slack can take
# NOTIFICATION_TIMEOUT_SECONDS) do not hold a whole worker process each: with sync workers, two
# such requests left /health/ and every other page waiting.
worker_class = "gthread"
threads = max(1, environ.Env().int("WEB_THREADS", default=8))
graceful_timeout = 10
accesslog = "-"
control_socket_disable = True

# Query parameters whose values never reach the access log (matched anywhere in the name, any case).
SECRET_PARAMETER = re.compile(r"token|passw|secret|key|signature|^sig$|auth|credential|session|code", re.IGNORECASE)
REDACTED = "REDACTED"


def redact_query(query: str) -> str:
    """`query` (a query string) with the value of every secret-looking parameter replaced."""
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name, equals, value = part.partition("=")
        if equals and SECRET_PARAMETER.search(unquote_plus(name)):
            value = REDACTED
        parts.append(f"{name}{equals}{value}")
    return "&".join(parts)


def redact_url(url: str) -> str:
    """A path or URL with its query string redacted (the fragment, if any, dropped)."""
    if not url or "?" not in url:
        return url
    head, _, query = url.partition("?")
    return f"{head}?{redact_query(query.partition('#')[0])}"


class RedactingLogger(Logger):
    """gunicorn's logger, with secrets in query strings (`?token=…&password=…`) redacted from the
    request line, the query, the Referer and the raw URI before an access-log line is written."""

    def atoms(self, resp, req, environ, request_time):
        # Beyond the keys the stubs list, one per header and environ variable ({name}i, {name}e).
        atoms = cast(dict[str, Any], super().atoms(resp, req, environ, request_time))
        method, raw_uri, protocol = environ["REQUEST_METHOD"], environ.get("RAW_URI", ""), environ["SERVER_PROTOCOL"]
        atoms["r"] = f"{method} {redact_url(raw_uri)} {protocol}"
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["f"] = redact_url(atoms.get("f") or "-")
        for key in ("{referer}i", "{raw_uri}e", "{request_uri}e"):
            if atoms.get(key):
                atoms[key] = redact_url(atoms[key])
        if atoms.get("{query_string}e"):
            atoms["{query_string}e"] = redact_query(atoms["{query_string}e"])
        return atoms


logger_class = RedactingLogger
