"""Serializer of inhibition rules (docs/architecture.md §10). Their rules are the models' validators
(alerts.validators), so the admin and the API refuse the same things."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import NameField, StrictBooleanField, StrictCharField
from core.provisioning import ProvisionedField
from monitoring.labels import LABEL_NAME, LABEL_NAME_MAX_LENGTH, MAX_MATCHERS

from .. import validators
from ..models import InhibitionRule
from .serializers import LabelMatcherSerializer
from .silence_serializers import _django_errors

SOURCE_HELP = ("The alerts that inhibit, over their labels and severity, category, metric and rule (its name): "
               "[{\"label\": \"metric\", \"op\": \"=\", \"value\": \"db_connections\"}]; ops =, !=, =~, !~ (regexes "
               "anchored). At least one, and at least one that does not match an empty value.")
TARGET_HELP = ("The alerts that are inhibited, the same way: [{\"label\": \"metric\", \"op\": \"=~\", \"value\": "
               "\"api_.*\"}].")


@extend_schema_field({
    "type": "array", "maxItems": validators.MAX_INHIBITION_EQUAL, "uniqueItems": True,
    "items": {"type": "string", "pattern": f"^{LABEL_NAME.pattern}$", "maxLength": LABEL_NAME_MAX_LENGTH},
})
class EqualField(serializers.ListField):
    child = StrictCharField(max_length=LABEL_NAME_MAX_LENGTH)


def matchers_field(help_text: str):
    return serializers.ListField(child=LabelMatcherSerializer(), min_length=1, max_length=MAX_MATCHERS,
                                 help_text=help_text)


class InhibitionRuleSerializer(serializers.ModelSerializer):
    """While an open alert matching `source_matchers` fires, alerts matching `target_matchers` with the
    same values of the `equal` labels are not notified (recorded as inhibited)."""

    name = NameField(max_length=100)
    source_matchers = matchers_field(help_text=SOURCE_HELP)
    target_matchers = matchers_field(help_text=TARGET_HELP)
    equal = EqualField(required=False, max_length=validators.MAX_INHIBITION_EQUAL,
                       help_text="Label names whose values must be the same on the source and the target (a label "
                       "both lack counts as the same), e.g. [\"service\"]. None: any source inhibits.")
    is_active = StrictBooleanField(required=False)
    # Not text_field: its pattern and a blank value would make two schemas of one "" (DRF refuses NUL anyway).
    comment = StrictCharField(max_length=validators.MAX_SILENCE_COMMENT_LENGTH, required=False, allow_blank=True,
                              help_text="Why, for the others on call; at most "
                              f"{validators.MAX_SILENCE_COMMENT_LENGTH:,} characters.")
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    provisioned = ProvisionedField()

    class Meta:
        model = InhibitionRule
        fields = ["id", "name", "source_matchers", "target_matchers", "equal", "is_active", "comment", "provisioned",
                  "created_by", "created_at", "updated_at"]
        read_only_fields = ["id", "created_by", "created_at", "updated_at"]

    def validate_source_matchers(self, value):
        _django_errors(validators.validate_silence_matchers, value)
        return value

    def validate_target_matchers(self, value):
        _django_errors(validators.validate_silence_matchers, value)
        return value

    def validate_equal(self, value):
        _django_errors(validators.validate_inhibition_equal, value)
        return value

    def validate_comment(self, value):
        return value.strip()
