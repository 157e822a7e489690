"""Who is changing the configuration, and through what; and the record of each change.

Every write path sets the actor around its changes (`with acting(...)`): the API from the request
(a signed-in user from the dashboard or a token from a script), the admin, an import, provisioning.
The audit trail reads `current()` when it records a change; a change made with no actor set (a
shell, a data migration, the engine) is recorded as source "system".

The trail itself is django-auditlog's LogEntry table: `register()` puts a model's configuration
fields under audit (never the state the engine writes every minute), with secrets masked in the
diffs and snapshots. Each entry carries in `additional_data` the source, the token name, the user's
name as it was then, the version number of the object (changes made in one request or one
`acting` block are one version) and, for many-to-many fields, the ids they held.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

API = "api"
DASHBOARD = "dashboard"
ADMIN = "admin"
IMPORT = "import"
PROVISIONING = "provisioning"
SYSTEM = "system"
SOURCES = (API, DASHBOARD, ADMIN, IMPORT, PROVISIONING, SYSTEM)

# What a masked secret reads as in the trail: that it was set or changed, never its value.
MASKED = "(secret)"


def _new_change_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Actor:
    source: str
    # The user behind the change (None for provisioning and system changes).
    user: Any = None
    # The name of the API token the request came with, when it came with one.
    token_name: str | None = None
    # The client address of the request, when there was one.
    address: str | None = None
    # What ties the entries of one change together (one request, one import): one version each.
    change_id: str | None = field(default_factory=_new_change_id, compare=False)


_current: contextvars.ContextVar[Actor | Callable[[], Actor] | None] = contextvars.ContextVar(
    "audit_actor", default=None
)


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
    value = _current.get()
    if value is None:
        return Actor(source=SYSTEM, change_id=None)
    if callable(value):
        return value()
    return value


def change_id() -> str | None:
    """The id of the change being made now (django-auditlog's correlation id)."""
    return current().change_id


# --- requests -------------------------------------------------------------------------------------

def _request_actor(request, change: str) -> Callable[[], Actor]:
    """The actor of a request, read when a change is recorded: by then DRF has authenticated the
    request and set `user` and `auth` on the Django request too."""

    def resolve() -> Actor:
        from django.urls import reverse

        from .throttling import client_address

        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        auth = getattr(request, "auth", None)
        if request.path.startswith(reverse("admin:index")):
            source, token_name = ADMIN, None
        elif auth is not None:
            source, token_name = API, getattr(auth, "name", None) or None
        else:
            source, token_name = DASHBOARD, None
        return Actor(source=source, user=user, token_name=token_name, address=client_address(request) or None,
                     change_id=change)

    return resolve


class AuditMiddleware:
    """Attributes the changes a request makes to its user, token, source and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset = _current.set(_request_actor(request, _new_change_id()))
        try:
            return self.get_response(request)
        finally:
            _current.reset(reset)


# --- what is audited ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Audited:
    fields: frozenset[str]
    masked: frozenset[str]
    m2m: tuple[str, ...]
    # The model field that holds the object's current version number, if it keeps one.
    version_field: str | None


_audited: dict[type, Audited] = {}


def mask(value: str) -> str:
    """django-auditlog's mask callable: a secret is shown as set (or changed), never its value."""
    return "" if value in ("", "{}", "None", "null") else MASKED


def register(model, *, exclude: Iterable[str] = (), masked: Iterable[str] = (), m2m: Iterable[str] = (),
             version_field: str | None = None) -> None:
    """Put a model's configuration under audit: every concrete field but `exclude` (the state the
    system writes), with `masked` fields shown only as changed, and the many-to-many fields `m2m`.
    A save that names only fields outside the audit (`save(update_fields=...)`, as the engine and
    the check runner do) costs nothing: not even the read of the old row django-auditlog makes."""
    from auditlog.receivers import log_update
    from auditlog.registry import auditlog
    from django.db.models.signals import pre_save

    excluded = [*exclude, *([version_field] if version_field else [])]
    names = frozenset(
        f.name for f in model._meta.concrete_fields if f.name not in excluded and not f.primary_key
    )
    attnames = frozenset(f.attname for f in model._meta.concrete_fields if f.name in names)
    _audited[model] = Audited(fields=names | attnames, masked=frozenset(masked), m2m=tuple(m2m),
                              version_field=version_field)
    auditlog.register(
        # Named fields only: excluding would leave the reverse relations (a rule's alerts and
        # groups) and the id in every creation's diff.
        model, include_fields=sorted(names), mask_fields=list(masked), mask_callable="core.audit.mask",
        m2m_fields=set(m2m), serialize_data=True, serialize_auditlog_fields_only=True,
    )
    pre_save.disconnect(sender=model, dispatch_uid=auditlog._dispatch_uid(pre_save, log_update))

    def log_configuration_update(sender, instance, update_fields=None, **kwargs):
        if update_fields is not None and not (set(update_fields) & _audited[sender].fields):
            return
        log_update(sender, instance, update_fields=update_fields, **kwargs)

    pre_save.connect(log_configuration_update, sender=model, weak=False,
                     dispatch_uid=("core.audit", model._meta.label_lower))


def audited(model) -> Audited | None:
    return _audited.get(model)


def _fill_entry(sender, instance, **kwargs) -> None:
    """Before a LogEntry is written: its actor, source, token, version and snapshot extras."""
    if instance.pk is not None:
        return
    actor = current()
    user = actor.user if getattr(actor.user, "pk", None) is not None else None
    instance.actor = user
    if user is not None:
        instance.actor_email = getattr(user, "email", None) or None
    instance.remote_addr = actor.address
    instance.cid = actor.change_id
    data = dict(instance.additional_data or {})
    data.update({
        "source": actor.source,
        "token_name": actor.token_name,
        "user_name": user.get_username() if user is not None else None,
    })
    model = instance.content_type.model_class()
    spec = _audited.get(model)
    if spec is not None:
        _mask_snapshot(instance, spec)
        if spec.m2m and instance.object_id is not None:
            data["m2m"] = {
                name: sorted(getattr(model, name).through.objects.filter(
                    **{f"{model._meta.model_name}_id": instance.object_id}
                ).values_list(f"{model._meta.get_field(name).related_model._meta.model_name}_id", flat=True))
                for name in spec.m2m
            }
        if spec.version_field:
            data["version"] = _next_version(instance, actor.change_id)
    instance.additional_data = data


def _mask_snapshot(entry, spec: Audited) -> None:
    snapshot = entry.serialized_data
    if not snapshot or not spec.masked:
        return
    fields = snapshot.get("fields") or {}
    for name in spec.masked:
        if name in fields:
            fields[name] = mask("" if fields[name] in (None, {}, "") else "x")


def _next_version(entry, change: str | None) -> int:
    last = (
        type(entry).objects.filter(content_type=entry.content_type, object_pk=entry.object_pk)
        .order_by("-timestamp", "-id").values_list("cid", "additional_data").first()
    )
    if last is None:
        return 1
    previous = int((last[1] or {}).get("version") or 0)
    if change is not None and last[0] == change and previous:
        return previous
    return previous + 1


def _keep_version(sender, instance, created, **kwargs) -> None:
    """After a LogEntry is written: the object's row keeps its version number (for the alerts
    that fire under it), without another save of the object."""
    if not created:
        return
    model = instance.content_type.model_class()
    spec = _audited.get(model)
    version = (instance.additional_data or {}).get("version")
    if spec is None or not spec.version_field or version is None or instance.object_id is None:
        return
    model._base_manager.filter(pk=instance.object_id).update(**{spec.version_field: version})


def _keep_version_in_memory(sender, instance, log_entry=None, log_created=False, **kwargs) -> None:
    # A change recorded before its row is written (an update): the instance saves that version.
    spec = _audited.get(type(instance))
    if not log_created or log_entry is None or spec is None or not spec.version_field:
        return
    version = (log_entry.additional_data or {}).get("version")
    if version is not None:
        setattr(instance, spec.version_field, version)


def connect() -> None:
    """Connect the trail's receivers (once, from core's AppConfig.ready)."""
    from auditlog.models import LogEntry
    from auditlog.signals import post_log
    from django.db.models.signals import post_save, pre_save

    pre_save.connect(_fill_entry, sender=LogEntry, dispatch_uid="core.audit.fill")
    post_save.connect(_keep_version, sender=LogEntry, dispatch_uid="core.audit.version")
    post_log.connect(_keep_version_in_memory, dispatch_uid="core.audit.version_in_memory")


def record_update(instance, changes: dict[str, tuple[Any, Any]]) -> None:
    """Record a change made without a save (a queryset's update()): `changes` is field -> (old,
    new), in the instance's current state. Nothing is recorded when nothing changed."""
    from auditlog.models import LogEntry

    spec = _audited.get(type(instance))
    if spec is None:
        return
    changed = {name: [_plain(old), _plain(new)] for name, (old, new) in changes.items()
               if name in spec.fields and old != new}
    if changed:
        LogEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=changed)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- reading the trail ----------------------------------------------------------------------------

ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}


def entry_changes(entry) -> dict[str, list]:
    """An entry's changes as field -> [old, new]; a many-to-many change lists the objects
    removed (old) and added (new)."""
    result: dict[str, list] = {}
    for name, change in (entry.changes or {}).items():
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = list(change.get("objects") or [])
            result[name] = [objects, []] if change.get("operation") == "delete" else [[], objects]
        elif isinstance(change, list | tuple) and len(change) == 2:
            result[name] = [change[0], change[1]]
    return result


@dataclass
class Version:
    number: int
    when: Any
    user_name: str | None
    token_name: str | None
    source: str
    address: str | None
    action: str
    changes: dict[str, list]
    # The object's audited fields and many-to-many ids as of this version.
    fields: dict[str, Any]
    m2m: dict[str, list[int]]


def versions(model, pk) -> list[Version]:
    """An object's versions, oldest first: the entries of one change (one request, one import)
    are one version; each has the diff against the version before it (many-to-many fields as the
    ids they held before and after)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_pk=str(pk))
        .exclude(action=LogEntry.Action.ACCESS).order_by("timestamp", "id")
    )
    m2m_names = set(_audited[model].m2m) if model in _audited else set()
    result: list[Version] = []
    fields: dict[str, Any] = {}
    m2m: dict[str, list[int]] = {}
    for entry in entries:
        data = entry.additional_data or {}
        number = int(data.get("version") or (result[-1].number + 1 if result else 1))
        if entry.serialized_data and "fields" in entry.serialized_data:
            fields = {**fields, **entry.serialized_data["fields"]}
        m2m = {**m2m, **(data.get("m2m") or {})}
        changes = {name: change for name, change in entry_changes(entry).items() if name not in m2m_names}
        if result and result[-1].number == number:
            version = result[-1]
            version.when = entry.timestamp
            for name, change in changes.items():
                old = version.changes[name][0] if name in version.changes else change[0]
                version.changes[name] = [old, change[1]]
            if entry.action == LogEntry.Action.DELETE:
                version.action = "delete"
        else:
            version = Version(
                number=number, when=entry.timestamp, user_name=data.get("user_name"),
                token_name=data.get("token_name"), source=data.get("source") or SYSTEM,
                address=entry.remote_addr, action=ACTIONS.get(entry.action, "update"),
                changes=changes, fields={}, m2m={},
            )
            result.append(version)
        version.fields = dict(fields)
        version.m2m = {name: sorted(ids) for name, ids in m2m.items()}
    before: dict[str, list[int]] = {}
    for version in result:
        for name in sorted(m2m_names):
            old, new = before.get(name, []), version.m2m.get(name, before.get(name, []))
            if old != new:
                version.changes[name] = [old, new]
        before = version.m2m
    return result
