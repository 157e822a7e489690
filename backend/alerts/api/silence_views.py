"""Silences and maintenance windows (docs/architecture.md §10): managers add, change, expire,
extend and delete them; viewers see them. Ending one sends at once the one message each alert it
held is owed (the minute's sweep would, a little later)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.lookups import IdLookupMixin
from core.permissions import ModelPermissions, perm
from core.schema import VALIDATION_ERROR, ErrorSerializer

from ..models import MaintenanceWindow, Silence, SilenceState
from ..services import lifecycle, silences
from . import silence_serializers as ss
from .filters import SilenceFilter

VIEW_SILENCES = perm(Silence, "view")
CHANGE_SILENCES = perm(Silence, "change")
EXPIRED = OpenApiResponse(ErrorSerializer, description="The silence has expired already.")


@extend_schema_view(
    list=extend_schema(summary="List silences, newest start first"),
    retrieve=extend_schema(summary="Get a silence"),
    create=extend_schema(summary="Add a silence"),
    update=extend_schema(summary="Replace a silence"),
    partial_update=extend_schema(summary="Change some of a silence"),
    destroy=extend_schema(summary="Delete a silence",
                          description="What it held and is still open is notified once, as when it expires."),
)
class SilenceViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """Silences: alerts matching their matchers between starts_at and ends_at are opened and recorded,
    not notified (each delivery recorded as skipped). When one ends and its alert is still open, one
    message goes out; a resolve during it is not sent."""

    permission_classes = [ModelPermissions]
    required_permissions = {"expire": [CHANGE_SILENCES], "extend": [CHANGE_SILENCES], "preview": [VIEW_SILENCES]}
    serializer_class = ss.SilenceSerializer
    filterset_class = SilenceFilter
    queryset = Silence.objects.all()

    def get_queryset(self):
        return Silence.objects.select_related("created_by").order_by("-starts_at", "-id")

    def perform_create(self, serializer):
        alert = serializer.validated_data.pop("from_alert", None)
        silence = serializer.save(created_by=self.request.user)
        if alert is not None:
            lifecycle.record_silenced(alert=alert, silence=silence, user=self.request.user)

    def perform_update(self, serializer):
        serializer.validated_data.pop("from_alert", None)
        serializer.save()
        lifecycle.release_held_alerts_on_commit()

    def perform_destroy(self, instance):
        instance.delete()
        lifecycle.release_held_alerts_on_commit()

    @extend_schema(summary="Expire a silence now", request=None,
                   description="Its end becomes now (a pending one never begins). What it held and is still open "
                   "is notified once.", responses={200: ss.SilenceSerializer, 409: EXPIRED})
    @action(detail=True, methods=["post"])
    def expire(self, request, pk=None):
        silence = self.get_object()
        now = timezone.now()
        fields = {"ends_at": now, "updated_at": now}
        if silence.state_at(now) == SilenceState.PENDING:
            fields["starts_at"] = now
        # Compare-and-set on its end: two people expiring it at once both see it expired, once.
        changed = Silence.objects.filter(pk=silence.pk, ends_at=silence.ends_at, ends_at__gt=now).update(**fields)
        if not changed:
            return Response({"detail": f"Silence {silence.pk} has expired already."}, status=status.HTTP_409_CONFLICT)
        lifecycle.release_held_alerts_on_commit()
        expired = self.get_queryset().get(pk=silence.pk)
        audit.record_update(expired, {"starts_at": (silence.starts_at, expired.starts_at),
                                      "ends_at": (silence.ends_at, expired.ends_at)})
        return Response(ss.SilenceSerializer(expired).data)

    @extend_schema(summary="Extend a silence", request=ss.SilenceExtendSerializer,
                   description="To a later ends_at, or by a number of minutes after its current end.",
                   responses={200: ss.SilenceSerializer, 400: VALIDATION_ERROR, 409: EXPIRED})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        silence = self.get_object()
        if silence.state_at(timezone.now()) == SilenceState.EXPIRED:
            return Response({"detail": f"Silence {silence.pk} has expired: add a new one."},
                            status=status.HTTP_409_CONFLICT)
        serializer = ss.SilenceExtendSerializer(data=request.data, context={"silence": silence})
        serializer.is_valid(raise_exception=True)
        Silence.objects.filter(pk=silence.pk).update(ends_at=serializer.validated_data["ends_at"],
                                                     updated_at=timezone.now())
        extended = self.get_queryset().get(pk=silence.pk)
        audit.record_update(extended, {"ends_at": (silence.ends_at, extended.ends_at)})
        return Response(ss.SilenceSerializer(extended).data)

    @extend_schema(
        summary="Which open alerts would these matchers silence?",
        description="Before saving a silence (or a maintenance window): the open alerts its matchers match now. "
        "Changes nothing.",
        request=ss.SilencePreviewInputSerializer, responses={200: ss.SilencePreviewSerializer, 400: VALIDATION_ERROR},
    )
    @action(detail=False, methods=["post"], pagination_class=None, filterset_class=None)
    def preview(self, request):
        serializer = ss.SilencePreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count, alerts = silences.open_alerts_matching(serializer.validated_data["matchers"])
        return Response(ss.SilencePreviewSerializer({"count": count, "alerts": alerts}).data)


@extend_schema_view(
    list=extend_schema(summary="List maintenance windows"),
    retrieve=extend_schema(summary="Get a maintenance window"),
    create=extend_schema(summary="Add a maintenance window"),
    update=extend_schema(summary="Replace a maintenance window"),
    partial_update=extend_schema(summary="Change some of a maintenance window"),
    destroy=extend_schema(summary="Delete a maintenance window"),
)
class MaintenanceWindowViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """Recurring silences: on the given weekdays, from start_time to end_time in a time zone (e.g. every
    Sunday 02:00-04:00 Europe/Berlin), alerts matching the matchers are not notified."""

    permission_classes = [ModelPermissions]
    serializer_class = ss.MaintenanceWindowSerializer
    queryset = MaintenanceWindow.objects.all()

    def get_queryset(self):
        return MaintenanceWindow.objects.select_related("created_by").order_by("id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)

    def perform_update(self, serializer):
        serializer.save()
        lifecycle.release_held_alerts_on_commit()

    def perform_destroy(self, instance):
        instance.delete()
        lifecycle.release_held_alerts_on_commit()
