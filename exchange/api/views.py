"""The push API for hotline systems that call us, and the status of an order.

``POST /api/v1/hotline/orders/`` takes one order object or a list of up to 500. It is
idempotent twice over: an ``Idempotency-Key`` header replays the first answer, and the
ticket number itself never makes a second case (a repeated ticket answers "exists").

Authentication: a hotline system's key (``Authorization: Api-Key <key>``, issued in the
admin, bound to one system and to an account whose subtree the orders must fall in), or
the Bearer token / session of a staff member, who names the system with ``?system=``.
"""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.actions.intake import may_file_at
from cases.models import Case
from exchange.access import may_import
from exchange.actions import do_import_hotline_order, find_order
from exchange.api import schema  # noqa: F401 (registers the Api-Key scheme)
from exchange.api.authentication import HotlineKeyAuthentication
from exchange.api.serializers import (
    HotlineBatchResultSerializer,
    HotlineErrorSerializer,
    HotlineOrderResultSerializer,
    HotlineOrderSerializer,
    HotlineOrderStatusSerializer,
)
from exchange.hotline import (
    SATISFACTION_NAMES,
    STATUS_NAMES,
    CategoryMatcher,
    Placement,
    order_category,
    order_from_values,
)
from exchange.importing import RowError
from exchange.models import HotlineApiKey, HotlineSystem
from gridgov.authentication import BearerTokenAuthentication
from gridgov.errors import ActionError
from idempotency.keys import idempotent

MAX_ORDERS = 500
DEFAULT_SYSTEM = "hotline-12345"
API_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
SYSTEM_PARAMETER = OpenApiParameter(
    "system", str, description="热线系统标识（用工作人员令牌时；用 Api-Key 时由密钥决定）"
)


def _system(request) -> HotlineSystem:
    if isinstance(request.auth, HotlineApiKey):
        return request.auth.system
    if not may_import(request.user, "hotline"):
        raise exceptions.PermissionDenied("只有工作人员或热线系统的接口密钥可以推送工单")
    slug = request.query_params.get("system") or DEFAULT_SYSTEM
    system = HotlineSystem.objects.filter(slug=slug, is_active=True).first()
    if system is None:
        raise exceptions.NotFound(f"没有热线系统「{slug}」")
    return system


def _datetimes(values: dict) -> dict:
    """ISO 8601 texts as datetimes (with their offset); other texts pass to the checks."""
    values = dict(values)
    for key in ("received_at", "deadline", "resolved_at"):
        value = values.get(key)
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                values[key] = parsed
    return values


def _invalid(ticket, code, detail) -> dict:
    return {"ticket_no": ticket, "result": "invalid", "code": code, "detail": detail}


def _result(case: Case, created: bool) -> dict:
    return {
        "ticket_no": case.external_ref,
        "result": "created" if created else "exists",
        "case_id": case.pk,
        "case_number": case.number,
        "status": case.status,
        "grid_code": case.grid.code if case.grid_id else None,
    }


class HotlineOrdersView(APIView):
    authentication_classes = [
        HotlineKeyAuthentication,
        BearerTokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]  # orders are JSON; a form body is answered 415

    @extend_schema(
        operation_id="hotline_orders_create",
        request=HotlineOrderSerializer(many=True),
        responses={
            200: PolymorphicProxySerializer(
                component_name="HotlineOrdersAnswer",
                serializers=[HotlineOrderResultSerializer, HotlineBatchResultSerializer],
                resource_type_field_name=None,
            ),
            201: HotlineOrderResultSerializer,
            400: HotlineErrorSerializer,
        },
        parameters=[
            SYSTEM_PARAMETER,
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER),
        ],
        description=(
            "推送 12345 工单：一个工单对象（新建 201, 已有 200, 有误 400）或工单数组"
            "(200, 逐个返回结果，最多 500 个)。以工单编号幂等：重复推送不会重复立案。"
        ),
    )
    @idempotent
    def post(self, request):
        system = _system(request)
        payload = request.data
        single = isinstance(payload, dict)
        orders = [payload] if single else payload
        if not isinstance(orders, list) or not orders:
            return Response(
                {"code": "invalid", "detail": "请求体应为一个工单对象或工单数组"}, status=400
            )
        if len(orders) > MAX_ORDERS:
            return Response(
                {"code": "invalid", "detail": f"一次最多推送 {MAX_ORDERS} 个工单"}, status=400
            )
        results = self._import(orders, system, request.user)
        if single:
            result = results[0]
            status = {"created": 201, "exists": 200}.get(result["result"], 400)
            return Response(result, status=status)
        counts = {
            kind: sum(1 for r in results if r["result"] == kind)
            for kind in ("created", "exists", "invalid")
        }
        return Response(
            {
                "created": counts["created"],
                "existing": counts["exists"],
                "failed": counts["invalid"],
                "results": results,
            }
        )

    def _import(self, items, system, user) -> list[dict]:
        results: list[dict | None] = []
        checked = []
        for position, item in enumerate(items):
            ticket = str(item.get("ticket_no", "")) if isinstance(item, dict) else ""
            if not isinstance(item, dict):
                results.append(_invalid(ticket, "invalid", "每个工单应是一个 JSON 对象"))
                continue
            try:
                order = order_from_values(_datetimes(item), API_DATE_FORMAT, system=system)
            except RowError as error:
                results.append(_invalid(ticket, "invalid", error.reason))
                continue
            results.append(None)
            checked.append((position, order))
        if not checked:
            return results
        fresh = [(p, o) for p, o in checked if find_order(system, o.ticket_no) is None]
        places = dict(
            zip(
                [p for p, _ in fresh],
                Placement().place([o for _, o in fresh]),
                strict=True,
            )
        )
        categories = CategoryMatcher()  # the system's table first (order_category)
        for position, order in checked:
            code, how = places.get(position, (None, ""))
            if code and not may_file_at(user, code):
                results[position] = _invalid(
                    order.ticket_no, "out_of_scope", f"地址所在网格 {code} 不在本接口的管辖范围"
                )
                continue
            try:
                case, created = do_import_hotline_order(
                    order,
                    system=system,
                    actor=user,
                    grid_code=code,
                    category_code=order_category(system, order, categories),
                    located_by=how,
                )
            except ActionError as error:
                results[position] = _invalid(order.ticket_no, error.code, error.detail)
                continue
            results[position] = _result(case, created)
        return results


class HotlineOrderStatusView(APIView):
    authentication_classes = HotlineOrdersView.authentication_classes
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="hotline_orders_retrieve",
        parameters=[SYSTEM_PARAMETER],
        responses={200: HotlineOrderStatusSerializer, 404: HotlineErrorSerializer},
        description="按热线工单编号查询办理状态和结果（电话号码不返回）。",
    )
    def get(self, request, ticket_no):
        system = _system(request)
        case = (
            Case.objects.restrict(request.user)
            .select_related("grid", "handling_node")
            .filter(source_system=system.slug, external_ref=ticket_no)
            .first()
        )
        if case is None:
            raise exceptions.NotFound("没有这个工单，或不在您的管辖范围内")
        lead = case.assignments.filter(role="lead").select_related("department", "node").last()
        unit = lead.unit_name if lead else (case.handling_node.name if case.handling_node else "")
        return Response(
            {
                "ticket_no": case.external_ref,
                "case_number": case.number,
                "status": case.status,
                "status_name": {**STATUS_NAMES, **system.status_names}.get(case.status, ""),
                "grid_code": case.grid.code if case.grid_id else None,
                "handling_unit": unit,
                "due_at": case.due_at,
                "resolved_at": case.resolved_at,
                "result": case.result,
                "satisfaction": SATISFACTION_NAMES.get(case.satisfaction, ""),
            }
        )
