"""Who is changing the configuration, and through what.

Every write path sets the actor around its changes (`with acting(...)`): the API from the request
(a signed-in user from the dashboard or a token from a script), the admin, an import, provisioning.
The audit trail reads `current()` when it records a change; a change made with no actor set (a
shell, a data migration) is recorded as source "system".
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

API = "api"
DASHBOARD = "dashboard"
ADMIN = "admin"
IMPORT = "import"
PROVISIONING = "provisioning"
SYSTEM = "system"
SOURCES = (API, DASHBOARD, ADMIN, IMPORT, PROVISIONING, SYSTEM)


@dataclass(frozen=True)
class Actor:
    source: str
    # The user behind the change (None for provisioning and system changes).
    user: Any = None
    # The name of the API token the request came with, when it came with one.
    token_name: str | None = None
    # The client address of the request, when there was one.
    address: str | None = None


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


@contextmanager
def acting(source: str, user: Any = None, token_name: str | None = None, address: str | None = None) -> Iterator[Actor]:
    """Changes made inside are attributed to this actor; nests, and restores the outer one."""
    if source not in SOURCES:
        raise ValueError(f"unknown change source {source!r}")
    actor = Actor(source=source, user=user, token_name=token_name, address=address)
    reset = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(reset)


def current() -> Actor:
    """The actor of the change being made now; source "system" when none was set."""
    return _current.get() or Actor(source=SYSTEM)
