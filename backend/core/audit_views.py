"""/api/audit/: the configuration changes, newest first, for managers."""

import django_filters
from auditlog.models import LogEntry
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from . import audit
from .filters import UtcIsoDateTimeFilter
from .permissions import ModelPermissions, perm

MAX_TEXT = 150


class AuditEntrySerializer(serializers.ModelSerializer):
    when = serializers.DateTimeField(source="timestamp")
    object_type = serializers.SerializerMethodField(help_text="The model's name, e.g. alertrule, check.")
    object_id = serializers.CharField(source="object_pk")
    object_name = serializers.CharField(source="object_repr", help_text="The object's name when it changed.")
    action = serializers.SerializerMethodField()
    user_name = serializers.SerializerMethodField()
    token_name = serializers.SerializerMethodField(help_text="The API token the change came with, if any.")
    source = serializers.SerializerMethodField()  # type: ignore[assignment]  # a declared field, not Field.source
    address = serializers.CharField(source="remote_addr", allow_null=True, help_text="The client's address.")
    version = serializers.SerializerMethodField(help_text="The object's version this change made, for rules.")
    changes = serializers.SerializerMethodField(
        help_text="Field -> [old, new]; a secret reads as (secret): changed, never its value. A many-to-many "
        "field lists the objects removed (old) and added (new)."
    )

    class Meta:
        model = LogEntry
        fields = ["id", "when", "object_type", "object_id", "object_name", "action", "user_name", "token_name",
                  "source", "address", "version", "changes"]
        read_only_fields = fields

    def get_object_type(self, entry) -> str:
        return entry.content_type.model

    def get_action(self, entry) -> str:
        return audit.ACTIONS.get(entry.action, "update")

    def get_user_name(self, entry) -> str | None:
        return (entry.additional_data or {}).get("user_name") or (entry.actor.get_username() if entry.actor else None)

    def get_token_name(self, entry) -> str | None:
        return (entry.additional_data or {}).get("token_name")

    def get_source(self, entry) -> str:
        return (entry.additional_data or {}).get("source") or audit.SYSTEM

    def get_version(self, entry) -> int | None:
        return (entry.additional_data or {}).get("version")

    def get_changes(self, entry) -> dict[str, list]:
        return audit.entry_changes(entry)


class AuditFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(
        field_name="content_type__model", max_length=MAX_TEXT, help_text="e.g. alertrule, notificationchannel."
    )
    object_id = django_filters.CharFilter(field_name="object_pk", max_length=MAX_TEXT)
    user = django_filters.CharFilter(method="filter_user", max_length=MAX_TEXT, help_text="A user name.")
    source = django_filters.ChoiceFilter(choices=[(s, s) for s in audit.SOURCES], method="filter_source")
    since = UtcIsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="timestamp", lookup_expr="lte")

    class Meta:
        model = LogEntry
        fields: list[str] = []

    def filter_user(self, queryset, name, value):
        return queryset.filter(additional_data__user_name=value)

    def filter_source(self, queryset, name, value):
        return queryset.filter(additional_data__source=value)


@extend_schema_view(list=extend_schema(
    summary="List configuration changes",
    description="Every change to rules, channels, policies, silences, maintenance windows, inhibition rules, checks "
    "and data sources: who (user, token), when, from where (api, dashboard, admin, import, provisioning, system) "
    "and the field diff. Newest first. For managers.",
))
class AuditViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [ModelPermissions]
    required_permissions = {"list": [perm(LogEntry, "view")]}
    serializer_class = AuditEntrySerializer
    filterset_class = AuditFilter
    queryset = LogEntry.objects.all()

    def get_queryset(self):
        return (
            LogEntry.objects.exclude(action=LogEntry.Action.ACCESS)
            .select_related("content_type", "actor").order_by("-timestamp", "-id")
        )

