"""Notification channels and policies: managers add, change, test and delete them; viewers see
them (never a secret)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit, provisioning
from core.lookups import IdLookupMixin
from core.permissions import ModelPermissions, perm
from core.schema import VALIDATION_ERROR, ErrorSerializer
from core.throttling import UserActionThrottle

from ..models import AlertRule, DeliveryStatus, NotificationChannel, NotificationDelivery, NotificationPolicy
from ..services import channels, notifications
from ..services.notifiers import NOTIFIERS
from . import channel_serializers as cs
from .serializers import TestSendResultSerializer
from .views import _test_send_response

VIEW_CHANNELS = perm(NotificationChannel, "view")
CHANGE_CHANNELS = perm(NotificationChannel, "change")
VIEW_POLICIES = perm(NotificationPolicy, "view")
CHANGE_POLICIES = perm(NotificationPolicy, "change")
STATS_DAYS = 7
RECENT_DELIVERIES = 50

NAME_TAKEN = OpenApiResponse(VALIDATION_ERROR.response, description="Another channel has this name.")


def channel_stats(*, now=None) -> dict[int, dict]:
    """Per channel id: its deliveries of the last 7 days by status, and its last delivery's time."""
    since = (now or timezone.now()) - timedelta(days=STATS_DAYS)
    rows = (
        NotificationDelivery.objects.filter(created_at__gte=since, notification_channel__isnull=False)
        .values("notification_channel")
        .annotate(
            sent=Count("id", filter=Q(status=DeliveryStatus.SENT)),
            failed=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
            skipped=Count("id", filter=Q(status=DeliveryStatus.SKIPPED)),
            pending=Count("id", filter=Q(status=DeliveryStatus.PENDING)),
            last_delivery_at=Max("created_at"),
        )
        .order_by()
    )
    return {row["notification_channel"]: {k: v for k, v in row.items() if k != "notification_channel"} for row in rows}


@extend_schema_view(
    list=extend_schema(summary="List notification channels"),
    retrieve=extend_schema(summary="Get a notification channel"),
    create=extend_schema(summary="Add a notification channel",
                         responses={201: cs.NotificationChannelSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    update=extend_schema(summary="Replace a notification channel's settings",
                         responses={200: cs.NotificationChannelSerializer, 400: VALIDATION_ERROR, 409: NAME_TAKEN}),
    partial_update=extend_schema(summary="Change some of a notification channel",
                                 responses={200: cs.NotificationChannelSerializer, 400: VALIDATION_ERROR,
                                            409: NAME_TAKEN}),
    destroy=extend_schema(
        summary="Delete a notification channel",
        description="Its deliveries stay, with its name. The default Slack and email channels cannot be deleted.",
        responses={204: None, 409: OpenApiResponse(ErrorSerializer, description="A default channel.")},
    ),
)
class NotificationChannelViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """Where notifications go: Slack workspaces, email, webhooks, PagerDuty, ..."""

    permission_classes = [ModelPermissions]
    required_permissions = {"kinds": [VIEW_CHANNELS], "deliveries": [VIEW_CHANNELS], "test": [CHANGE_CHANNELS]}
    serializer_class = cs.NotificationChannelSerializer
    queryset = NotificationChannel.objects.all()

    def get_queryset(self):
        # The default channels exist (they are what a rule's slack_enabled and email_enabled mean).
        for kind in channels.BUILTIN_NAMES:
            channels.default_channel(kind)
        return NotificationChannel.objects.order_by("name", "id")

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        user = getattr(self.request, "user", None)
        context["may_change"] = bool(user and user.is_authenticated and user.has_perm(CHANGE_CHANNELS))
        if self.action in ("list", "retrieve", "create", "update", "partial_update"):
            context["stats"] = channel_stats()
        return context

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)

    def destroy(self, request, *args, **kwargs):
        channel = self.get_object()
        if channel.builtin:
            return Response(
                {"detail": f"{channel.name} is the environment's default {channel.kind} channel (what a rule's "
                           f"{channel.kind}_enabled means): it cannot be deleted; switch it off instead."},
                status=status.HTTP_409_CONFLICT,
            )
        channel.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="The channel kinds and their settings", responses={200: cs.ChannelKindSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def kinds(self, request):
        body = [notifier_class.declaration() for notifier_class in NOTIFIERS.values()]
        return Response(cs.ChannelKindSerializer(body, many=True).data)

    @extend_schema(
        summary="Send a test message through the channel",
        request=cs.ChannelTestSerializer,
        responses={
            200: OpenApiResponse(TestSendResultSerializer, description="The receiver accepted it."),
            400: OpenApiResponse(TestSendResultSerializer, description="Bad input, or the channel cannot send."),
            502: OpenApiResponse(TestSendResultSerializer, description="The receiver refused it or could not be "
                                 "reached; `detail` has its answer."),
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[UserActionThrottle])
    def test(self, request, pk=None):
        channel = self.get_object()
        serializer = cs.ChannelTestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = notifications.send_test_to_channel(
            channel=channel, target=data.get("target") or None, message=data.get("message"), user=request.user,
        )
        return _test_send_response(outcome)

    @extend_schema(summary="The channel's recent deliveries", responses={200: cs.ChannelDeliveriesSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def deliveries(self, request, pk=None):
        channel = self.get_object()
        rows = NotificationDelivery.objects.filter(notification_channel=channel).order_by("-created_at", "-id")
        return Response(cs.ChannelDeliveriesSerializer({"deliveries": rows[:RECENT_DELIVERIES]}).data)


@extend_schema_view(
    list=extend_schema(summary="List notification policies, in order"),
    retrieve=extend_schema(summary="Get a notification policy"),
    create=extend_schema(summary="Add a notification policy (at the end)"),
    update=extend_schema(summary="Replace a notification policy"),
    partial_update=extend_schema(summary="Change some of a notification policy"),
    destroy=extend_schema(summary="Delete a notification policy"),
)
class NotificationPolicyViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """The routing: an ordered list of policies; an alert goes to the channels of each matching one,
    stopping at the first match that does not say `continue`."""

    permission_classes = [ModelPermissions]
    required_permissions = {"reorder": [CHANGE_POLICIES], "preview": [VIEW_POLICIES]}
    serializer_class = cs.NotificationPolicySerializer
    queryset = NotificationPolicy.objects.all()

    def get_queryset(self):
        return NotificationPolicy.objects.prefetch_related("channels", "escalation_channels").order_by("position", "id")

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)

    @extend_schema(summary="Put the policies in a new order", request=cs.PolicyOrderSerializer,
                   responses={200: cs.NotificationPolicySerializer(many=True), 400: VALIDATION_ERROR})
    @action(detail=False, methods=["post"], pagination_class=None)
    def reorder(self, request):
        serializer = cs.PolicyOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            before = dict(NotificationPolicy.objects.values_list("pk", "position"))
            ranked = NotificationPolicy.objects.order_by("position", "id").values_list("pk", flat=True)
            provisioning.refuse_moving_provisioned(
                NotificationPolicy, {pk: n for n, pk in enumerate(ranked)},
                {pk: n for n, pk in enumerate(serializer.validated_data["order"])})
            for position, policy_id in enumerate(serializer.validated_data["order"]):
                NotificationPolicy.objects.filter(pk=policy_id).update(position=position)
            for policy in NotificationPolicy.objects.all():
                audit.record_update(policy, {"position": (before.get(policy.pk), policy.position)})
        return Response(cs.NotificationPolicySerializer(self.get_queryset(), many=True).data)

    @extend_schema(
        summary="Where would this alert go?",
        description="The channels and targets an alert of a saved rule (rule_id), or one described by severity, "
        "metric, rule name and labels, would be sent to, and why. Sends nothing.",
        request=cs.RoutePreviewInputSerializer, responses={200: cs.RoutePreviewSerializer, 400: VALIDATION_ERROR},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def preview(self, request):
        serializer = cs.RoutePreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = None
        if data.get("rule_id"):
            rule = AlertRule.objects.filter(pk=data["rule_id"]).first()
            if rule is None:
                return Response({"rule_id": [f"No rule with id {data['rule_id']}."]},
                                status=status.HTTP_400_BAD_REQUEST)
        values = channels.routing_labels(
            rule=rule, labels=data.get("labels"), severity=data.get("severity", ""), metric=data.get("metric", ""),
            rule_name=data.get("rule", ""),
        )
        matched = channels.matching_policies(values)
        names = {policy.pk: policy.name for policy in matched}
        routes = []
        for route in channels.routes(rule=rule, values=values, include_inactive=True):
            policy_id = int(route.via.split(":", 1)[1]) if route.via.startswith("policy:") else None
            routes.append({
                "channel_id": route.channel.pk, "channel_name": route.channel.name, "kind": route.channel.kind,
                "target": route.target, "is_active": route.channel.is_active,
                "via": "policy" if policy_id else "rule", "policy_id": policy_id,
                "policy_name": names.get(policy_id, "") if policy_id else "",
            })
        body = {"values": values, "matched_policies": [policy.pk for policy in matched], "routes": routes}
        return Response(cs.RoutePreviewSerializer(body).data)
