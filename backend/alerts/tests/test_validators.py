"""The validators and parsers the models, the admin and the API serializers share."""

import pytest
from django.core.exceptions import ValidationError

from alerts import validators


@pytest.mark.parametrize(
    "value,expected",
    [
        ("dev@resee.com,ops@resee.com", ["dev@resee.com", "ops@resee.com"]),
        ("dev@resee.com, ops@resee.com;  finance@resee.com", ["dev@resee.com", "ops@resee.com", "finance@resee.com"]),
        ("ops@resee.com", ["ops@resee.com"]),
        (["ops@resee.com", " dev@resee.com "], ["ops@resee.com", "dev@resee.com"]),
        ("ops@resee.com,OPS@resee.com,,", ["ops@resee.com"]),
        ("", []),
        (None, []),
        ([], []),
    ],
)
def test_parse_email_recipients(value, expected):
    assert validators.parse_email_recipients(value) == expected


@pytest.mark.parametrize("value", [42, {"to": "ops@resee.com"}, ["ops@resee.com", 7]])
def test_parse_email_recipients_rejects_other_types(value):
    with pytest.raises(ValidationError):
        validators.parse_email_recipients(value)


def test_parsed_recipients_are_then_validated():
    with pytest.raises(ValidationError) as error:
        validators.validate_email_recipients(validators.parse_email_recipients("ops@resee.com,nobody"))

    assert error.value.messages == ["'nobody' is not a valid email address."]


def test_validate_email_recipients_needs_a_list():
    with pytest.raises(ValidationError):
        validators.validate_email_recipients("ops@resee.com")


@pytest.mark.parametrize("value", ["12", 0, -3.5, 1e300, None])
def test_finite_numbers_pass(value):
    validators.validate_finite(value)


@pytest.mark.parametrize("value", ["nan", float("nan"), float("inf"), "-inf", "abc"])
def test_non_finite_numbers_fail(value):
    with pytest.raises(ValidationError):
        validators.validate_finite(value)


def test_slack_channel_blank_is_left_to_the_field():
    validators.validate_slack_channel("")

