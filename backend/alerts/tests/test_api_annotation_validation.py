"""Bad annotations, labels, matchers and group-by on the rules API: a 400 naming the field, with a
clear message, and nothing saved (not on create, not on a change)."""

import pytest

from alerts.models import AlertRule

from .factories import make_rule
from .test_api_rules import HIGH_CPU, RULES

pytestmark = pytest.mark.django_db

# (field, value, a part of the message the API answers with)
BAD = [
    ("summary", "{{ value | nosuchfilter }}", "No filter named 'nosuchfilter'"),
    ("summary", "{% for %}", "Not a valid summary template"),
    ("summary", "{{ ''.__class__ }}",
     "Not a valid summary template: access to attribute '__class__' of 'str' object is unsafe."),
    ("summary", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__'"),
    ("summary", "{% if value.__class__ %}x{% endif %}", "access to attribute '__class__' of 'float' object"),
    ("summary", "{{ value", "Not a valid summary template"),
    ("summary", "x" * 1001, "at most 1000 characters"),
    ("runbook_url", "ftp://x", "A runbook URL must start with http:// or https:// and name a host."),
    ("runbook_url", "javascript:alert(1)", "A runbook URL must start with http:// or https:// and name a host."),
    ("runbook_url", "https://", "A runbook URL must start with http:// or https:// and name a host."),
    ("runbook_url", "https://wiki.resee.test/a b", "A runbook URL must start with http:// or https://"),
    ("labels", {"Team": "payments"}, "'Team' is not a valid label name"),
    ("labels", {"team": 5}, "Not a valid string."),
    ("labels", {"team": "x" * 129}, "Ensure this field has no more than 128 characters."),
    ("labels", {f"l{i}": "v" for i in range(11)}, "At most 10 labels (got 11)."),
    ("labels", ["team", "payments"], ""),
    ("label_matchers", [{"label": "route", "op": "~", "value": "x"}], '"~" is not a valid choice.'),
    ("label_matchers", [{"label": "route", "op": "=~", "value": "("}], "not a valid regular expression"),
    ("label_matchers", [{"label": "9route", "op": "=", "value": "x"}], "is not a valid label name"),
    ("label_matchers", {"label": "route"}, ""),
    ("group_by", ["Route"], "'Route' is not a valid label name"),
    ("group_by", ["route", "route"], "Each label may appear once in group_by."),
    ("group_by", "route", ""),
    ("for_minutes", 61, ""),
    ("for_minutes", -1, ""),
    ("max_series_per_rule", 0, ""),
]


def messages_of(errors) -> list[str]:
    """Every message in a field's errors, however nested (a list's items, an object's keys)."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages_of(value)]
    return [m for value in errors for m in messages_of(value)]


@pytest.mark.parametrize("field,value,message", BAD, ids=[f"{f}={str(v)[:30]}" for f, v, _ in BAD])
def test_a_bad_value_is_refused_on_create_with_a_clear_message_and_nothing_saved(auth_client, field, value,
                                                                                 message):
    response = auth_client.post(RULES, {**HIGH_CPU, field: value}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [field], body
    problems = messages_of(body[field])
    assert problems and all(problems), body
    assert any(message in problem for problem in problems), body
    assert AlertRule.objects.count() == 0


@pytest.mark.parametrize("field,value,message", BAD[:12], ids=[f"{f}={str(v)[:30]}" for f, v, _ in BAD[:12]])
def test_a_bad_value_is_refused_on_a_change_and_the_rule_is_unchanged(auth_client, field, value, message):
    rule = make_rule(labels={"team": "infra"}, runbook_url="https://wiki.resee.test/cpu", summary="{{ value }}")

    response = auth_client.patch(f"{RULES}{rule.pk}/", {"name": "Renamed", field: value}, format="json")

    assert response.status_code == 400, response.content
    assert any(message in problem for problem in messages_of(response.json()[field]))
    rule.refresh_from_db()
    assert (rule.name, rule.labels, rule.runbook_url, rule.summary) == (
        "High CPU Usage", {"team": "infra"}, "https://wiki.resee.test/cpu", "{{ value }}")


def test_several_bad_fields_are_each_named(auth_client):
    response = auth_client.post(RULES, {**HIGH_CPU, "summary": "{% for %}", "runbook_url": "ftp://x",
                                        "group_by": ["Route"], "labels": {"Team": "x"}}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"summary", "runbook_url", "group_by", "labels"}
    assert AlertRule.objects.count() == 0


def test_good_annotations_are_saved_as_given(auth_client):
    body = {**HIGH_CPU, "summary": "{{ labels.host }} CPU {{ value | round(1) }} % (over {{ threshold }})",
            "runbook_url": "https://wiki.resee.test/runbooks/cpu?step=1&lang=en", "labels": {"team": "infra"},
            "group_by": ["host"], "label_matchers": [{"label": "host", "op": "=~", "value": "web-.*"}],
            "for_minutes": 2}

    response = auth_client.post(RULES, body, format="json")

    assert response.status_code == 201, response.content
    rule = AlertRule.objects.get()
    assert (rule.summary, rule.runbook_url, rule.labels, rule.group_by, rule.for_minutes) == (
        body["summary"], body["runbook_url"], {"team": "infra"}, ["host"], 2)
    assert rule.label_matchers == [{"label": "host", "op": "=~", "value": "web-.*"}]
