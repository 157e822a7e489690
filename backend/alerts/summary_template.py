"""A rule's summary: a template over the alert's facts, rendered in Jinja's immutable sandbox.

    "{{ labels.route }} answers 5xx for {{ value | round(1) }} % of requests (over {{ threshold }} %)"

The template sees only plain values: `value`, `threshold`, `condition` (the symbol), `window`
(minutes), `aggregation`, `metric`, `rule` (the rule's name), `severity` and `labels` (the alert's
labels, group and rule). A label the alert does not have renders as "". Nothing else is reachable:
the sandbox refuses attribute access to Python internals, and the context holds no object. The
output is plain text (each channel escapes it for its own format) of at most MAX_RENDERED
characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from jinja2 import TemplateError, TemplateRuntimeError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_TEMPLATE_LENGTH = 1000
MAX_RENDERED = 2000
VARIABLES = ("value", "threshold", "condition", "window", "aggregation", "metric", "rule", "severity", "labels")


class _Blank(Undefined):
    """A missing label (or variable) is empty, as a label a series does not have is in matchers.
    An attribute the sandbox refuses (`''.__class__`) is an error instead, so such a template is
    refused when the rule is saved rather than quietly rendering nothing."""

    def _refuse_if_unsafe(self) -> None:
        if self._undefined_exception is SecurityError:
            self._fail_with_undefined_error()

    def __str__(self) -> str:
        self._refuse_if_unsafe()
        return ""

    def __bool__(self) -> bool:
        self._refuse_if_unsafe()
        return False

    def __iter__(self):
        self._refuse_if_unsafe()
        return iter(())


def _shown(value: object) -> object:
    """What `{{ ... }}` shows: labels as `name=value` pairs (not a Python dict); a function that
    was not called (`labels.items`) is a mistake in the template, not text to send."""
    if isinstance(value, Undefined):
        return value
    if callable(value):
        raise TemplateRuntimeError(
            "a function is shown without being called; to show one label write labels.route, "
            "to show them all write labels"
        )
    if isinstance(value, Mapping):
        return ", ".join(f"{name}={value[name]}" for name in sorted(value))
    return value


_ENVIRONMENT = ImmutableSandboxedEnvironment(
    autoescape=False, undefined=_Blank, keep_trailing_newline=False, finalize=_shown
)


@lru_cache(maxsize=1024)
def _compile(template: str):
    return _ENVIRONMENT.from_string(template)


def template_error(template: str) -> str | None:
    """Why this summary template cannot be used (syntax, or it fails on example values); None if it can."""
    if len(template) > MAX_TEMPLATE_LENGTH:
        return f"A summary may have at most {MAX_TEMPLATE_LENGTH} characters."
    try:
        _compile(template)
        render(template, example_context())
    except TemplateError as error:
        return f"Not a valid summary template: {(error.message or type(error).__name__).rstrip('.')}."
    except Exception as error:  # a filter given the wrong type, a division by zero, ...
        return f"The summary template fails on example values: {type(error).__name__}: {error}."
    return None


def example_context() -> dict:
    return {"value": 12.5, "threshold": 10.0, "condition": ">", "window": 5, "aggregation": "avg",
            "metric": "api_error_rate", "rule": "Example rule", "severity": "high",
            "labels": {"route": "/api/orders/", "method": "GET"}}


def render(template: str, context: Mapping[str, object]) -> str:
    """The template rendered over `context` (see VARIABLES), stripped and cut to MAX_RENDERED."""
    if not template:
        return ""
    values = {name: context.get(name) for name in VARIABLES}
    values["labels"] = dict(context.get("labels") or {})  # type: ignore[call-overload]
    return _compile(template).render(values).strip()[:MAX_RENDERED]


def render_or_note(template: str, context: Mapping[str, object]) -> str:
    """As render(), but a template that fails on these values says so instead of raising: an alert
    is never lost to its summary."""
    try:
        return render(template, context)
    except Exception as error:
        return f"(the summary template could not be rendered: {type(error).__name__})"
