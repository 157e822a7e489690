"""The alerts API. Views check who may ask and what was sent, then call a service or a selector."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.lookups import IdLookupMixin
from core.permissions import ModelPermissions, perm
from core.schema import ERROR_RESPONSES, VALIDATION_ERROR, ErrorSerializer
from core.throttling import RefundRejectedMixin, UserActionThrottle
from monitoring.middleware import mark_upstream_failure
from monitoring.selectors import catalogue_with_values

from .. import selectors
from ..metrics import AGGREGATIONS
from ..models import AlertHistory, AlertRule, Condition, RuleKind, Severity
from ..services import dry_run, lifecycle, notifications, rules, timeline
from ..services.alert_engine import latest_evaluations, latest_group_evaluations
from ..services.notifiers import all_notifiers
from ..services.tick_lock import engine_status
from ..validators import metric_name_warnings
from . import serializers as s
from .filters import AlertHistoryFilter, AlertRuleFilter
from .timeline_serializers import TimelineSerializer

VIEW_RULES = perm(AlertRule, "view")
CHANGE_RULES = perm(AlertRule, "change")
VIEW_HISTORY = perm(AlertHistory, "view")
CHANGE_HISTORY = perm(AlertHistory, "change")
CATALOGUE_WINDOW_MINUTES = 5


def _saving(call):
    """Run a service call; a Django ValidationError it raises is a 400 with its fields."""
    try:
        return call()
    except DjangoValidationError as error:
        raise s.django_errors(error) from None


@extend_schema_view(
    list=extend_schema(summary="List alert rules", responses={200: s.AlertRuleSerializer(many=True)}),
    retrieve=extend_schema(summary="Get an alert rule", responses={200: s.AlertRuleSerializer}),
    create=extend_schema(
        summary="Create an alert rule", request=s.AlertRuleInputSerializer,
        responses={201: s.AlertRuleSavedSerializer, 400: VALIDATION_ERROR},
    ),
    update=extend_schema(
        summary="Replace an alert rule", request=s.AlertRuleInputSerializer,
        responses={200: s.AlertRuleSavedSerializer, 400: VALIDATION_ERROR},
    ),
    partial_update=extend_schema(
        summary="Change some of an alert rule", request=s.AlertRuleInputSerializer,
        responses={200: s.AlertRuleSavedSerializer, 400: VALIDATION_ERROR},
    ),
    destroy=extend_schema(
        summary="Delete an alert rule",
        description="Its alert history stays, with the rule's name; an open alert is resolved first.",
        responses={204: None},
    ),
)
class AlertRuleViewSet(IdLookupMixin, viewsets.ModelViewSet):
    """Alert rules with their evaluation state."""

    permission_classes = [ModelPermissions]
    required_permissions = {"evaluate": [VIEW_RULES], "evaluate_draft": [VIEW_RULES], "versions": [VIEW_RULES],
                            "restore": [CHANGE_RULES]}
    filterset_class = AlertRuleFilter
    serializer_class = s.AlertRuleSerializer
    queryset = AlertRule.objects.all()

    def get_queryset(self):
        return selectors.rules_for_api()

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        if self.action in ("list", "retrieve", "create", "update", "partial_update"):
            context["evaluations"] = latest_evaluations()
            context["group_evaluations"] = latest_group_evaluations()
            context["open_alerts_by_group"] = selectors.open_alerts_by_group()
        return context

    def _answer(self, rule, code=status.HTTP_200_OK):
        data = s.AlertRuleSerializer(rule, context=self.get_serializer_context()).data
        warnings = metric_name_warnings(rule.metric_name) if rule.kind == RuleKind.METRIC else []
        return Response({**data, "warnings": warnings}, status=code)

    def create(self, request, *args, **kwargs):
        serializer = s.AlertRuleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = _saving(lambda: rules.create_rule(user=request.user, **serializer.validated_data))
        return self._answer(rule, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        rule = self.get_object()
        serializer = s.AlertRuleInputSerializer(rule, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        rule = _saving(lambda: rules.update_rule(rule=rule, user=request.user, **serializer.validated_data))
        return self._answer(rule)

    def perform_destroy(self, instance):
        rules.delete_rule(rule=instance, user=self.request.user)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="A rule's versions",
        description="Newest first: each change to the rule (one request, one import) is a version, numbered from 1 "
        "(as created), with who made it, when, from where and its diff against the version before.",
        responses={200: s.RuleVersionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request, pk=None):
        rule = self.get_object()
        found = list(reversed(audit.versions(AlertRule, rule.pk)))
        return Response(s.RuleVersionSerializer(found, many=True).data)

    @extend_schema(
        summary="Restore a version of a rule",
        description="Sets the rule's configuration to that version's, validated as an edit would be (a 400 when it "
        "no longer is, e.g. its channel was deleted); recorded as a new version by whoever restores it.",
        request=None,
        responses={200: s.AlertRuleSavedSerializer, 400: VALIDATION_ERROR, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>[0-9]{1,9})/restore")
    def restore(self, request, pk=None, number=None):
        rule = self.get_object()
        wanted = next((v for v in audit.versions(AlertRule, rule.pk) if v.number == int(number or 0)), None)
        if wanted is None:
            return Response({"detail": f"Rule {rule.pk} has no version {number}."}, status=status.HTTP_404_NOT_FOUND)
        writable = set(s.AlertRuleInputSerializer.Meta.fields)
        data = {name: value for name, value in wanted.fields.items() if name in writable}
        if "channels" in writable:
            data["channels"] = wanted.m2m.get("channels", [])
        serializer = s.AlertRuleInputSerializer(rule, data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = _saving(lambda: rules.update_rule(rule=rule, user=request.user, **serializer.validated_data))
        return self._answer(rule)

    @extend_schema(
        summary="Evaluate the rule now (dry run)",
        description="The value for the rule's window and aggregation, the points it was computed from, "
        "whether the condition holds and what the engine would do. Changes nothing.",
        request=None,
        responses={200: s.EvaluationSerializer},
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        rule = self.get_object()
        return Response(s.EvaluationSerializer(dry_run.evaluate(rule)).data)

    @extend_schema(
        operation_id="alerts_rules_evaluate_draft",
        summary="Evaluate a rule before saving it (dry run)",
        description="The fields of a rule being created or edited, validated as saving them would be (a 400 with "
        "a message per field otherwise), evaluated now as the engine would: the value, the points, whether the "
        "condition holds and what the engine would do. With `rule_id`, the fields change that saved rule, and the "
        "dry run sees its state and open alert. Nothing is saved, nobody is notified.",
        request=s.AlertRuleDraftSerializer,
        responses={200: s.EvaluationSerializer, 400: VALIDATION_ERROR},
    )
    @action(detail=False, methods=["post"], url_path="evaluate", url_name="evaluate-draft")
    def evaluate_draft(self, request):
        serializer = s.AlertRuleDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("rule_id", None)
        fields.pop("channels", None)  # where it would notify does not change what it evaluates
        report = dry_run.evaluate_draft(saved=serializer.instance, fields=fields)
        return Response(s.EvaluationSerializer(report).data)


@extend_schema_view(
    list=extend_schema(summary="List alerts (newest first)"),
    retrieve=extend_schema(summary="Get an alert with its notification deliveries"),
)
class AlertHistoryViewSet(IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The alert history: every alert, open or resolved, with how it was resolved."""

    permission_classes = [ModelPermissions]
    required_permissions = {"resolve": [CHANGE_HISTORY], "acknowledge": [CHANGE_HISTORY],
                            "unacknowledge": [CHANGE_HISTORY]}
    filterset_class = AlertHistoryFilter
    queryset = AlertHistory.objects.all()
    _DETAIL_ACTIONS = ("retrieve", "resolve", "acknowledge", "unacknowledge")

    def get_queryset(self):
        return selectors.alerts_for_api(with_deliveries=self.action in self._DETAIL_ACTIONS)

    def get_serializer_class(self):
        if self.action in self._DETAIL_ACTIONS:
            return s.AlertHistoryDetailSerializer
        return s.AlertHistorySerializer

    @extend_schema(
        summary="Resolve an alert with notes",
        request=s.ResolveSerializer,
        responses={
            200: s.AlertHistoryDetailSerializer,
            400: VALIDATION_ERROR,
            409: OpenApiResponse(ErrorSerializer, description="The alert is already resolved."),
        },
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        alert = self.get_object()
        serializer = s.ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            lifecycle.resolve_by_person(alert=alert, user=request.user, notes=serializer.validated_data["notes"])
        except lifecycle.AlertAlreadyResolved as error:
            resolved = error.alert
            who = resolved.resolved_by.get_username() if resolved.resolved_by else "the system"
            when = resolved.resolved_at.isoformat() if resolved.resolved_at else "earlier"
            return Response(
                {"detail": f"Alert {resolved.pk} is already resolved (by {who} at {when})."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(s.AlertHistoryDetailSerializer(self.get_queryset().get(pk=alert.pk)).data)


    @extend_schema(
        summary="Acknowledge an alert: you have it",
        description="Recorded with who, when and the comment; its reminders stop (the resolve is still sent) and "
        "its channels hear it once (PagerDuty and Opsgenie acknowledge it). Acknowledging it again changes nothing.",
        request=s.AcknowledgeSerializer,
        responses={
            200: s.AlertHistoryDetailSerializer,
            400: VALIDATION_ERROR,
            409: OpenApiResponse(ErrorSerializer, description="The alert is resolved."),
        },
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = self.get_object()
        serializer = s.AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = serializer.validated_data.get("comment", "").strip()
        try:
            lifecycle.acknowledge(alert=alert, user=request.user, comment=comment)
        except lifecycle.AlertAlreadyResolved as error:
            return self._resolved_conflict(error.alert, "acknowledged")
        return Response(s.AlertHistoryDetailSerializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(
        summary="Unacknowledge an alert: give it back",
        description="Its reminders resume, the next one a cooldown from now. Channels are not told.",
        request=None,
        responses={
            200: s.AlertHistoryDetailSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The alert is resolved."),
        },
    )
    @action(detail=True, methods=["post"])
    def unacknowledge(self, request, pk=None):
        alert = self.get_object()
        try:
            lifecycle.unacknowledge(alert=alert, user=request.user)
        except lifecycle.AlertAlreadyResolved as error:
            return self._resolved_conflict(error.alert, "unacknowledged")
        return Response(s.AlertHistoryDetailSerializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(
        summary="An alert's timeline: what happened to it and every message about it, oldest first",
        description="Its events (opened, acknowledged, unacknowledged, silenced, escalated, flapping, resolved: who "
        "and how) and its deliveries (which message, which channel, what became of it) in one list. An alert from "
        "before events were recorded gets its opened, acknowledged and resolved entries from its own fields.",
        responses={200: TimelineSerializer},
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        return Response(TimelineSerializer(timeline.alert_timeline(self.get_object())).data)

    @staticmethod
    def _resolved_conflict(resolved, what: str) -> Response:
        who = resolved.resolved_by.get_username() if resolved.resolved_by else "the system"
        when = resolved.resolved_at.isoformat() if resolved.resolved_at else "earlier"
        return Response(
            {"detail": f"Alert {resolved.pk} is resolved (by {who} at {when}): it cannot be {what}."},
            status=status.HTTP_409_CONFLICT,
        )


class StatsView(APIView):
    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_HISTORY]}

    @extend_schema(
        summary="Alert statistics over the last N days",
        parameters=[s.StatsQuerySerializer],
        responses={200: s.StatsSerializer},
    )
    def get(self, request):
        query = s.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        until = timezone.now()
        stats = selectors.alert_stats(since=until - timedelta(days=days), until=until)
        return Response(s.StatsSerializer({"days": days, **stats, "engine": engine_status()}).data)


_TEST_SEND_STATUS = {
    notifications.TestSendStatus.SENT: status.HTTP_200_OK,
    notifications.TestSendStatus.NOT_CONFIGURED: status.HTTP_400_BAD_REQUEST,
    notifications.TestSendStatus.FAILED: status.HTTP_502_BAD_GATEWAY,
}

_TEST_SEND_RESPONSES = {
    200: OpenApiResponse(s.TestSendResultSerializer, description="Sent; `delivery` is its record."),
    400: OpenApiResponse(
        {
            "anyOf": [
                {"$ref": "#/components/schemas/TestSendResult"},
                {"type": "object", "additionalProperties": {}},
            ]
        },
        description="The channel is not configured (`status: not_configured`, recorded as skipped), or a field "
        "is invalid (a message per field; nothing recorded).",
    ),
    429: ERROR_RESPONSES[429],
    502: OpenApiResponse(
        s.TestSendResultSerializer, description="Slack or the mail server refused or could not be reached; `detail` "
        "has its answer.",
    ),
}


def _test_send_response(outcome) -> Response:
    if outcome.status == notifications.TestSendStatus.INVALID:
        return Response(outcome.field_errors, status=status.HTTP_400_BAD_REQUEST)
    body = {"status": outcome.status, "detail": outcome.detail, "delivery": outcome.delivery}
    response = Response(s.TestSendResultSerializer(body).data, status=_TEST_SEND_STATUS[outcome.status])
    if outcome.status == notifications.TestSendStatus.FAILED:
        mark_upstream_failure(response)  # a delivery failure, not an error of this server
    return response


class TestSlackView(RefundRejectedMixin, APIView):
    """Send a test message to Slack now."""

    permission_classes = [ModelPermissions]
    required_permissions = {"POST": [CHANGE_RULES]}
    throttle_classes = [UserActionThrottle]

    @extend_schema(summary="Send a test message to Slack", request=s.TestSlackSerializer,
                   responses=_TEST_SEND_RESPONSES)
    def post(self, request):
        serializer = s.TestSlackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = notifications.send_test_slack(
            message=data.get("message"), channel=data.get("channel") or None, user=request.user
        )
        return _test_send_response(outcome)


class TestEmailView(RefundRejectedMixin, APIView):
    """Send a test email now."""

    permission_classes = [ModelPermissions]
    required_permissions = {"POST": [CHANGE_RULES]}
    throttle_classes = [UserActionThrottle]

    @extend_schema(summary="Send a test email", request=s.TestEmailSerializer, responses=_TEST_SEND_RESPONSES)
    def post(self, request):
        serializer = s.TestEmailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = notifications.send_test_email(recipient=data["recipient"], message=data.get("message"),
                                                user=request.user)
        return _test_send_response(outcome)


class TriggerView(RefundRejectedMixin, APIView):
    """Fire a rule's alert now, by hand."""

    permission_classes = [ModelPermissions]
    required_permissions = {"POST": [CHANGE_RULES]}
    throttle_classes = [UserActionThrottle]

    @extend_schema(
        summary="Trigger a rule's alert by hand",
        request=s.TriggerSerializer,
        responses={
            201: s.AlertHistoryDetailSerializer,
            400: VALIDATION_ERROR,
            404: OpenApiResponse(ErrorSerializer, description="No rule with that id."),
            409: OpenApiResponse(s.AlreadyActiveSerializer, description="The rule already has an active alert."),
            429: ERROR_RESPONSES[429],
        },
    )
    def post(self, request):
        serializer = s.TriggerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = get_object_or_404(AlertRule, pk=data["rule_id"])
        try:
            alert = lifecycle.trigger_by_hand(rule=rule, user=request.user, message=data.get("message", "").strip())
        except lifecycle.AlertAlreadyActive as error:
            return Response(
                s.AlreadyActiveSerializer({"detail": str(error), "alert_id": error.alert_id}).data,
                status=status.HTTP_409_CONFLICT,
            )
        alert = selectors.alerts_for_api(with_deliveries=True).get(pk=alert.pk)
        return Response(s.AlertHistoryDetailSerializer(alert).data, status=status.HTTP_201_CREATED)


class MetricCatalogueView(APIView):
    """The metrics a rule can watch, with their current values, and the choices a rule form needs."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_RULES]}

    @extend_schema(summary="The metric catalogue with current values", responses={200: s.MetricCatalogueSerializer})
    def get(self, request):
        body = {
            **catalogue_with_values(minutes=CATALOGUE_WINDOW_MINUTES),
            "aggregations": list(AGGREGATIONS),
            "conditions": [{"value": c.value, "label": c.label} for c in Condition],
            "severities": [{"value": c.value, "label": c.label} for c in Severity],
        }
        return Response(s.MetricCatalogueSerializer(body).data)


class IntegrationsView(APIView):
    """Whether each notification channel can send here. Names the missing setting, never a value."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_RULES]}

    @extend_schema(summary="Notification channels and whether they are configured",
                   responses={200: s.IntegrationsSerializer})
    def get(self, request):
        channels = []
        # The environment's default channels; every other channel is in /api/alerts/channels/.
        for notifier in (n for n in all_notifiers() if n.has_environment_default):
            problem = notifier.configuration_problem()
            channels.append({"name": notifier.name, "label": notifier.label, "configured": not problem,
                             "problem": problem})
        body = {
            "channels": channels,
            "slack_default_channel": settings.SLACK_DEFAULT_CHANNEL,
            "summary_recipients": len(settings.ALERT_SUMMARY_RECIPIENTS),
        }
        return Response(s.IntegrationsSerializer(body).data)


class MetricHealthView(APIView):
    """How each metric stands against the active rules that watch it, for the dashboard's status
    cards: counted now from the rules' states (one grouped query)."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_RULES]}

    @extend_schema(
        summary="Each watched metric's health from its active rules",
        responses={200: s.MetricHealthListSerializer},
    )
    def get(self, request):
        return Response(s.MetricHealthListSerializer({"metrics": selectors.metric_health()}).data)


class OpenAlertsView(APIView):
    """Open alerts by severity, for the dashboard's badge. Counted now (one grouped query on an
    indexed column), not read from the five-minute cache, so a resolved alert leaves the count at
    once."""

    permission_classes = [ModelPermissions]
    required_permissions = {"GET": [VIEW_HISTORY]}

    @extend_schema(summary="Open alerts by severity", responses={200: s.OpenAlertsSerializer})
    def get(self, request):
        by_severity = selectors.count_open_alerts_by_severity()
        return Response(s.OpenAlertsSerializer({"total": sum(by_severity.values()), "by_severity": by_severity}).data)

