"""Objects provisioned from files (configuration as code) are changed through their file, not the
API. The app that provisions them (configuration) registers here, at start, how to tell; the API's
viewsets and item serializers ask here, and so know nothing of that app."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException

# (model, ids or None for all) -> {id: file name} of those provisioned.
_lookup: Callable[[type, Iterable[int] | None], dict[int, str]] | None = None

# The viewset actions that change or delete the object they are on.
WRITE_ACTIONS = ("update", "partial_update", "destroy", "expire", "extend", "restore")


def register(lookup: Callable[[type, Iterable[int] | None], dict[int, str]]) -> None:
    global _lookup
    _lookup = lookup


def files_of(model: type, ids: Iterable[int] | None) -> dict[int, str]:
    return _lookup(model, ids) if _lookup is not None else {}


def provisioned_from(obj) -> str | None:
    return files_of(type(obj), [obj.pk]).get(obj.pk)


class Provisioned(APIException):
    status_code = 409
    default_code = "provisioned"


def _refusal(file_name: str) -> Provisioned:
    return Provisioned(f"provisioned from {file_name}: change the file (the API cannot change it).")


def refuse_if_provisioned(obj) -> None:
    """A 409 for a change made through the API to an object a provisioning file holds."""
    file_name = provisioned_from(obj)
    if file_name:
        raise _refusal(file_name)


def refuse_moving_provisioned(model: type, before: dict[int, int], after: dict[int, int]) -> None:
    """A 409 when a new order (pk -> rank) moves an object a provisioning file holds from its rank."""
    files = files_of(model, None)
    for pk, file_name in sorted(files.items()):
        if pk in after and after[pk] != before.get(pk):
            raise _refusal(file_name)


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class ProvisionedField(serializers.Field):
    """Read-only: the provisioning file an object comes from, or null. One query per model and
    serializer context (a list page costs the same whatever its length)."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True, allow_null=True,
                      help_text="The provisioning file this object comes from (read-only through the API: change "
                      "the file), or null.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        model = type(value)
        cache = self.context.setdefault("_provisioned", {})  # type: ignore[attr-defined]  # a dict
        if model not in cache:
            cache[model] = files_of(model, None)
        return cache[model].get(value.pk)
