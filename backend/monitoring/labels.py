"""Labels of a series, and the matchers that select series by them (Prometheus semantics).

A series is a metric name plus labels: string -> string, at most MAX_LABELS of them, names
`[a-z_][a-z0-9_]*`, values up to MAX_LABEL_VALUE characters. A label a series does not have
matches as the empty string, as in Prometheus (`route=""` selects series without a route). Regex
matchers are anchored: `route=~"/api/.*"` matches the whole value.

Pure: no database, so the alerts app's validators, the ingest API and the sources share it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_LABELS = 10
MAX_LABEL_VALUE = 128
MAX_MATCHERS = 10
MAX_REGEX_LENGTH = 256
LABEL_NAME = re.compile(r"[a-z_][a-z0-9_]*")
LABEL_NAME_MAX_LENGTH = 64
OPS = ("=", "!=", "=~", "!~")

Labels = dict[str, str]


def label_name_error(name: object) -> str | None:
    if not isinstance(name, str):
        return "A label name must be a string."
    if len(name) > LABEL_NAME_MAX_LENGTH or not LABEL_NAME.fullmatch(name):
        return (f"{name[:LABEL_NAME_MAX_LENGTH]!r} is not a valid label name: lowercase letters, digits and "
                f"underscores, not starting with a digit, at most {LABEL_NAME_MAX_LENGTH} characters.")
    return None


def label_value_error(value: object) -> str | None:
    if not isinstance(value, str):
        return "A label value must be a string."
    if len(value) > MAX_LABEL_VALUE:
        return f"A label value may have at most {MAX_LABEL_VALUE} characters (this one has {len(value)})."
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "A label value may not contain control characters."
    return None


def labels_errors(labels: object) -> list[str]:
    """What is wrong with a set of labels, one message per problem; [] when it is valid."""
    if labels is None:
        return []
    if not isinstance(labels, Mapping):
        return ['Labels must be an object of names to values, e.g. {"queue": "emails"}.']
    errors = []
    if len(labels) > MAX_LABELS:
        errors.append(f"At most {MAX_LABELS} labels (got {len(labels)}).")
    for name, value in labels.items():
        problem = label_name_error(name) or label_value_error(value)
        if problem:
            errors.append(f"{name}: {problem}" if isinstance(name, str) and not label_name_error(name) else problem)
    return errors


def normalise(labels: Mapping[str, str] | None) -> Labels:
    """Labels as stored: sorted by name, without empty values (an empty value is the same as the
    label being absent)."""
    given = labels or {}
    return {name: given[name] for name in sorted(given) if given[name] != ""}


def fingerprint(labels: Mapping[str, str] | None, name: str = "") -> str:
    """A stable hex digest of a metric name and labels (order-independent; empty values ignored)."""
    text = json.dumps([name, normalise(labels)], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str
    value: str

    def __post_init__(self):
        if self.op in ("=~", "!~"):
            object.__setattr__(self, "_regex", re.compile(self.value))

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        match self.op:
            case "=":
                return actual == self.value
            case "!=":
                return actual != self.value
            case "=~":
                return self._regex.fullmatch(actual) is not None  # type: ignore[attr-defined]
            case "!~":
                return self._regex.fullmatch(actual) is None  # type: ignore[attr-defined]
        raise ValueError(f"unknown matcher operator {self.op!r}")

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "op": self.op, "value": self.value}

    def __str__(self) -> str:
        return f'{self.label}{self.op}"{self.value}"'


def matcher_errors(matcher: object) -> list[str]:
    if not isinstance(matcher, Mapping):
        return ['A matcher is an object: {"label": "route", "op": "=", "value": "/api/orders/"}.']
    errors = []
    unknown = set(matcher) - {"label", "op", "value"}
    if unknown:
        errors.append(f"Unknown key{'s' if len(unknown) > 1 else ''}: {', '.join(sorted(map(str, unknown)))}.")
    problem = label_name_error(matcher.get("label"))
    if problem:
        errors.append(f"label: {problem}")
    op = matcher.get("op")
    if op not in OPS:
        errors.append(f"op: {op!r} is not an operator; use one of {', '.join(OPS)}.")
    value = matcher.get("value")
    if not isinstance(value, str):
        errors.append("value: a string is required.")
    elif op in ("=~", "!~"):
        if len(value) > MAX_REGEX_LENGTH:
            errors.append(f"value: a regular expression may have at most {MAX_REGEX_LENGTH} characters.")
        else:
            try:
                re.compile(value)
            except re.error as error:
                errors.append(f"value: not a valid regular expression: {error}.")
    elif len(value) > MAX_LABEL_VALUE:
        errors.append(f"value: at most {MAX_LABEL_VALUE} characters.")
    return errors


def matchers_errors(matchers: object) -> dict[int, list[str]] | list[str]:
    """Per-index problems of a list of matchers ({} when valid), or one list for a bad shape."""
    if matchers is None:
        return {}
    if not isinstance(matchers, list):
        return ["Label matchers must be a list of {label, op, value}."]
    if len(matchers) > MAX_MATCHERS:
        return [f"At most {MAX_MATCHERS} label matchers (got {len(matchers)})."]
    return {i: problems for i, m in enumerate(matchers) if (problems := matcher_errors(m))}


def parse_matchers(matchers: Iterable[Mapping[str, str]] | None) -> tuple[Matcher, ...]:
    """Valid matcher dicts as Matchers (validate first: matchers_errors)."""
    return tuple(Matcher(m["label"], m["op"], m["value"]) for m in matchers or ())


def matches_all(labels: Mapping[str, str], matchers: Iterable[Matcher]) -> bool:
    return all(m.matches(labels) for m in matchers)


def group_labels(labels: Mapping[str, str], group_by: Iterable[str]) -> Labels:
    """The labels that name a series' group: those of `group_by` it has (as Prometheus' `by`)."""
    return {name: labels[name] for name in sorted(group_by) if labels.get(name, "") != ""}


def describe(labels: Mapping[str, str]) -> str:
    """`{route="/api/orders/", method="GET"}` for messages; "" for no labels."""
    if not labels:
        return ""
    return "{" + ", ".join(f'{name}="{value}"' for name, value in labels.items()) + "}"
