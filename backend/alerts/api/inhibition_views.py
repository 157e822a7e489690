"""Inhibition rules (docs/architecture.md §10): managers add, change and delete them; viewers see them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.lookups import IdLookupMixin
from core.permissions import ModelPermissions

from ..models import InhibitionRule
from .inhibition_serializers import InhibitionRuleSerializer


@extend_schema_view(
    list=extend_schema(summary="List inhibition rules"),
    retrieve=extend_schema(summary="Get an inhibition rule"),
    create=extend_schema(summary="Add an inhibition rule"),
    update=extend_schema(summary="Replace an inhibition rule"),
    partial_update=extend_schema(summary="Change some of an inhibition rule"),
    destroy=extend_schema(summary="Delete an inhibition rule"),
)
class InhibitionRuleViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """Inhibition rules: while an open alert matching the source matchers fires, alerts matching the
    target matchers with the same values of the `equal` labels are not notified (each delivery recorded
    as skipped, naming the source alert). When the source resolves, nothing is sent at once: the
    target's next reminder goes out as usual."""

    permission_classes = [ModelPermissions]
    serializer_class = InhibitionRuleSerializer
    queryset = InhibitionRule.objects.all()

    def get_queryset(self):
        return InhibitionRule.objects.select_related("created_by").order_by("id")

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)
