import re

from django.core.validators import RegexValidator
from rest_framework import serializers
from rest_framework.exceptions import ValidationError


class FiniteFloatField(serializers.FloatField):
    """A finite number. Unlike DRF's FloatField it refuses true and false, which Python would
    otherwise read as 1 and 0."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, as JSON writes them. DRF's BooleanField also takes 0, 1, "yes", "on"...,
    which the schema (type boolean) does not allow."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictCharField(serializers.CharField):
    """A string. DRF's CharField also takes numbers (and turns 0 into "0"); the schema says string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number that is not a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


# Characters that make a name display differently from what it is: C0 and C1 control characters
# and the Unicode bidirectional controls (embeddings, overrides, isolates, marks).
_UNSAFE = "\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
UNSAFE_NAME_CHARACTERS = re.compile(f"[{_UNSAFE}]")
# The schema's `pattern` of a name: none of those characters, and (unless blank is allowed) at
# least one that is not a space.
NAME_PATTERN = f"^[^{_UNSAFE}]*[^{_UNSAFE}\\s][^{_UNSAFE}]*$"
BLANKABLE_NAME_PATTERN = f"^[^{_UNSAFE}]*$"


def validate_name_characters(value: str) -> None:
    found = UNSAFE_NAME_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            f"Must not contain control or bidirectional-text characters (found U+{ord(found.group()):04X})."
        )


class SchemaPattern(RegexValidator):
    """A field's `pattern` in the OpenAPI schema, for a rule that another validator of the field
    checks (with a message that says more than "does not match")."""

    def __call__(self, value):
        pass


class _NamePattern(RegexValidator):
    """The pattern, for the schema; a value with an unsafe character is already refused, with
    the character named, by validate_name_characters."""

    def __call__(self, value):
        if not UNSAFE_NAME_CHARACTERS.search(str(value)):
            super().__call__(value)


class NameField(StrictCharField):
    """A name people read (a rule's, a channel's, a model's): at most `max_length` characters, with
    no control or bidirectional-text character. Leading and trailing spaces are dropped."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(validate_name_characters)
        pattern = BLANKABLE_NAME_PATTERN if self.allow_blank else NAME_PATTERN
        self.validators.append(_NamePattern(pattern, message="Must contain a visible character."))


def text_field(max_length: int, **kwargs) -> StrictCharField:
    """A free text (a description, notes, a message) of at most `max_length` characters."""
    kwargs.setdefault("help_text", f"At most {max_length:,} characters.")
    return StrictCharField(max_length=max_length, **kwargs)
