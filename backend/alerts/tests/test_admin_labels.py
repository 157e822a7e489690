"""The admin's rule form with labels, grouping, the pending period and annotations in their own
fieldsets; the alert page with its labels, group, runbook link and summary."""

import pytest
from django.contrib.admin import site
from django.contrib.admin.utils import flatten_fieldsets

from alerts.models import AlertHistory, AlertRule
from alerts.services import rules
from monitoring.labels import fingerprint

from .factories import make_alert, make_rule
from .test_admin import RULE_FORM

pytestmark = pytest.mark.django_db

ADD = "/admin/alerts/alertrule/add/"
GROUPED = {
    **RULE_FORM,
    "name": "Error rate per route", "metric_name": "api_error_rate", "threshold_value": "5",
    "label_matchers": '[{"label": "route", "op": "=~", "value": "/api/.*"}]', "group_by": '["route"]',
    "max_series_per_rule": "50", "for_minutes": "2", "labels": '{"team": "payments"}',
    "runbook_url": "https://wiki.resee.test/runbooks/5xx",
    "summary": "{{ labels.route }} fails {{ value | round(1) }} %",
}


def test_the_rule_form_groups_the_new_fields_in_their_fieldsets(admin_client):
    content = admin_client.get(ADD).content.decode()

    headings = ["Condition", "Labels and grouping", "Pending", "Annotations", "Notifications"]
    positions = [content.index(f"<h2 id=\"fieldset-0-{i + 1}-heading\" class=\"fieldset-heading\">{h}</h2>")
                 for i, h in enumerate(headings)]
    assert positions == sorted(positions)
    for name, section in (("label_matchers", "Labels and grouping"), ("group_by", "Labels and grouping"),
                          ("max_series_per_rule", "Labels and grouping"), ("labels", "Labels and grouping"),
                          ("for_minutes", "Pending"), ("runbook_url", "Annotations"), ("summary", "Annotations")):
        field_at = content.index(f'name="{name}"')
        heading = headings.index(section)
        assert positions[heading] < field_at
        assert heading + 1 == len(positions) or field_at < positions[heading + 1], name
    assert "opens one alert per route" in content


def test_every_field_of_the_form_is_in_a_fieldset(rf, admin_user):
    admin = site._registry[AlertRule]
    request = rf.get(ADD)
    request.user = admin_user
    form_fields = set(admin.form.base_fields)
    shown = set(flatten_fieldsets(admin.get_fieldsets(request)))

    assert form_fields <= shown
    editable = {f.name for f in AlertRule._meta.concrete_fields if f.editable and f.name != "id"}
    assert editable - set(rules.ENGINE_FIELDS) <= shown
    # The engine's fields are shown read-only, times with their zone.
    assert all(name in shown or f"{name}_zoned" in shown for name in rules.ENGINE_FIELDS)


def test_a_grouped_rule_with_annotations_is_created_from_the_admin(admin_client):
    response = admin_client.post(ADD, GROUPED)

    assert response.status_code == 302, response.content.decode()[:3000]
    rule = AlertRule.objects.get()
    assert rule.label_matchers == [{"label": "route", "op": "=~", "value": "/api/.*"}]
    assert (rule.group_by, rule.max_series_per_rule, rule.for_minutes) == (["route"], 50, 2)
    assert rule.labels == {"team": "payments"}
    assert rule.runbook_url == "https://wiki.resee.test/runbooks/5xx"
    assert rule.summary == "{{ labels.route }} fails {{ value | round(1) }} %"


@pytest.mark.parametrize("field,value,message", [
    ("summary", "{{ value | nosuchfilter }}", "No filter named &#x27;nosuchfilter&#x27;"),
    ("runbook_url", "javascript:alert(1)", "A runbook URL must start with http:// or https://"),
    ("group_by", '["Route"]', "&#x27;Route&#x27; is not a valid label name"),
    ("label_matchers", '[{"label": "route", "op": "~", "value": "x"}]', "is not an operator"),
    ("labels", '{"team": 5}', "A label value must be a string."),
    ("for_minutes", "61", "Ensure this value is less than or equal to 60."),
])
def test_the_admin_refuses_bad_new_fields_and_saves_nothing(admin_client, field, value, message):
    response = admin_client.post(ADD, {**GROUPED, field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert AlertRule.objects.count() == 0


def test_the_alert_page_shows_labels_group_runbook_and_summary(admin_client):
    rule = make_rule(name="Error rate per route", group_by=["route"], labels={"team": "payments"})
    group = {"route": "/api/orders/"}
    alert = make_alert(rule, group_labels=group, group_fingerprint=fingerprint(group),
                       labels={"team": "payments", **group}, runbook_url="https://wiki.resee.test/run?a=1&b=2",
                       summary="/api/orders/ fails <12.5 %>")

    content = admin_client.get(f"/admin/alerts/alerthistory/{alert.pk}/change/").content.decode()

    assert '<div class="readonly">route=&quot;/api/orders/&quot; team=&quot;payments&quot;</div>' in content
    assert '<div class="readonly">route=&quot;/api/orders/&quot;</div>' in content
    assert ('<a href="https://wiki.resee.test/run?a=1&amp;b=2" rel="noopener noreferrer">'
            "https://wiki.resee.test/run?a=1&amp;b=2</a>") in content
    assert "/api/orders/ fails &lt;12.5 %&gt;" in content


def test_a_runbook_that_is_not_http_is_shown_as_text(admin_client):
    alert = make_alert(runbook_url="javascript:alert(1)")

    content = admin_client.get(f"/admin/alerts/alerthistory/{alert.pk}/change/").content.decode()

    assert '<div class="readonly">javascript:alert(1)</div>' in content
    assert 'href="javascript:' not in content
    assert AlertHistory.objects.get().runbook_url == "javascript:alert(1)"


def test_a_rules_change_page_shows_its_labels_and_state(admin_client):
    rule = make_rule(group_by=["host"], labels={"team": "infra"}, for_minutes=3, summary="{{ labels.host }} hot")

    content = admin_client.get(f"/admin/alerts/alertrule/{rule.pk}/change/").content.decode()

    assert "&quot;team&quot;: &quot;infra&quot;" in content
    assert "[&quot;host&quot;]" in content
    assert '{{ labels.host }} hot</textarea>' in content
    assert '<h2 id="fieldset-0-6-heading" class="fieldset-heading">State</h2>' in content
