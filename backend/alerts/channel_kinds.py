"""The names and labels of the channel kinds, as the models' choices read them.

The notifier registry (`services.notifiers`) registers each kind when it is imported, which the
app does when it loads (`AlertsConfig.ready`): the models read the kinds without importing the
services that send.
"""

_KINDS: dict[str, str] = {}


def register(name: str, label: str) -> None:
    _KINDS[name] = label


def choices() -> list[tuple[str, str]]:
    return list(_KINDS.items())
