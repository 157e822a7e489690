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


def test_labels_render_as_name_value_pairs_not_as_a_python_dict():
    context = {**CONTEXT, "labels": {"route": "/api/orders/", "method": "GET"}}

    assert render("on {{ labels }}", context) == "on method=GET, route=/api/orders/"
    assert render("{% for k, v in labels.items() %}{{ k }}:{{ v }};{% endfor %}", context) == (
        "route:/api/orders/;method:GET;"
    )


def test_a_function_shown_uncalled_is_refused_not_rendered_as_its_address():
    problem = template_error("{{ labels.items }}")

    assert problem is not None
    assert "labels.route" in problem  # what to write instead
    assert render_or_note("{{ labels.items }}", CONTEXT) == (
        "(the summary template could not be rendered: TemplateRuntimeError)"
    )
