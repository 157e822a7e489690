"""Provisioning: every *.yaml / *.yml file of PROVISIONING_DIR applied through the import, at the
start of beat and every PROVISIONING_INTERVAL_SECONDS. What a file holds is marked as provisioned
from it (the API refuses to change it: change the file); an object a file no longer names is
deleted, and so is everything of a file that is gone. Objects people made are never deleted."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from core import audit

from .document import DocumentError, loads
from .kinds import KINDS, Kind
from .models import ProvisionedObject
from .services import Applied, apply_document

logger = logging.getLogger(__name__)

PATTERNS = ("*.yaml", "*.yml")


def files_of(model: type, ids: Iterable[int] | None) -> dict[int, str]:
    """{object id: file name} of `model`'s provisioned objects (of `ids`, or all)."""
    rows = ProvisionedObject.objects.filter(content_type=ContentType.objects.get_for_model(model))
    if ids is not None:
        rows = rows.filter(object_id__in=list(ids))
    return dict(rows.values_list("object_id", "file_name"))


def _file_of(kind: Kind, obj) -> str | None:
    return files_of(kind.model, [obj.pk]).get(obj.pk)


def locked_by_file(kind: Kind, obj) -> str | None:
    """Why an import through the API may not change `obj`, or None."""
    file_name = _file_of(kind, obj)
    return f"provisioned from {file_name}: change the file" if file_name else None


def _marker(file_name: str):
    def mark(result: Applied) -> None:
        errors: dict[str, list[str]] = {}
        for kind_name, objects in result.named.items():
            kind = KINDS[kind_name]
            content_type = ContentType.objects.get_for_model(kind.model)
            others = {pk: name for pk, name in files_of(kind.model, [obj.pk for obj in objects]).items()
                      if name != file_name}
            for obj in objects:
                if obj.pk in others:
                    errors.setdefault(kind_name, []).append(
                        f"{kind.key_of(obj)} is provisioned from {others[obj.pk]} already.")
                    continue
                ProvisionedObject.objects.update_or_create(content_type=content_type, object_id=obj.pk,
                                                           defaults={"file_name": file_name})
            # What the file no longer names was deleted (pruned): forget it.
            ProvisionedObject.objects.filter(content_type=content_type, file_name=file_name).exclude(
                object_id__in=[obj.pk for obj in objects]).delete()
        if errors:
            raise DocumentError(errors)
    return mark


def apply_file(file_name: str, data) -> Applied:
    """One file's document, all or nothing, pruning only what this file provisioned."""
    with audit.acting(audit.PROVISIONING):
        return apply_document(data, prune=True, prunable=lambda kind, obj: _file_of(kind, obj) == file_name,
                              after=_marker(file_name))


def provision(directory: str | Path | None = None) -> dict[str, dict]:
    """Apply every file of the directory; a file with problems changes nothing (and is logged),
    the others are applied. Returns each file's diff or errors."""
    directory = Path(directory if directory is not None else settings.PROVISIONING_DIR)
    if not str(directory) or not directory.is_dir():
        logger.warning("PROVISIONING_DIR %s is not a directory: nothing provisioned", directory)
        return {}
    outcome: dict[str, dict] = {}
    paths = sorted({path for pattern in PATTERNS for path in directory.glob(pattern) if path.is_file()})
    for path in paths:
        try:
            result = apply_file(path.name, loads(path.read_bytes()))
        except DocumentError as error:
            logger.error("Provisioning %s changed nothing: %s", path.name, error.errors)
            outcome[path.name] = {"errors": error.errors}
            continue
        except OSError as error:
            logger.error("Provisioning %s: %s", path.name, error.strerror)
            outcome[path.name] = {"errors": {"document": [str(error.strerror)]}}
            continue
        outcome[path.name] = result.as_dict()
    # A file that is gone takes what it provisioned with it.
    present = {path.name for path in paths}
    for file_name in sorted(set(ProvisionedObject.objects.values_list("file_name", flat=True)) - present):
        kinds: dict[str, list] = {
            KINDS_BY_MODEL[model]: [] for model in _models_of(file_name) if model in KINDS_BY_MODEL}
        try:
            outcome[file_name] = apply_file(file_name, {"apiVersion": "resee/v1", **kinds}).as_dict()
        except DocumentError as error:
            logger.error("Removing what %s provisioned changed nothing: %s", file_name, error.errors)
            outcome[file_name] = {"errors": error.errors}
    return outcome


KINDS_BY_MODEL = {kind.model: name for name, kind in KINDS.items()}


def _models_of(file_name: str) -> list[type]:
    ids = ProvisionedObject.objects.filter(file_name=file_name).values_list("content_type", flat=True).distinct()
    return [model for content_type in ContentType.objects.filter(pk__in=list(ids))
            if (model := content_type.model_class()) is not None]
