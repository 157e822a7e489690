"""Query-string filters that refuse what they cannot read (a 400), instead of ignoring it."""

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from .lookups import MAX_ID


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object id in a query string (`?rule=12`)."""

    # The stubs say a NumberFilter's field is a DecimalField; django-filter takes any number field.
    field_class = forms.IntegerField  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _as_bool(value: str) -> bool:
    return value in ("true", "1")


@extend_schema_field({"type": "string", "enum": ["true", "false", "1", "0"]})
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """`true` or `false` (also `1` or `0`); anything else is a 400, not "no filter"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", _as_bool)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, in UTC before it reaches the database: PostgreSQL refuses offsets past
    ±15:59 (ISO allows more), and a time past the calendar's ends is a 400, not an overflow."""

    def to_python(self, value):
        try:
            value = super().to_python(value)
            return None if value is None else value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("Enter a date and time between the years 1 and 9999.", code="invalid") from None


class OrderingFilter(django_filters.OrderingFilter):
    """`?ordering=` with its empty entries dropped (`?ordering=,,` is the default order, not none)."""

    def filter(self, qs, value):
        value = [v for v in (value or []) if v]
        return super().filter(qs, value or None)


# Empty (`?until=`) is no filter, as for every filter here.
@extend_schema_field({"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]})
class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
