"""Test sends and manual triggers are limited per user, but only what is accepted counts: a
request refused as invalid (400) leaves the limit as it was."""

import pytest

from alerts.tests.factories import make_rule
from core import throttling

pytestmark = pytest.mark.django_db

SLACK = "/api/alerts/test/slack/"
EMAIL = "/api/alerts/test/email/"
TRIGGER = "/api/alerts/trigger/"


@pytest.fixture
def three_per_minute(settings, user):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "alert_actions": "3/minute"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    throttling.reset("alert_actions", f"user-{user.pk}")
    yield
    throttling.reset("alert_actions", f"user-{user.pk}")


@pytest.mark.parametrize(
    "url, body",
    [
        (EMAIL, {"recipient": "not an address"}),  # refused by the notifier's target check
        (EMAIL, {"recipient": "ops@resee.com", "message": "m" * 5000}),  # refused by the serializer
        (SLACK, {"channel": "no spaces allowed"}),
        (TRIGGER, {"rule_id": "one"}),
        (TRIGGER, {}),
    ],
)
def test_rejected_input_does_not_use_up_the_limit(auth_client, three_per_minute, url, body):
    rejected = [auth_client.post(url, body, format="json").status_code for _ in range(10)]

    accepted = [auth_client.post(EMAIL, {"recipient": "ops@resee.com"}, format="json").status_code
                for _ in range(4)]

    assert rejected == [400] * 10
    assert accepted == [200, 200, 200, 429]


def test_accepted_actions_still_count(auth_client, three_per_minute):
    rule = make_rule()

    codes = [
        auth_client.post(TRIGGER, {"rule_id": rule.pk}, format="json").status_code,
        auth_client.post(EMAIL, {"recipient": "ops@resee.com"}, format="json").status_code,
        auth_client.post(EMAIL, {"recipient": "bad"}, format="json").status_code,
        auth_client.post(EMAIL, {"recipient": "ops@resee.com"}, format="json").status_code,
        auth_client.post(TRIGGER, {"rule_id": rule.pk}, format="json").status_code,
    ]

    assert codes == [201, 200, 400, 200, 429]
