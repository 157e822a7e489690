"""Reading a configuration document: its shape, its secret references, and its errors by path."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import yaml

API_VERSION = "resee/v1"
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
# YAML aliases can make a small text a huge tree: the values a document may hold, in all.
MAX_NODES = 200_000

REFERENCE_RE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class DocumentError(Exception):
    """Problems with a document, by path: {"rules[3].threshold_value": ["..."]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def env_name(*parts: str) -> str:
    """RESEE_CHANNEL_ONCALL_SLACK_WEBHOOK_URL from ("channel", "oncall slack", "webhook_url")."""
    words = [re.sub(r"[^A-Za-z0-9]+", "_", part).strip("_").upper() for part in parts]
    return "_".join(["RESEE", *[word for word in words if word]])


def reference(name: str) -> str:
    return "${" + name + "}"


def resolve(value: Any, path: str, errors: dict[str, list[str]]) -> Any:
    """A secret's value: `${VAR}` read from the environment (unset: an error at `path`); any other
    value as it is."""
    if isinstance(value, str) and (match := REFERENCE_RE.match(value)):
        name = match.group(1)
        resolved = os.environ.get(name)
        if resolved is None:
            errors.setdefault(path, []).append(f"The environment variable {name} is not set.")
            return None
        return resolved
    return value


def _too_deep(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise DocumentError({"document": [f"The document holds more than {MAX_NODES:,} values."]})
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str | bytes) -> Any:
    """A document from YAML or JSON text (JSON is YAML); DocumentError when it cannot be read."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError({"document": [f"The document is larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB."]})
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise DocumentError({"document": [f"The document nests more than {MAX_DEPTH} levels deep."]}) from None
    except yaml.YAMLError as error:
        raise DocumentError({"document": [f"Not YAML or JSON: {_yaml_problem(error)}"]}) from None
    if _too_deep(data, MAX_DEPTH):
        raise DocumentError({"document": [f"The document nests more than {MAX_DEPTH} levels deep."]})
    return data


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else str(problem)


def dumps(document: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)


def flatten(prefix: str, errors: Any, into: dict[str, list[str]]) -> None:
    """DRF's nested errors ({"label_matchers": {0: {"op": [...]}}}) as paths
    ("rules[3].label_matchers[0].op")."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            key = str(key)
            if key == "non_field_errors":
                flatten(prefix, value, into)
            elif key.isdigit():
                flatten(f"{prefix}[{key}]", value, into)
            else:
                flatten(f"{prefix}.{key}" if prefix else key, value, into)
    elif isinstance(errors, list):
        if all(not isinstance(item, (dict, list)) for item in errors):
            into.setdefault(prefix, []).extend(str(item) for item in errors)
        else:
            for index, item in enumerate(errors):
                if item:
                    flatten(f"{prefix}[{index}]", item, into)
    else:
        into.setdefault(prefix, []).append(str(errors))
