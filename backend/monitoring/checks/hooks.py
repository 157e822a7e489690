"""The default rule of a check ("<name> is down") is an alert rule, which monitoring knows nothing
of: the alerts app registers what makes, renames and deletes it (alerts/apps.py)."""

from typing import Protocol

from ..models import Check


class DefaultRules(Protocol):
    def create(self, check: Check, *, user) -> int:
        """Make the check's default rule and return its id (ValueError when it cannot be made)."""

    def renamed(self, check: Check, *, old_name: str) -> None:
        """The check was renamed: its default rule watches the new name's series."""

    def deleted(self, check: Check, *, user) -> None:
        """The check was deleted: so is its default rule (its open alert resolved)."""


_registered: list[DefaultRules] = []


def register(rules: DefaultRules) -> None:
    _registered[:] = [rules]


def default_rules() -> DefaultRules | None:
    return _registered[0] if _registered else None
