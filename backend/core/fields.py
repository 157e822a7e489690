import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as ModelValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.expressions import Combinable
from django.db.models.lookups import IsNull
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core import secrets


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


class QueryIntegerField(StrictIntegerField):
    """A whole number in a query string. A blank one (`?days=`) is refused as its schema says, not
    taken as absent (DRF's reading of blank form values)."""

    def get_value(self, dictionary):
        if dictionary.get(self.field_name, None) == "":
            return ""
        return super().get_value(dictionary)


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


# The schema's `pattern` of a free text: DRF refuses NUL characters in every string.
NO_NUL_PATTERN = r"^[^\x00]*$"


def text_field(max_length: int, **kwargs) -> StrictCharField:
    """A free text (a description, notes, a message) of at most `max_length` characters."""
    kwargs.setdefault("help_text", f"At most {max_length:,} characters.")
    # In the constructor's arguments: a serializer's fields are copies made from them.
    kwargs["validators"] = [*kwargs.get("validators", ()), SchemaPattern(NO_NUL_PATTERN)]
    return StrictCharField(max_length=max_length, **kwargs)


# --- Model fields ---------------------------------------------------------------------------------


class SecretDict(dict[str, Any]):
    """The secret settings of a row, decrypted. Its repr (and so its str: the admin, logs, a
    traceback's locals) names the keys, never the values."""

    unreadable = False

    def __repr__(self) -> str:
        return "<secrets: " + (", ".join(sorted(map(str, self))) or "none") + ">"

    __str__ = __repr__


class UnreadableSecrets(SecretDict):
    """What a row holds when no configured key decrypts its secrets: empty, and saved back as the
    token it was, so that configuring the right key again brings them back. Filled in (the secrets
    entered again), it is saved as those."""

    unreadable = True

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


class EncryptedJSONField(models.Field):
    """A dict of secret settings (passwords, tokens), stored encrypted as one token in a text
    column (core.secrets) and decrypted when the row is loaded, as a SecretDict.

    A text column rather than JSONField's: the database only ever holds an opaque token, so none of
    JSONField's key lookups could mean anything, and PostgreSQL's jsonb would gain nothing. The only
    lookup is isnull. The field has no form field (the admin and model forms leave it out: secrets
    are entered through the API, which shows them masked); dumpdata writes the token.
    """

    _pyi_private_set_type: dict[str, Any] | Combinable | None
    _pyi_private_get_type: dict[str, Any]

    description = "A dict of secrets, encrypted"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> SecretDict | None:
        if value is None:
            return None
        if not value:
            return SecretDict()
        try:
            return SecretDict(self._loads(secrets.decrypt(value)))
        except secrets.SecretUnreadable:
            return UnreadableSecrets(value)

    def to_python(self, value: Any) -> SecretDict | None:
        if value is None or isinstance(value, SecretDict):
            return value
        if isinstance(value, dict):
            return SecretDict(value)
        if isinstance(value, str):
            try:
                return SecretDict(self._loads(secrets.decrypt(value)) if value else {})
            except secrets.SecretUnreadable as exc:
                raise ModelValidationError(str(exc), code="unreadable") from None
        raise ModelValidationError("Expected a dict of secret settings.", code="invalid")

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, UnreadableSecrets) and not value:
            return value.token
        if not isinstance(value, dict):
            raise TypeError(f"{type(self).__name__} holds a dict of secret settings, not {type(value).__name__}")
        return secrets.encrypt(json.dumps(value, separators=(",", ":"), sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""

    def get_lookup(self, lookup_name: str) -> Any:
        return IsNull if lookup_name == "isnull" else None

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return None

    @staticmethod
    def _loads(text: str) -> dict[str, Any]:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ModelValidationError("Expected a dict of secret settings.", code="invalid")
        return value
