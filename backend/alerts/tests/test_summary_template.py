"""The summary template: Jinja's immutable sandbox, missing labels blank, Python internals refused."""

import pytest

from alerts.summary_template import render, render_or_note, template_error

CONTEXT = {"value": 12.345, "threshold": 5.0, "condition": ">", "window": 2, "aggregation": "avg",
           "metric": "api_error_rate", "rule": "Errors", "severity": "high", "labels": {"route": "/api/orders/"}}


def test_it_renders_the_facts_and_a_missing_label_is_blank():
    template = ("{{ rule }}: {{ labels.route }}{{ labels.method }} at {{ value | round(1) }} "
                "{{ condition }} {{ threshold }}")

    assert template_error(template) is None
    assert render(template, CONTEXT) == "Errors: /api/orders/ at 12.3 > 5.0"
    assert render("{% if labels.method %}m{% else %}none{% endif %}", CONTEXT) == "none"
    assert render("{% for x in labels.method %}{{ x }}{% endfor %}ok", CONTEXT) == "ok"


@pytest.mark.parametrize("template", [
    "{{ ''.__class__ }}",
    "{{ value.__class__.__mro__ }}",
    "{% if labels.__class__ %}x{% endif %}",
    "{% for c in ''.__class__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ cycler.__init__.__globals__ }}",
])
def test_reaching_for_python_internals_is_refused_with_the_reason(template):
    problem = template_error(template)

    assert problem is not None
    assert problem.startswith("Not a valid summary template: access to attribute ")
    assert problem.endswith(" is unsafe.")
    # And at fire time (a template saved before this check) the alert says so, instead of failing.
    assert render_or_note(template, CONTEXT) == "(the summary template could not be rendered: SecurityError)"
