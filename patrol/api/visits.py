"""API of household visits and care under ``/api/v1/patrol/``: visits (idempotent create,
scoped list and detail), a need's conversion, the to-do list, coverage per node, care
schedules and contacts. Errors are JSON 4xx with a Chinese ``detail``. Names and phones
are masked as on the pages."""

import datetime as dt

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.errors import InvalidInput, NotPermitted
from gridgov.masking import mask_name, mask_phone
from gridgov.parsing import query_choice
from idempotency.keys import idempotent
from org.models import OrgNode
from org.permissions import codes_with
from org.queries import query_node
from patrol.care import (
    care_schedules,
    do_plan_care,
    do_record_contact,
    status_of,
)
from patrol.models import (
    CareContact,
    Carer,
    CareSchedule,
    ContactKind,
    NeedCategory,
    Visit,
    VisitNeed,
    VisitOutcome,
)
from patrol.visit_coverage import (
    coverage,
    default_coverage_node,
    grids_under,
    local_today,
    may_see_coverage,
    standard,
    todo,
    visit_grids,
)
from patrol.visits import TARGETS, NeedHeard, do_convert_need, do_record_visit, readable_visits

KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


# -- serializers ---------------------------------------------------------------------------


class NeedSerializer(serializers.ModelSerializer):
    resident_name = serializers.SerializerMethodField()
    case_number = serializers.CharField(source="case.number", default=None, read_only=True)

    class Meta:
        model = VisitNeed
        fields = ["id", "text", "category", "resident", "resident_name", "case", "case_number"]
        fields += ["order", "needs_item"]

    def get_resident_name(self, need) -> str:
        return mask_name(need.resident.name) if need.resident_id else ""


class VisitSerializer(serializers.ModelSerializer):
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    household_code = serializers.CharField(source="household.code", read_only=True)
    visitor_name = serializers.SerializerMethodField()
    met_names = serializers.SerializerMethodField()
    needs = NeedSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "household_code",
            "grid_code",
            "visitor_name",
            "visited_at",
            "outcome",
            "notes",
            "met_names",
            "time_note",
            "received_at",
            "needs",
        ]

    def get_visitor_name(self, visit) -> str:
        return visit.visitor.display_name or visit.visitor.username

    def get_met_names(self, visit) -> list[str]:
        return [mask_name(r.name) for r in visit.met.all()]


class NeedInput(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(NeedCategory.choices, required=False, allow_blank=True)
    resident = serializers.IntegerField(required=False, allow_null=True)


class VisitInput(serializers.Serializer):
    household = serializers.IntegerField()
    outcome = serializers.ChoiceField(VisitOutcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    met = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    needs = NeedInput(many=True, required=False, default=list)
    offline_at = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="离线时按下提交的时间(ISO 8601);不可信时按收到时间记录并在 time_note 说明",
    )
    offline_sent_at = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="手机发出这条记录的时间(ISO 8601,手机时钟);有它时按两者之差校正手机时钟",
    )


class ConvertInput(serializers.Serializer):
    target = serializers.ChoiceField(list(TARGETS))


class ScheduleSerializer(serializers.ModelSerializer):
    resident_name = serializers.SerializerMethodField()
    resident_phone = serializers.SerializerMethodField()
    grid_code = serializers.CharField(source="resident.household.grid.code", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = CareSchedule
        fields = [
            "id",
            "resident",
            "resident_name",
            "resident_phone",
            "grid_code",
            "reason",
            "every_days",
            "by",
            "carer",
            "last_contact_at",
            "due_on",
            "status",
            "version",
        ]

    def get_resident_name(self, schedule) -> str:
        return mask_name(schedule.resident.name)

    def get_resident_phone(self, schedule) -> str:
        return mask_phone(schedule.resident.phone)

    def get_status(self, schedule) -> str:
        return status_of(schedule, self.context.get("today") or local_today())


class ScheduleInput(serializers.Serializer):
    resident = serializers.IntegerField()
    every_days = serializers.IntegerField(min_value=1, max_value=365)
    by = serializers.ChoiceField(Carer.choices)
    carer = serializers.IntegerField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, allow_null=True)


class ContactSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="schedule.resident.name", read_only=True)

    class Meta:
        model = CareContact
        fields = ["id", "schedule", "resident_name", "contacted_at", "kind", "visit", "note"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["resident_name"] = mask_name(data["resident_name"])
        return data


class ContactInput(serializers.Serializer):
    schedule = serializers.IntegerField()
    # Checked by do_record_contact (a ChoiceField's enum would collide with other "kind"s).
    kind = serializers.CharField(
        max_length=20,
        default=ContactKind.PHONE,
        help_text="联系方式：phone(电话联系，缺省)；其它值 400，入户走访请用走访接口",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    offline_at = serializers.CharField(required=False, allow_blank=True, default="")
    offline_sent_at = serializers.CharField(required=False, allow_blank=True, default="")


# -- views ---------------------------------------------------------------------------------


def _month(raw: str) -> dt.date:
    today = local_today()
    if not raw:
        return today
    try:
        year, month = (int(part) for part in raw.split("-"))
        return min(dt.date(year, month, 1), today)
    except ValueError:
        raise InvalidInput("month 须为 YYYY-MM", errors={"month": ["格式应为 2026-11"]}) from None


@extend_schema(tags=["patrol"])
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Household visits in the user's scope, newest first (``?grid=`` a node code)."""

    serializer_class = VisitSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        visits = (
            readable_visits(self.request.user)
            .select_related("grid", "household", "visitor")
            .prefetch_related("met", "needs__resident", "needs__case")
        )
        node = query_node(self.request.user, self.request.query_params, "grid")
        if node is not None:
            visits = visits.filter(household__code__startswith=node.code)
        return visits

    @extend_schema(parameters=[OpenApiParameter("grid", str, description="网格或上级节点编码")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VisitInput, responses={201: VisitSerializer}, parameters=[KEY])
    @idempotent
    def create(self, request):
        form = VisitInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        visit = do_record_visit(
            actor=request.user,
            household_id=data["household"],
            outcome=data["outcome"],
            notes=data["notes"],
            met_ids=data["met"],
            needs=[
                NeedHeard(n["text"], n.get("category", ""), n.get("resident"))
                for n in data["needs"]
            ],
            offline_at=data["offline_at"],
            offline_sent_at=data["offline_sent_at"],
        )
        return Response(VisitSerializer(visit).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("grid", str, description="网格编码，缺省为第一个网格")],
        responses={
            200: inline_serializer(
                "VisitTodo",
                {
                    "grid_code": serializers.CharField(),
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    @action(detail=False, methods=["get"])
    def todo(self, request):
        """走访待办: households of a grid not yet visited this month, key-population
        households first, then the longest since the last visit."""
        if codes_with(request.user, "patrol.visit") == []:
            raise NotPermitted("您不在网格任职，没有走访任务")
        grids = visit_grids(request.user)
        code = request.query_params.get("grid", "")
        grid = grids.filter(code=code).first() if code else grids.first()
        if grid is None:
            raise InvalidInput("您在这个网格没有走访任务", errors={"grid": ["无效"]})
        rows = todo(request.user, local_today(), grid=grid).prefetch_related("residents")
        page = self.paginate_queryset(rows)
        results = []
        for household in page:
            residents = list(household.residents.all())
            head = next((r for r in residents if r.is_householder), None)
            results.append(
                {
                    "household": household.pk,
                    "code": household.code,
                    "address": household.address,
                    "householder": mask_name(head.name) if head else "",
                    "is_key": household.is_key,
                    "visits_this_month": household.visits_month,
                    "last_visit": household.last_visit,
                }
            )
        response = self.get_paginated_response(results)
        response.data["grid_code"] = grid.code
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "node",
                str,
                description="节点编码(社区、街道、网格…)；缺省为您任职的节点(网格员：本网格)，同覆盖率页面",
            ),
            OpenApiParameter("month", str, description="YYYY-MM，缺省为本月"),
        ],
        responses={200: inline_serializer("VisitCoverage", {"node": serializers.CharField()})},
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """走访覆盖率 of each grid under ``node`` in a month: households, covered, share
        (0–1; null without households), against the standard (0: none). Without ``node``:
        the user's seat node, as on the page (``default_coverage_node``)."""
        code = request.query_params.get("node", "") or default_coverage_node(request.user) or ""
        node = OrgNode.objects.filter(code=code).first() if code else None
        if node is None or not may_see_coverage(request.user, code):
            raise InvalidInput("没有这个节点，或不在您的管辖范围内", errors={"node": ["无效"]})
        day = _month(request.query_params.get("month", ""))
        rows = coverage(grids_under(code)[:2000], day)
        households = sum(r.households for r in rows)
        covered = sum(r.covered for r in rows)
        return Response(
            {
                "node": code,
                "month": f"{day:%Y-%m}",
                "target": standard(),
                "households": households,
                "covered": covered,
                "share": covered / households if households else None,
                "grids": [
                    {
                        "code": r.grid.code,
                        "name": r.grid.name,
                        "households": r.households,
                        "covered": r.covered,
                        "share": r.share,
                    }
                    for r in rows
                ],
            }
        )


@extend_schema(tags=["patrol"])
class NeedConvertView(APIView):
    """One tap: a need becomes a case, an order, a wish or a needs-list item; 201 when made,
    200 with the same object when it had been converted before."""

    @extend_schema(
        request=ConvertInput,
        responses={
            200: inline_serializer(
                "NeedConverted",
                {
                    "need": serializers.IntegerField(),
                    "target": serializers.CharField(),
                    "id": serializers.IntegerField(),
                    "created": serializers.BooleanField(),
                },
            )
        },
        parameters=[KEY],
    )
    @idempotent
    def post(self, request, pk):
        get_object_or_404(VisitNeed.objects.restrict(request.user), pk=pk)  # else 404
        form = ConvertInput(data=request.data)
        form.is_valid(raise_exception=True)
        target = form.validated_data["target"]
        made, created = do_convert_need(pk, target, actor=request.user)
        body = {"need": pk, "target": target, "id": made.pk, "created": created}
        if target == "case":
            body["number"] = made.number
        return Response(body, status=201 if created else 200)


@extend_schema(tags=["patrol"])
class ScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Care schedules the user keeps or plans, soonest due first (``?show=overdue``)."""

    serializer_class = ScheduleSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        node = query_node(self.request.user, self.request.query_params, "grid")
        schedules = care_schedules(self.request.user, node_code=node.code if node else "")
        if query_choice(self.request.query_params, "show", ["overdue"]):
            schedules = schedules.filter(due_on__lt=local_today())
        return schedules

    @extend_schema(
        parameters=[
            OpenApiParameter("show", str, enum=["overdue"]),
            OpenApiParameter("grid", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ScheduleInput, responses={200: ScheduleSerializer}, parameters=[KEY])
    @idempotent
    def create(self, request):
        """Set or change a resident's schedule (``patrol.plan_care``); 409 on a stale version."""
        form = ScheduleInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        schedule = do_plan_care(
            data["resident"],
            actor=request.user,
            every_days=data["every_days"],
            by=data["by"],
            carer_id=data.get("carer"),
            version=data.get("version"),
        )
        return Response(ScheduleSerializer(schedule).data, status=200)


@extend_schema(tags=["patrol"])
class ContactViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Care contacts in the user's scope, newest first; POST records a phone call."""

    serializer_class = ContactSerializer

    def get_queryset(self):
        return CareContact.objects.restrict(self.request.user).select_related("schedule__resident")

    @extend_schema(request=ContactInput, responses={201: ContactSerializer}, parameters=[KEY])
    @idempotent
    def create(self, request):
        form = ContactInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        contact = do_record_contact(
            data["schedule"],
            actor=request.user,
            kind=data["kind"],
            note=data["note"],
            offline_at=data["offline_at"],
            offline_sent_at=data["offline_sent_at"],
        )
        return Response(ContactSerializer(contact).data, status=201)


def router():
    from rest_framework.routers import SimpleRouter

    routes = SimpleRouter()
    routes.register("visits", VisitViewSet, basename="patrol-visit")
    routes.register("care/schedules", ScheduleViewSet, basename="patrol-care-schedule")
    routes.register("care/contacts", ContactViewSet, basename="patrol-care-contact")
    return routes
