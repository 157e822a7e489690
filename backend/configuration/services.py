"""Export the configuration as one document, and apply one: every object checked by the API's own
serializer and saved through the services the API calls, all in one transaction (a problem
anywhere: nothing is saved), answered with a diff."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from rest_framework.exceptions import APIException

from alerts.models import NotificationPolicy
from monitoring.api.check_serializers import SECRET_HEADER

from .document import API_VERSION, DocumentError, env_name, flatten, reference, resolve
from .kinds import KINDS, DeleteRefused, Kind

CREATED, CHANGED, DELETED, UNCHANGED = "created", "changed", "deleted", "unchanged"
SECRET_CHANGED = "changed"


def parse_kinds(value: str | Iterable[str] | None, path: str = "kinds") -> list[str]:
    """Kind names from "rules,channels" (none: all); DocumentError naming an unknown one."""
    if value is None or value == "":
        return list(KINDS)
    names = [name.strip() for name in (value.split(",") if isinstance(value, str) else value) if name.strip()]
    unknown = [name for name in names if name not in KINDS]
    if unknown:
        raise DocumentError({path: [f"Unknown kind {unknown[0]!r}: the kinds are {', '.join(KINDS)}."]})
    return [name for name in KINDS if name in names]


# -- Export ----------------------------------------------------------------------------------------

def _names(kind_name: str) -> dict[int, str]:
    kind = KINDS[kind_name]
    return dict(kind.model.objects.values_list("pk", kind.key))  # type: ignore[attr-defined]


def _secret_headers(check) -> dict[str, str]:
    return {name: value for name, value in (check.headers or {}).items() if SECRET_HEADER.search(name)}


def to_document(kind: Kind, obj, names: Callable[[str], dict[int, str]]) -> dict[str, Any]:
    """One object as the document holds it: the API's writable fields, other objects by name,
    secrets as references to environment variables."""
    serializer = kind.serializer()
    item: dict[str, Any] = {}
    key = kind.key_of(obj)
    for name in kind.fields:
        if name in kind.refs:
            ref = kind.refs[name]
            if ref.many:
                item[name] = sorted(names(ref.kind)[pk] for pk in getattr(obj, name).values_list("pk", flat=True))
            else:
                pk = getattr(obj, f"{name}_id")
                item[name] = names(ref.kind)[pk] if pk is not None else None
        elif name == kind.secret_field:
            item[name] = {secret: reference(env_name(kind.singular, key, secret)) for secret in kind.secret_names(obj)}
        else:
            serializer_field = serializer.fields[name]
            value = serializer_field.get_attribute(obj)
            item[name] = None if value is None else serializer_field.to_representation(value)
    if kind.name == "checks" and item.get("headers"):
        item["headers"] = {
            header: reference(env_name(kind.singular, key, header)) if SECRET_HEADER.search(header) else value
            for header, value in item["headers"].items()
        }
    return item


def _ordered(kind: Kind, objects: list) -> list:
    if kind.model is NotificationPolicy:
        return sorted(objects, key=lambda policy: (policy.position, policy.name, policy.pk))  # routing order
    return sorted(objects, key=lambda obj: (kind.key_of(obj), obj.pk))


def _duplicates(kind: Kind, objects: Iterable) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objects:
        counts[kind.key_of(obj)] = counts.get(kind.key_of(obj), 0) + 1
    return {key: count for key, count in counts.items() if count > 1}


def _cached_names() -> Callable[[str], dict[int, str]]:
    cache: dict[str, dict[int, str]] = {}

    def names(kind_name: str) -> dict[int, str]:
        if kind_name not in cache:
            cache[kind_name] = _names(kind_name)
        return cache[kind_name]

    return names


def export_document(kinds: Iterable[str] | None = None) -> dict[str, Any]:
    """The configuration of `kinds` (all when None) as a document. DocumentError when names that
    identify objects are taken twice (a document could not tell them apart)."""
    selected = parse_kinds(list(kinds) if kinds is not None else None)
    names = _cached_names()
    document: dict[str, Any] = {"apiVersion": API_VERSION}
    errors: dict[str, list[str]] = {}
    for kind_name in selected:
        kind = KINDS[kind_name]
        objects = list(kind.queryset())
        for key, count in sorted(_duplicates(kind, objects).items()):
            errors.setdefault(kind_name, []).append(
                f"{count} {kind.singular}s have the {kind.key} {key!r}: a document names each {kind.singular} by its "
                f"{kind.key}, so rename (or delete) all but one."
            )
        document[kind_name] = [to_document(kind, obj, names) for obj in _ordered(kind, objects)]
    if errors:
        raise DocumentError(errors)
    return document


# -- Import ----------------------------------------------------------------------------------------

@dataclass
class KindReport:
    created: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {CREATED: self.created, CHANGED: self.changed, DELETED: self.deleted, UNCHANGED: self.unchanged}


@dataclass
class Applied:
    kinds: dict[str, KindReport]
    dry_run: bool
    # The objects the document names, by kind (saved or unchanged): what provisioning marks.
    named: dict[str, list[Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "applied": not self.dry_run,
                "kinds": {name: report.as_dict() for name, report in self.kinds.items()}}


def read_document(data: Any) -> tuple[dict[str, list[tuple[int, dict]]], dict[str, list[str]]]:
    """The document's objects by kind and the problems of its shape (apiVersion, unknown kinds and
    fields, objects without their name, a name twice within a kind)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise DocumentError({"document": [
            f"A document is a mapping with apiVersion: {API_VERSION} and lists of objects by kind."]})
    if data.get("apiVersion") != API_VERSION:
        got = data.get("apiVersion")
        errors["apiVersion"] = [f"Expected {API_VERSION}" + (f", not {got!r}." if got is not None else ".")]
    items: dict[str, list[tuple[int, dict]]] = {}
    for top, value in data.items():
        if top == "apiVersion":
            continue
        if top not in KINDS:
            errors[str(top)] = [f"Unknown kind: the kinds are {', '.join(KINDS)}."]
            continue
        kind = KINDS[top]
        if value is None:
            value = []
        if not isinstance(value, list):
            errors[top] = [f"Expected a list of {kind.singular}s."]
            continue
        seen: dict[str, int] = {}
        items[top] = []
        for index, item in enumerate(value):
            path = f"{top}[{index}]"
            if not isinstance(item, dict):
                errors[path] = [f"Expected a {kind.singular} (a mapping of its fields)."]
                continue
            for name in sorted(str(name) for name in item if name not in kind.fields):
                errors[f"{path}.{name}"] = [f"Unknown field: a {kind.singular}'s fields are {', '.join(kind.fields)}."]
            item = {name: value for name, value in item.items() if name in kind.fields}
            key = item.get(kind.key)
            if not isinstance(key, str) or not key.strip():
                errors[f"{path}.{kind.key}"] = [f"Each {kind.singular} needs its {kind.key}: it identifies it."]
                continue
            if key in seen:
                errors[f"{path}.{kind.key}"] = [f"{top}[{seen[key]}] has this {kind.key} too: it identifies a "
                                                f"{kind.singular}, so it must be unique."]
                continue
            seen[key] = index
            items[top].append((index, item))
    return items, errors


def _update_defaults(kind: Kind, names) -> dict[str, Any]:
    """What a field left out of the document means for an existing object: its default (the
    document states the whole object), for the fields that have one."""
    blank = kind.model()
    serializer = kind.serializer()
    defaults: dict[str, Any] = {}
    for name in kind.fields:
        if name in kind.refs:
            defaults[name] = [] if kind.refs[name].many else None
            continue
        if name == kind.secret_field:
            defaults[name] = {}
            continue
        source = serializer.fields[name].source
        model_field = kind.model._meta.get_field(source)
        if not isinstance(model_field, models.Field):
            continue
        if model_field.has_default() or model_field.null or getattr(model_field, "blank", False):
            value = getattr(blank, source)
            defaults[name] = None if value is None else serializer.fields[name].to_representation(value)
    return defaults


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    if before is None:
        return {}
    return {name: {"old": before.get(name), "new": value} for name, value in after.items() if before.get(name) != value}


def _stored_secrets(kind: Kind, obj) -> dict[str, Any]:
    if kind.name == "checks":
        return _secret_headers(obj)
    return kind.stored_secrets(obj) if kind.secret_field else {}


class _Applier:
    def __init__(self, *, user, prune: bool, prunable: Callable[[Kind, Any], bool] | None, partial: bool = False,
                 locked: Callable[[Kind, Any], str | None] | None = None):
        self.user = user
        self.locked = locked or (lambda kind, obj: None)
        self.partial = partial
        self.prune = prune
        self.prunable = prunable or (lambda kind, obj: True)
        self.errors: dict[str, list[str]] = {}
        self.names = _cached_names()
        self.by_name: dict[str, dict[str, int]] = {}

    def _ids(self, kind_name: str) -> dict[str, int]:
        if kind_name not in self.by_name:
            self.by_name[kind_name] = {name: pk for pk, name in self.names(kind_name).items()}
        return self.by_name[kind_name]

    def _saved(self, kind: Kind, obj) -> None:
        self.names(kind.name)[obj.pk] = kind.key_of(obj)
        self._ids(kind.name)[kind.key_of(obj)] = obj.pk

    def _input(self, kind: Kind, item: dict, instance, path: str) -> tuple[dict, dict] | None:
        """The API's input for `item` (names turned into ids, secrets resolved) and the secrets it
        sets; None (and errors) when a name or a variable is unknown."""
        errors_before = len(self.errors)
        data = dict(_update_defaults(kind, self.names)) if instance is not None and not self.partial else {}
        data.update(item)
        for name, ref in kind.refs.items():
            if name not in data:
                continue
            ids = self._ids(ref.kind)
            target = KINDS[ref.kind].singular
            value = data[name]
            if ref.many:
                if not isinstance(value, list):
                    self.errors[f"{path}.{name}"] = [f"Expected a list of {target} names."]
                    continue
                resolved = []
                for index, other in enumerate(value):
                    if not isinstance(other, str) or other not in ids:
                        self.errors[f"{path}.{name}[{index}]"] = [f"No {target} named {other!r}."]
                    else:
                        resolved.append(ids[other])
                data[name] = resolved
            elif value is not None:
                if not isinstance(value, str) or value not in ids:
                    self.errors[f"{path}.{name}"] = [f"No {target} named {value!r}."]
                else:
                    data[name] = ids[value]
        secrets: dict[str, Any] = {}
        if kind.secret_field and kind.secret_field in data:
            given = data[kind.secret_field]
            if isinstance(given, dict):
                secrets = {str(name): resolve(value, f"{path}.{kind.secret_field}.{name}", self.errors)
                           for name, value in given.items()}
                data[kind.secret_field] = kind.secrets_input(secrets, instance)
        if kind.name == "checks" and isinstance(data.get("headers"), dict):
            data["headers"] = {str(name): resolve(value, f"{path}.headers.{name}", self.errors)
                               for name, value in data["headers"].items()}
            secrets = {name: value for name, value in data["headers"].items() if SECRET_HEADER.search(name)}
        if len(self.errors) > errors_before:
            return None
        fields = kind.serializer().fields
        for name in [name for name, value in data.items() if value == "" and name in fields]:
            serializer_field = fields[name]
            if not getattr(serializer_field, "allow_blank", True) and not serializer_field.required:
                del data[name]  # blank is "not set" (a promql rule's metric_name): what the API expects
        return data, {name: value for name, value in secrets.items() if value}

    def apply_kind(self, kind: Kind, items: list[tuple[int, dict]], report: KindReport, named: list) -> list:
        """Create and change the kind's objects; returns those to delete when pruning."""
        existing: dict[str, list[Any]] = {}
        for obj in kind.queryset():
            existing.setdefault(kind.key_of(obj), []).append(obj)
        if kind.name == "channels":
            builtin = {name for pk, name in self.names("channels").items()} - set(existing)
        else:
            builtin = set()
        for index, item in items:
            path = f"{kind.name}[{index}]"
            key = item[kind.key]
            matches = existing.get(key, [])
            if len(matches) > 1:
                self.errors[f"{path}.{kind.key}"] = [
                    f"{len(matches)} {kind.singular}s in the database have this {kind.key}: rename (or delete) all "
                    "but one first."]
                continue
            if key in builtin:
                self.errors[f"{path}.{kind.key}"] = [
                    f"{key} is the environment's default channel, configured by its variables: it is not in a "
                    "document (rules and policies may name it)."]
                continue
            instance = matches[0] if matches else None
            converted = self._input(kind, item, instance, path)
            if converted is None:
                continue
            data, secrets = converted
            before = to_document(kind, instance, self.names) if instance is not None else None
            secrets_changed = instance is not None and secrets != _stored_secrets(kind, instance)
            if before is not None and before == {**before, **item} and not secrets_changed:
                report.unchanged.append(key)
                named.append(instance)
                continue
            saved = self._save(kind, data, instance, path)
            if saved is None:
                continue
            obj, savepoint = saved
            after = to_document(kind, obj, self.names)
            diff = _diff(before, after)
            if secrets_changed:
                diff[kind.secret_field or "headers"] = SECRET_CHANGED
            if instance is not None and not diff:
                transaction.savepoint_rollback(savepoint)
                report.unchanged.append(key)
            elif instance is not None and (why := self.locked(kind, instance)):
                transaction.savepoint_rollback(savepoint)
                self.errors.setdefault(path, []).append(f"{why}.")
                continue
            else:
                transaction.savepoint_commit(savepoint)
                if instance is None:
                    report.created.append(key)
                else:
                    report.changed[key] = diff
            self._saved(kind, obj)
            named.append(obj)
        if not self.prune:
            return []
        wanted = {item[kind.key] for _, item in items}
        return [obj for key, objs in sorted(existing.items()) if key not in wanted
                for obj in objs if self.prunable(kind, obj)]

    def _save(self, kind: Kind, data: dict, instance, path: str):
        savepoint = transaction.savepoint()
        serializer = kind.serializer(instance, data=data, context={"may_change": True})
        try:
            valid = serializer.is_valid()
        except APIException as error:  # a name taken (409) is said on its field
            flatten(path, error.detail, self.errors)
            transaction.savepoint_rollback(savepoint)
            return None
        if not valid:
            flatten(path, serializer.errors, self.errors)
            transaction.savepoint_rollback(savepoint)
            return None
        try:
            obj = kind.create(serializer, self.user) if instance is None else kind.update(serializer, instance,
                                                                                         self.user)
        except DjangoValidationError as error:
            flatten(path, error.message_dict if hasattr(error, "error_dict") else error.messages, self.errors)
            transaction.savepoint_rollback(savepoint)
            return None
        except ValueError as error:
            self.errors.setdefault(path, []).append(str(error))
            transaction.savepoint_rollback(savepoint)
            return None
        return obj, savepoint

    def delete(self, kind: Kind, objects: list, report: KindReport) -> None:
        for obj in objects:
            key = kind.key_of(obj)
            if why := self.locked(kind, obj):
                self.errors.setdefault(kind.name, []).append(f"{key} cannot be deleted: {why}.")
                continue
            try:
                with transaction.atomic():
                    kind.delete(obj, self.user)
            except DeleteRefused as error:
                self.errors.setdefault(kind.name, []).append(f"{key} cannot be deleted: {error}")
                continue
            report.deleted.append(key)


def _reorder_policies(items: list[tuple[int, dict]], report: KindReport) -> None:
    """The document's policies in its order (the routing order), before any others."""
    named = [item["name"] for _, item in items]
    policies = list(NotificationPolicy.objects.order_by("position", "id"))
    by_name = {policy.name: policy for policy in policies}
    ordered = [by_name[name] for name in named if name in by_name]
    ordered += [policy for policy in policies if policy.name not in named]
    for position, policy in enumerate(ordered):
        if policy.position != position:
            NotificationPolicy.objects.filter(pk=policy.pk).update(position=position)
            if policy.name in named and policy.name not in report.created:
                if policy.name in report.unchanged:
                    report.unchanged.remove(policy.name)
                report.changed.setdefault(policy.name, {})["position"] = {"old": policy.position, "new": position}


def apply_document(data: Any, *, user=None, dry_run: bool = False, prune: bool = False,
                   prunable: Callable[[Kind, Any], bool] | None = None,
                   after: Callable[[Applied], None] | None = None, partial: bool = False,
                   locked: Callable[[Kind, Any], str | None] | None = None) -> Applied:
    """Apply a document: create what it names and the database lacks, change what differs, and
    with `prune` delete what it does not name (in the kinds it lists; `prunable` narrows that).
    All or nothing: DocumentError with every problem by path, and nothing saved. With `dry_run`
    the answer says what would change, and nothing is saved either. With `partial`, a field an
    object of the document leaves out keeps its value (otherwise it is reset to its default: the
    document states whole objects). `locked` says why an object may not be changed or deleted
    here (provisioned from a file), or None."""
    items, shape_errors = read_document(data)
    applier = _Applier(user=user, prune=prune, prunable=prunable, partial=partial, locked=locked)
    applier.errors.update(shape_errors)
    result = Applied(kinds={}, dry_run=dry_run)
    with transaction.atomic():
        deletions: list[tuple[Kind, list]] = []
        for kind_name, kind in KINDS.items():
            if kind_name not in items:
                continue
            report = result.kinds[kind_name] = KindReport()
            named = result.named[kind_name] = []
            deletions.append((kind, applier.apply_kind(kind, items[kind_name], report, named)))
        for kind, objects in reversed(deletions):
            applier.delete(kind, objects, result.kinds[kind.name])
        if "policies" in items and not applier.errors:
            _reorder_policies(items["policies"], result.kinds["policies"])
        if applier.errors:
            raise DocumentError(applier.errors)
        if after is not None:
            after(result)
        if dry_run:
            transaction.set_rollback(True)
    return result
