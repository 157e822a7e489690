"""Prometheus alerting rule files (`groups[].rules[]`) as PromQL rules on one data source.

An alerting rule fires for every series its expression returns. A trailing comparison with a
number (`... > 0.5`) becomes the rule's condition and threshold (the expression is kept whole, so
the data source still filters); any other expression is wrapped as `(expr) * 0 + 1` with the
condition `= 1`: every series returned fires, as in Prometheus. `for` becomes for_minutes (rounded
up to whole minutes), `labels.severity` the rule's severity when it names one, `annotations.summary`
the summary (its `$labels.x` and `$value` as Resee's template writes them), `annotations.runbook_url`
and `annotations.description` those fields. Recording rules (`record:`) are skipped and listed. A
rule of the same name is changed, and keeps what the file does not state (its channels).
"""

from __future__ import annotations

import math
import re
from typing import Any

from .document import API_VERSION, DocumentError
from .provisioning import locked_by_file
from .services import Applied, apply_document

_COMPARISON = re.compile(r"^(?P<expr>.*?[^=!<>~])\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)"
                         r"(?:[eE][-+]?\d+)?)\s*$", re.DOTALL)
_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "!=": "ne"}
_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_DURATION_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
_SEVERITIES = {"critical": "critical", "page": "critical", "high": "high", "error": "high", "warning": "medium",
               "warn": "medium", "medium": "medium", "low": "low", "info": "low", "none": "low"}
_GO_TEMPLATE = (
    (re.compile(r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)"), r"labels.\1"),
    (re.compile(r"\$value\b"), "value"),
)


def _seconds(text: str) -> float | None:
    match = _DURATION.fullmatch(text.strip()) if text.strip() else None
    if match is None:
        return None
    return sum(int(part) * unit for part, unit in zip(match.groups(), _DURATION_SECONDS, strict=True) if part)


def _template(text: str) -> str:
    for pattern, replacement in _GO_TEMPLATE:
        text = pattern.sub(replacement, text)
    return text


def convert(data: Any, data_source: str) -> tuple[dict, list[str], dict[str, str], dict[str, list[str]]]:
    """(the resee/v1 document of the file's alerting rules, the recording rules skipped, the
    document path of each rule -> its path in the file, problems by file path)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise DocumentError({"groups": ["A Prometheus rule file has groups: a list of {name, rules}."]})
    rules: list[dict] = []
    skipped: list[str] = []
    paths: dict[str, str] = {}
    for g, group in enumerate(data["groups"]):
        if not isinstance(group, dict) or not isinstance(group.get("rules"), list):
            errors[f"groups[{g}]"] = ["Expected a group: {name, rules: [...]}."]
            continue
        for r, rule in enumerate(group["rules"]):
            path = f"groups[{g}].rules[{r}]"
            if not isinstance(rule, dict):
                errors[path] = ["Expected a rule: {alert, expr, ...} or {record, expr}."]
                continue
            if "record" in rule:
                skipped.append(str(rule["record"]))
                continue
            converted = _rule(rule, path, data_source, errors)
            if converted is not None:
                paths[f"rules[{len(rules)}]"] = path
                rules.append(converted)
    return {"apiVersion": API_VERSION, "rules": rules}, skipped, paths, errors


def _rule(rule: dict, path: str, data_source: str, errors: dict[str, list[str]]) -> dict | None:
    name, expr = rule.get("alert"), rule.get("expr")
    if not isinstance(name, str) or not name.strip():
        errors[f"{path}.alert"] = ["An alerting rule needs its alert name (a recording rule its record)."]
        return None
    if not isinstance(expr, str) or not expr.strip():
        errors[f"{path}.expr"] = ["An alerting rule needs its expr."]
        return None
    expr = expr.strip()
    fields: dict[str, Any] = {"name": name, "kind": "promql", "data_source": data_source}
    match = _COMPARISON.match(expr)
    if match and " bool" not in match.group("expr")[-6:]:
        fields.update(expr=expr, condition=_OPS[match.group("op")], threshold_value=float(match.group("number")))
    else:
        fields.update(expr=f"({expr}) * 0 + 1", condition="eq", threshold_value=1.0)
    if "for" in rule:
        seconds = _seconds(str(rule["for"]))
        if seconds is None:
            errors[f"{path}.for"] = [f"Not a Prometheus duration: {rule['for']!r} (e.g. 5m, 1h30m)."]
        else:
            fields["for_minutes"] = math.ceil(seconds / 60)
    labels = rule.get("labels") or {}
    if not isinstance(labels, dict):
        errors[f"{path}.labels"] = ["Expected a mapping of label names to values."]
        labels = {}
    labels = {str(key): str(value) for key, value in labels.items()}
    severity = _SEVERITIES.get(labels.get("severity", "").lower())
    if severity:
        fields["severity"] = severity
    fields["labels"] = labels
    annotations = rule.get("annotations") or {}
    if not isinstance(annotations, dict):
        errors[f"{path}.annotations"] = ["Expected a mapping of annotation names to texts."]
        annotations = {}
    if annotations.get("summary"):
        fields["summary"] = _template(str(annotations["summary"]))
    if annotations.get("description"):
        fields["description"] = str(annotations["description"])
    if annotations.get("runbook_url"):
        fields["runbook_url"] = str(annotations["runbook_url"])
    return fields


def import_rule_file(data: Any, *, data_source: str, user=None, dry_run: bool = False) -> tuple[Applied, list[str]]:
    """Apply a Prometheus rule file's alerting rules (all or nothing); DocumentError with each
    problem at its path in the file."""
    document, skipped, paths, errors = convert(data, data_source)
    names: dict[str, str] = {}
    for index, rule in enumerate(document["rules"]):
        doc_path = paths[f"rules[{index}]"]
        if rule["name"] in names:
            errors[f"{doc_path}.alert"] = [f"{names[rule['name']]} has this alert name too: each becomes a rule "
                                           "named by it, so it must be unique."]
        names.setdefault(rule["name"], doc_path)
    if errors:
        raise DocumentError(errors)
    try:
        result = apply_document(document, user=user, dry_run=dry_run, partial=True, locked=locked_by_file)
    except DocumentError as error:
        raise DocumentError(_file_paths(error.errors, paths, data_source)) from None
    return result, skipped


_FIELD_IN_FILE = {"name": "alert", "expr": "expr", "for_minutes": "for", "labels": "labels",
                  "summary": "annotations.summary", "description": "annotations.description",
                  "runbook_url": "annotations.runbook_url", "condition": "expr", "threshold_value": "expr"}


def _file_paths(errors: dict[str, list[str]], paths: dict[str, str], data_source: str) -> dict[str, list[str]]:
    """Document paths (rules[2].for_minutes) as the file's (groups[0].rules[3].for)."""
    said: dict[str, list[str]] = {}
    for path, messages in errors.items():
        match = re.match(r"^(rules\[\d+\])(?:\.([a-z_]+))?(.*)$", path)
        if match is None or match.group(1) not in paths:
            said.setdefault(path, []).extend(messages)
            continue
        field = match.group(2)
        if field == "data_source":
            said["data_source"] = list(dict.fromkeys([*said.get("data_source", []), *messages]))
            continue
        where = paths[match.group(1)] + (f".{_FIELD_IN_FILE.get(field, field)}" if field else "") + match.group(3)
        said.setdefault(where, []).extend(messages)
    return said
