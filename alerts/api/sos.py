"""The SOS API: the vendors' ``POST /api/v1/sos/`` (their key in ``X-Vendor-Key``, no user
token), and the alarms in the user's scope with their actions (``/api/v1/alerts/alarms/``).

The vendor endpoint is idempotent by nature rather than by ``Idempotency-Key`` (whose keys
belong to users): the same press sent again (same device, same ``pressed_at``) answers the
same alarm and adds nothing; presses of one device within a minute are one alarm."""

from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts.models import LIVE_STATUSES, Alarm, AlarmEvent, AlarmStatus
from alerts.sos.access import alarm_address, may_see_alarms
from alerts.sos.actions import (
    ALARMS,
    allowed_actions,
    do_alarm_to_case,
    do_press,
)
from alerts.sos.keys import HEADER, vendor_for
from alerts.sos.transitions import EVENT_NAMES
from gridgov.api import WorkflowActions, action_schema
from gridgov.parsing import query_bool
from gridgov.timeline import TimelineEventSerializer
from idempotency.keys import idempotent
from residents.masking import mask_name

_ERROR = inline_serializer(
    "SosError",
    {"code": serializers.CharField(), "detail": serializers.CharField()},
)


class PressSerializer(serializers.Serializer):
    device_id = serializers.CharField(max_length=64, help_text="厂商的设备号")
    pressed_at = serializers.DateTimeField(
        help_text=(
            "按键时间（ISO 8601，应带时区，如 2026-11-30T09:30:00+08:00；不带时区的按北京时间"
            "理解）；不早于 24 小时前，不晚于服务器当前时间 5 分钟后"
        )
    )
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    accuracy = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=100000, help_text="定位精度（米）"
    )


class PressAnswerSerializer(serializers.Serializer):
    alarm = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.BooleanField(
        help_text="是否新开了一条告警（一分钟内的重复按键并入原告警）"
    )
    presses = serializers.IntegerField()


class SosPressView(APIView):
    """A device's press, from its vendor's system."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="sos_press",
        summary="一键求助：设备按键",
        description=(
            "厂商用自己的密钥（请求头 X-Vendor-Key）上报设备按键。同一设备一分钟内的重复按键"
            "并入同一条告警；同一次按键重发（设备号和按键时间相同）不重复记录。"
        ),
        auth=[],
        request=PressSerializer,
        parameters=[OpenApiParameter("X-Vendor-Key", str, OpenApiParameter.HEADER, required=True)],
        responses={
            201: PressAnswerSerializer,
            200: PressAnswerSerializer,
            400: OpenApiResponse(_ERROR, description="时间或位置不合理"),
            401: OpenApiResponse(_ERROR, description="缺少或错误的厂商密钥"),
            404: OpenApiResponse(_ERROR, description="设备未登记（unknown_device）"),
            409: OpenApiResponse(_ERROR, description="设备未绑定居民或已停用"),
        },
    )
    def post(self, request):
        vendor = vendor_for(request.META.get(HEADER, "").strip())
        if vendor is None:
            return Response(
                {"code": "invalid_vendor_key", "detail": "缺少或错误的厂商密钥（X-Vendor-Key）"},
                status=401,
            )
        if not isinstance(request.data, dict):
            return Response(
                {"code": "invalid", "detail": "请求体须为 JSON 对象（含 device_id 和 pressed_at）"},
                status=400,
            )
        form = PressSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        press = do_press(
            vendor,
            data["device_id"],
            data["pressed_at"],
            lat=data.get("lat"),
            lng=data.get("lng"),
            accuracy=data.get("accuracy"),
        )
        alarm = press.alarm
        body = {
            "alarm": alarm.pk,
            "status": alarm.status,
            "created": press.created,
            "presses": alarm.presses,
        }
        return Response(body, status=201 if press.created else 200)


class AlarmSerializer(serializers.ModelSerializer):
    resident_name = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField(
        help_text="住址：在该网格有响应职责（alerts.respond）的人见全文，其他人见部分遮蔽"
    )
    grid_code = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    seconds_to_acknowledge = serializers.IntegerField(allow_null=True)
    seconds_to_arrive = serializers.IntegerField(allow_null=True)
    case = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Alarm
        fields = [
            "id",
            "resident_name",
            "address",
            "grid_code",
            "grid_name",
            "pressed_at",
            "last_pressed_at",
            "presses",
            "lat",
            "lng",
            "accuracy",
            "status",
            "acknowledged_at",
            "arrived_at",
            "closed_at",
            "seconds_to_acknowledge",
            "seconds_to_arrive",
            "escalations",
            "case",
            "version",
        ]

    def get_resident_name(self, alarm) -> str:
        return mask_name(alarm.resident.name)

    def get_address(self, alarm) -> str:
        request = self.context.get("request")
        return alarm_address(alarm, request.user if request else None)


class AlarmEventSerializer(TimelineEventSerializer):
    names = EVENT_NAMES

    class Meta:
        model = AlarmEvent
        fields = TimelineEventSerializer.Meta.fields


class AlarmDetailSerializer(AlarmSerializer):
    events = AlarmEventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(AlarmSerializer.Meta):
        fields = [*AlarmSerializer.Meta.fields, "events", "allowed_actions"]

    def get_allowed_actions(self, alarm) -> list[str]:
        return self.context.get("allowed_actions", [])


class AlarmActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AlarmCaseSerializer(serializers.Serializer):
    alarm = serializers.IntegerField()
    case = serializers.IntegerField()
    number = serializers.CharField()
    created = serializers.BooleanField()


def alarms_for(user):
    """The alarms the user may see: none unless ``may_see_alarms`` (the list page's rule),
    then those of their scope (``org.scoping``: staff of the grid and of every node above
    it). Acting on one still needs ``alerts.respond`` at its grid (the workflow's
    ``responder`` relation)."""
    if not may_see_alarms(user):
        return Alarm.objects.none()
    return Alarm.objects.restrict(user).select_related("grid", "resident__household", "case")


@extend_schema_view(
    act=action_schema(ALARMS, AlarmActionSerializer, AlarmDetailSerializer),
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=AlarmStatus.values),
            OpenApiParameter("live", bool, description="只看未结束的（待响应、已响应、已到场）"),
        ]
    ),
)
class AlarmViewSet(
    WorkflowActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """SOS alarms of the grids where the user answers them, newest first."""

    workflow = ALARMS
    action_serializer_class = AlarmActionSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        alarms = alarms_for(self.request.user)
        params = self.request.query_params
        if params.get("status") in AlarmStatus.values:
            alarms = alarms.filter(status=params["status"])
        if query_bool(params, "live"):  # ?live=banana is a 400, not "all"
            alarms = alarms.filter(status__in=LIVE_STATUSES)
        if self.action == "retrieve":
            alarms = alarms.prefetch_related(Prefetch("events", AlarmEvent.objects.order_by("pk")))
        return alarms

    def list(self, request, *args, **kwargs):
        status = request.query_params.get("status")
        if status and status not in AlarmStatus.values:
            choices = "、".join(AlarmStatus.values)
            detail = f"没有这个状态：{status[:20]}（可选：{choices}）"
            return Response({"code": "invalid", "detail": detail}, status=400)
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):
        return AlarmDetailSerializer if self.action == "retrieve" else AlarmSerializer

    def retrieve(self, request, *args, **kwargs):
        alarm = self.get_object()
        context = {
            **self.get_serializer_context(),
            "allowed_actions": allowed_actions(request.user, alarm),
        }
        return Response(AlarmDetailSerializer(alarm, context=context).data)

    @extend_schema(
        request=None,
        responses={200: AlarmCaseSerializer, 201: AlarmCaseSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        summary="转为案件（一次一件，重复请求返回同一案件）",
    )
    @action(detail=True, methods=["post"], url_path="case")
    @idempotent
    def to_case(self, request, pk=None):
        alarm = self.get_object()
        alarm, case, created = do_alarm_to_case(alarm.pk, actor=request.user)
        body = {"alarm": alarm.pk, "case": case.pk, "number": case.number, "created": created}
        return Response(body, status=201 if created else 200)
