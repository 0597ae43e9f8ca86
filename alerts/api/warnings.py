"""The early warning's API: ``/api/v1/alerts/warnings/`` (scoped list, filters, detail with
timeline, ``POST …/{id}/actions/{acknowledge|deal}/`` with ``version`` — idempotent with an
``Idempotency-Key``, 409 on a stale version) and ``/api/v1/alerts/patrol-quality/``."""

import datetime as dt

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts.models import Warning, WarningEvent, WarningStatus
from alerts.models.warnings import ACTIVE_STATUSES, Severity
from alerts.warnings.queries import (
    bad_query,
    home_node,
    kind_names,
    may_read,
    parse_week,
    readable,
)
from alerts.warnings.reverse import patrol_quality, week_start
from alerts.warnings.settings import warning_settings
from alerts.warnings.workflow import EVENT_NAMES, WARNINGS, allowed_actions
from gridgov.api import WorkflowActions, action_schema
from gridgov.timeline import TimelineEventSerializer
from org.queries import query_node

# -- serializers ------------------------------------------------------------------------------


class WarningSerializer(serializers.ModelSerializer):
    kind_name = serializers.SerializerMethodField()
    node_code = serializers.CharField(source="node.code")
    node_name = serializers.CharField(source="node.name")
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Warning
        fields = [
            "id",
            "kind",
            "kind_name",
            "subject",
            "node_code",
            "node_name",
            "owner_name",
            "title",
            "reason",
            "severity",
            "figures",
            "evidence_url",
            "first_seen",
            "last_seen",
            "status",
            "version",
            "created_at",
            "acknowledged_at",
            "dealt_at",
            "dealt_note",
        ]

    def get_kind_name(self, warning) -> str:
        names = self.context.setdefault("kind_names", kind_names())
        return names.get(warning.kind, warning.kind)

    def get_owner_name(self, warning) -> str:
        owner = warning.owner
        return (owner.display_name or owner.username) if owner else ""


class WarningEventSerializer(TimelineEventSerializer):
    names = EVENT_NAMES

    class Meta:
        model = WarningEvent
        fields = TimelineEventSerializer.Meta.fields


class WarningDetailSerializer(WarningSerializer):
    events = WarningEventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(WarningSerializer.Meta):
        fields = [*WarningSerializer.Meta.fields, "events", "allowed_actions"]

    def get_allowed_actions(self, warning) -> list[str]:
        return self.context.get("allowed_actions", [])


class WarningActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="预警的当前版本（过期则 409）")
    note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="处置时必填"
    )


class PatrolQualityRowSerializer(serializers.Serializer):
    grid_code = serializers.CharField()
    grid_name = serializers.CharField()
    hotline = serializers.IntegerField(help_text="本周热线案件数")
    covered = serializers.IntegerField(help_text="其中巡查、走访或网格员上报先已发现的")
    score = serializers.IntegerField(allow_null=True, help_text="covered / hotline，百分比")


class PatrolQualitySerializer(serializers.Serializer):
    node_code = serializers.CharField()
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    lookback_days = serializers.IntegerField()
    grids = PatrolQualityRowSerializer(many=True)


# -- filters ------------------------------------------------------------------------------------


class WarningFilterSet(django_filters.FilterSet):
    kind = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(
        choices=[("active", "未处置"), *WarningStatus.choices], method="filter_status"
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    node = django_filters.CharFilter(method="filter_node", label="节点编码（含下级）")
    seen_after = django_filters.DateFilter(field_name="last_seen", lookup_expr="gte")
    seen_before = django_filters.DateFilter(field_name="last_seen", lookup_expr="lte")

    class Meta:
        model = Warning
        fields = ["kind", "status", "severity"]

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset.filter(status=value)

    def filter_node(self, queryset, name, value):
        # An unknown code or one outside the user's scope is a 400, never an empty list.
        node = query_node(self.request.user, {name: value}, name)
        return queryset.filter(node__code__startswith=node.code)


# -- views ----------------------------------------------------------------------------------------


@extend_schema_view(act=action_schema(WARNINGS, WarningActionSerializer, WarningDetailSerializer))
class WarningViewSet(
    WorkflowActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Early warnings (每日研判) in the user's scope: their node's and every node's below."""

    workflow = WARNINGS
    action_serializer_class = WarningActionSerializer
    lookup_value_regex = r"\d+"
    filterset_class = WarningFilterSet
    serializer_class = WarningSerializer

    def get_queryset(self):
        warnings = (
            readable(Warning.objects.restrict(self.request.user), self.request.user)
            .select_related("node", "owner")
            .order_by("-last_seen", "-pk")
        )
        if self.action in ("retrieve", "act"):
            warnings = warnings.prefetch_related(
                Prefetch("events", WarningEvent.objects.order_by("at", "pk"))
            )
        return warnings

    def get_serializer_class(self):
        return WarningDetailSerializer if self.action == "retrieve" else WarningSerializer

    def retrieve(self, request, *args, **kwargs):
        warning = self.get_object()
        context = {"allowed_actions": allowed_actions(request.user, warning)}
        return Response(WarningDetailSerializer(warning, context=context).data)


class PatrolQualityView(APIView):
    """The weekly patrol-quality score of the grids under a node (``alerts.warnings.reverse``):
    the share of the week's hotline cases that a patrol, visit or grid report of the grid
    had seen first, lowest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("node", str, description="节点编码，默认为本人所在节点"),
            OpenApiParameter("week", str, description="该周内任一天 YYYY-MM-DD，默认本周"),
        ],
        responses={200: PatrolQualitySerializer},
    )
    def get(self, request):
        reason = bad_query(request.query_params)
        if reason:
            return Response({"code": "invalid", "detail": reason}, status=400)
        node = query_node(request.user, request.query_params, "node") or home_node(request.user)
        if node is None:  # no seat, nothing in sight
            raise NotFound("没有这个节点，或不在您的管辖范围内")
        if not may_read(request.user, node.code):
            raise PermissionDenied("没有权限查看该节点的巡查质量")
        monday = week_start(parse_week(request.query_params.get("week"), timezone.localdate()))
        data = {
            "node_code": node.code,
            "week_start": monday,
            "week_end": monday + dt.timedelta(days=6),
            "lookback_days": warning_settings().lookback_days,
            "grids": patrol_quality(node.code, monday),
        }
        return Response(PatrolQualitySerializer(data).data)
