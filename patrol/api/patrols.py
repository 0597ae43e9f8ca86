"""The patrol API (``/api/v1/patrol/``): start, end/cancel, track points, findings, the
patrols in scope with their timeline and track, and the week's summary.

Views parse, check access (scope: an out-of-scope patrol is 404), call ``patrol.patrols``
and render. Every POST takes an ``Idempotency-Key``; bad input is 400 in Chinese.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.errors import InvalidInput, NotPermitted
from gridgov.timeline import TimelineEventSerializer
from idempotency.keys import idempotent
from org.codes import subtree_q
from org.permissions import has
from org.queries import query_node
from patrol import standards
from patrol.models.patrols import Finding, FindingKind, Patrol, PatrolEvent, PatrolStatus
from patrol.patrols import (
    PATROLS,
    VERB,
    allowed_actions,
    do_add_points,
    do_patrol_action,
    do_report_finding,
    do_start_patrol,
    hours_of,
    track_points,
)
from patrol.transitions_patrol import EVENT_NAMES

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)
OFFLINE_HELP = (
    "离线时按下按钮的时间（ISO 8601）；无法识别、超过 7 天或晚于现在则按收到时间记录，"
    "并在 time_note 说明（规则：idempotency.offline.field_time）"
)
SENT_HELP = "手机发出这条记录的时间（ISO 8601，手机时钟）；有它时按两者之差校正手机时钟"


class PatrolSerializer(serializers.ModelSerializer):
    grid_code = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    worker_name = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    left_grid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Patrol
        fields = [
            "id",
            "grid_code",
            "grid_name",
            "worker_name",
            "status",
            "started_at",
            "ended_at",
            "hours",
            "point_count",
            "distance_m",
            "left_grid",
            "left_grid_count",
            "left_grid_at",
            "version",
        ]

    def get_worker_name(self, patrol) -> str:
        return patrol.worker.display_name or patrol.worker.username

    def get_hours(self, patrol) -> float:
        return round(hours_of(patrol), 2)


class PatrolEventSerializer(TimelineEventSerializer):
    names = EVENT_NAMES

    class Meta:
        model = PatrolEvent
        fields = [*TimelineEventSerializer.Meta.fields, "data"]


class PatrolFindingSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", default=None, allow_null=True)
    household = serializers.CharField(source="household.code", default=None, allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "kind",
            "text",
            "case",
            "case_number",
            "household",
            "lat",
            "lng",
            "found_at",
            "time_note",
        ]


class PatrolDetailSerializer(PatrolSerializer):
    events = PatrolEventSerializer(many=True, read_only=True)
    findings = PatrolFindingSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(PatrolSerializer.Meta):
        fields = [*PatrolSerializer.Meta.fields, "findings", "events", "allowed_actions"]

    def get_allowed_actions(self, patrol) -> list[str]:
        return self.context.get("allowed_actions", [])


class PatrolStartSerializer(serializers.Serializer):
    grid_code = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="只负责一个网格时可省略",
    )
    offline_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=OFFLINE_HELP
    )
    offline_sent_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=SENT_HELP
    )


class PatrolActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="巡查的 version（过期则 409）")
    offline_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=OFFLINE_HELP
    )
    offline_sent_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=SENT_HELP
    )


class PatrolPointSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(min_value=0, required=False, allow_null=True, help_text="米")
    recorded_at = serializers.CharField(help_text="ISO 8601，或毫秒时间戳")


class PatrolPointsSerializer(serializers.Serializer):
    points = PatrolPointSerializer(many=True, help_text="按时间的一批轨迹点，最多 1000 个")


POINTS_ANSWER = inline_serializer(
    "PatrolPointsAnswer",
    {
        "accepted": serializers.IntegerField(),
        "ignored": serializers.IntegerField(help_text="已收到过或不在巡查时段内的点"),
        "outside": serializers.IntegerField(help_text="本批中网格范围外的点"),
        "point_count": serializers.IntegerField(),
        "left_grid_count": serializers.IntegerField(),
        "left_grid_at": serializers.DateTimeField(
            allow_null=True, help_text="首次出网格的时间（本地时间，带时区）；未出网格为 null"
        ),
        "distance_m": serializers.IntegerField(),
    },
)


class PatrolFindingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=FindingKind.choices, help_text="problem 立案；其余为人房地事物的基础信息"
    )
    text = serializers.CharField(max_length=2000)
    title = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    household = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="户号（本网格）"
    )
    category_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="事项编码（可选）"
    )
    offline_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=OFFLINE_HELP
    )
    offline_sent_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text=SENT_HELP
    )


class _StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0 or absent; any other value is refused (400), never read as absent.
    A text widget: NullBooleanSelect would turn ``maybe`` into None silently."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        result = super().to_python(value)
        if result is None:
            raise ValidationError("只能是 true 或 false", code="invalid")
        return result


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class PatrolFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PatrolStatus.choices)
    grid = django_filters.CharFilter(method="filter_grid", label="网格或上级节点编码")
    mine = StrictBooleanFilter(method="filter_mine", label="我的巡查")
    left_grid = StrictBooleanFilter(field_name="left_grid_count", method="filter_left")

    class Meta:
        model = Patrol
        fields = ["status"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(worker=self.request.user) if value else queryset

    def filter_grid(self, queryset, name, value):
        # An unknown code or one outside the user's scope is a 400, never an empty list.
        node = query_node(self.request.user, {name: value}, name)
        return queryset.filter(subtree_q(node.code, "grid__code"))

    def filter_left(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(left_grid_count__gt=0) if value else queryset.filter(left_grid_count=0)
        )


@extend_schema_view(
    list=extend_schema(summary="巡查列表（管辖范围内，及本人的）"),
    retrieve=extend_schema(summary="一次巡查：发现、动态和可做的操作"),
)
class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Patrols in the user's scope, and their own."""

    lookup_value_regex = r"\d+"
    filterset_class = PatrolFilterSet

    def get_queryset(self):
        patrols = Patrol.objects.restrict(self.request.user).select_related("grid", "worker")
        if self.action == "retrieve":
            patrols = patrols.prefetch_related(
                Prefetch("events", PatrolEvent.objects.order_by("at", "pk")),
                Prefetch("findings", Finding.objects.select_related("case", "household")),
            )
        return patrols

    def get_serializer_class(self):
        return PatrolDetailSerializer if self.action == "retrieve" else PatrolSerializer

    def retrieve(self, request, *args, **kwargs):
        patrol = self.get_object()
        context = {"allowed_actions": allowed_actions(request.user, patrol)}
        return Response(PatrolDetailSerializer(patrol, context=context).data)

    @extend_schema(
        summary="开始巡查",
        request=PatrolStartSerializer,
        responses={201: PatrolSerializer},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def create(self, request):
        form = PatrolStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        patrol = do_start_patrol(
            actor=request.user,
            grid_code=form.validated_data["grid_code"],
            offline_at=form.validated_data["offline_at"] or None,
            offline_sent_at=form.validated_data["offline_sent_at"] or None,
        )
        return Response(PatrolSerializer(patrol).data, status=201)

    @extend_schema(
        summary="结束或取消巡查",
        request=PatrolActionSerializer,
        responses={200: PatrolDetailSerializer},
        parameters=[
            OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=PATROLS.actions),
            IDEMPOTENCY,
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    @idempotent
    def act(self, request, pk=None, action_name=None):
        patrol = self.get_object()
        form = PatrolActionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        do_patrol_action(
            patrol.pk,
            action_name,
            actor=request.user,
            version=form.validated_data["version"],
            offline_at=form.validated_data["offline_at"] or None,
            offline_sent_at=form.validated_data["offline_sent_at"] or None,
        )
        return self.retrieve(request, pk=patrol.pk)

    @extend_schema(
        summary="上传一批轨迹点",
        request=PatrolPointsSerializer,
        responses={200: POINTS_ANSWER},
        parameters=[IDEMPOTENCY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def points(self, request, pk=None):
        patrol = self.get_object()
        raw = request.data.get("points") if isinstance(request.data, dict) else None
        result = do_add_points(patrol.pk, raw, actor=request.user)
        # Local time, as every time the API answers (the page's 「（09:41 起）」 reads it).
        left = result["left_grid_at"]
        result["left_grid_at"] = timezone.localtime(left).isoformat() if left else None
        return Response(result)

    @extend_schema(
        summary="整条轨迹（GeoJSON LineString，坐标为 [经度, 纬度]）",
        responses={
            200: inline_serializer(
                "PatrolTrack",
                {
                    "type": serializers.CharField(),
                    "coordinates": serializers.ListField(child=serializers.ListField()),
                    "properties": serializers.DictField(),
                },
            )
        },
    )
    @action(detail=True, methods=["get"])
    def track(self, request, pk=None):
        patrol = self.get_object()
        points = track_points(patrol)
        return Response(
            {
                "type": "LineString",
                "coordinates": [[p[2], p[1]] for p in points],
                "properties": {"times": [p[0] for p in points], "grid": patrol.grid.code},
            }
        )

    @extend_schema(
        summary="记录巡查发现（问题立案，或人房地事物信息）",
        request=PatrolFindingCreateSerializer,
        responses={201: PatrolFindingSerializer},
        parameters=[IDEMPOTENCY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def findings(self, request, pk=None):
        patrol = self.get_object()
        form = PatrolFindingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        finding = do_report_finding(
            patrol.pk,
            actor=request.user,
            kind=data["kind"],
            text=data["text"],
            title=data["title"],
            lat=data.get("lat"),
            lng=data.get("lng"),
            household_code=data["household"],
            category_code=data["category_code"],
            offline_at=data["offline_at"] or None,
            offline_sent_at=data["offline_sent_at"] or None,
        )
        return Response(PatrolFindingSerializer(finding).data, status=201)


DAY = inline_serializer(
    "PatrolDay",
    {
        "date": serializers.DateField(),
        "hours": serializers.FloatField(),
        "met": serializers.BooleanField(),
        "judged": serializers.BooleanField(help_text="已过去的日子才评判是否达标"),
    },
)


class WeekView(APIView):
    """A week's patrol summary: the user's own (no ``node``), or every grid of the
    subtree ``node`` (needs ``analytics.view`` or ``patrol.patrol`` there)."""

    @extend_schema(
        summary="一周巡查汇总（小时；周一至周日）",
        parameters=[
            OpenApiParameter("node", str, description="节点编码；省略则为本人"),
            OpenApiParameter("week", str, description="该周内任一天 YYYY-MM-DD，默认本周"),
        ],
        responses={
            200: inline_serializer(
                "PatrolWeek",
                {
                    "week_start": serializers.DateField(),
                    "week_end": serializers.DateField(),
                    "standard_hours": serializers.FloatField(),
                    "hours": serializers.FloatField(required=False),
                    "days": serializers.ListField(child=DAY, required=False),
                    "days_below": serializers.IntegerField(required=False),
                    "rows": serializers.ListField(child=serializers.DictField(), required=False),
                    "totals": serializers.DictField(required=False),
                },
            )
        },
    )
    def get(self, request):
        day = None
        if request.query_params.get("week"):
            try:
                day = parse_date(request.query_params["week"])
            except ValueError:
                day = None
            if day is None:
                raise InvalidInput("week 须为日期 YYYY-MM-DD", errors={"week": ["无效日期"]})
        code = request.query_params.get("node", "").strip()
        if not code:
            week = standards.worker_week(request.user, day)
            return Response(_dates(week))
        node = query_node(request.user, request.query_params, "node")
        if not (
            has(request.user, "analytics.view", node.code) or has(request.user, VERB, node.code)
        ):
            raise NotPermitted("您不能查看这里的巡查统计")
        week = standards.grids_week(node.code, day)
        week["rows"] = [
            {**row, "grid": {"code": row["grid"].code, "name": row["grid"].name}}
            for row in week["rows"]
        ]
        return Response(_dates(week))


def _dates(value):
    """Dates as ISO strings, recursively (the summary holds date objects)."""
    if isinstance(value, dict):
        return {key: _dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
