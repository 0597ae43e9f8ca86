"""``GET /api/v1/stats/kpis/``: the KPI table of a node's subtree for a period, as JSON,
CSV or XLSX (``analytics.kpis.kpis``; scope: the verb ``analytics.view`` at the node)."""

import csv
import datetime as dt
import io

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.kpis import GROUP_BYS, GROUP_NAMES, KPI_FIELDS, KPI_NAMES, kpis
from gridgov.errors import ActionError, InvalidInput, NotPermitted
from org.models import OrgNode
from org.permissions import codes_with, has

VERB = "analytics.view"
# Dates a case can have been received on (no computing past year 9999's last day).
FIRST_YEAR, LAST_YEAR = 1949, 2999
MAX_DAYS = 3 * 366  # three years, leap days included
FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTS = {"received", "accepted", "rejected", "closed", "overdue_open"}
COUNTS |= {"whistles", "extensions", "escalations"}


class NotFound(ActionError):
    status = 404
    code = "not_found"


class FormatIsOurs(DefaultContentNegotiation):
    """``?format=csv|xlsx`` is this endpoint's own download choice, not DRF's renderer
    override: always JSON for the JSON answers (errors included)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _date(request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{name} 应为日期，格式 YYYY-MM-DD", errors={name: ["格式 YYYY-MM-DD"]}
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            f"{name} 应在 {FIRST_YEAR} 年到 {LAST_YEAR} 年之间",
            errors={name: [f"{FIRST_YEAR}–{LAST_YEAR} 年"]},
        )
    return day


def parse(request) -> dict:
    """The query's node, period, group_by and format, checked: 400 InvalidInput, 404
    NotFound (no such node), 403 NotPermitted (outside the user's subtree)."""
    params = request.query_params
    today = timezone.localdate()
    start = _date(request, "from", today.replace(day=1))
    end = _date(request, "to", today)
    if end < start:
        raise InvalidInput("结束日期早于开始日期", errors={"to": ["早于 from"]})
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput("统计区间不能超过三年", errors={"from": ["区间超过三年"]})
    group_by = params.get("group_by") or None
    if group_by is not None and group_by not in GROUP_BYS:
        raise InvalidInput(
            f"group_by 只能是 {'、'.join(GROUP_BYS)}", errors={"group_by": list(GROUP_BYS)}
        )
    file_format = params.get("format") or "json"
    if file_format not in FORMATS:
        raise InvalidInput("format 只能是 json、csv 或 xlsx", errors={"format": list(FORMATS)})
    code = params.get("node") or _own_node(request.user)
    node = OrgNode.objects.filter(code=code).first() if code else None
    if node is None:
        raise NotFound("没有这个节点", errors={"node": [str(code or "")]})
    if not has(request.user, VERB, node.code):
        raise NotPermitted("您不能查看这个节点的统计")
    return {"node": node, "start": start, "end": end, "group_by": group_by, "format": file_format}


def _own_node(user) -> str | None:
    """Without ``node``: the top of the user's subtree (the root for a superuser)."""
    codes = codes_with(user, VERB)
    if codes is None:
        root = OrgNode.objects.filter(parent__isnull=True).order_by("code").first()
        return root.code if root else None
    return min(codes, key=lambda c: (len(c), c)) if codes else None


def headers(group_by: str | None) -> list[str]:
    first = str(GROUP_NAMES[group_by]) if group_by else "节点"
    return ["编码", first, *(str(KPI_NAMES[f]) for f in KPI_FIELDS)]


def table_rows(rows: list[dict]) -> list[list]:
    return [[row["key"], row["name"], *(row[f] for f in KPI_FIELDS)] for row in rows]


def _filename(query: dict, ext: str) -> str:
    return f"kpis-{query['node'].code}-{query['start']:%Y%m%d}-{query['end']:%Y%m%d}.{ext}"


def csv_response(query: dict, rows: list[dict]) -> HttpResponse:
    """UTF-8 with a BOM, so Excel opens the Chinese headers as they are."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers(query["group_by"]))
    writer.writerows(["" if v is None else v for v in row] for row in table_rows(rows))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(query, "csv")}"'
    return response


def xlsx_response(query: dict, rows: list[dict]) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="统计")
    sheet.append(headers(query["group_by"]))
    for row in table_rows(rows):
        # Text cells as text: a name starting with "=" is no formula.
        sheet.append([str(v) if isinstance(v, str) else v for v in row])
    stream = io.BytesIO()
    workbook.save(stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(query, "xlsx")}"'
    return response


ROW = inline_serializer(
    "KpiRow",
    {
        "key": serializers.CharField(help_text="节点编码/事项编码/渠道编码/用户名/日期/月份"),
        "name": serializers.CharField(help_text="中文名称"),
        **{
            field: (
                serializers.IntegerField(help_text=str(KPI_NAMES[field]))
                if field in COUNTS
                else serializers.FloatField(allow_null=True, help_text=str(KPI_NAMES[field]))
            )
            for field in KPI_FIELDS
        },
    },
    many=True,
)
ANSWER = inline_serializer(
    "KpiTable",
    {
        "node": serializers.CharField(),
        "node_name": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "group_by": serializers.CharField(allow_null=True),
        "fields": serializers.DictField(child=serializers.CharField(), help_text="字段的中文名"),
        "rows": ROW,
    },
)


class KpiView(APIView):
    content_negotiation_class = FormatIsOurs

    @extend_schema(
        operation_id="stats_kpis",
        parameters=[
            OpenApiParameter("node", str, description="节点统一编码（默认：您管辖范围的顶端）"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="开始日期（默认：本月1日）"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="结束日期，含当天（默认：今天）"),
            OpenApiParameter("group_by", str, enum=list(GROUP_BYS), description="分组"),
            OpenApiParameter("format", str, enum=list(FORMATS), description="json、csv 或 xlsx"),
        ],
        responses={
            (200, "application/json"): ANSWER,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
        },
        description=(
            "按受理日期统计节点辖区内的考核指标（响应率、解决率、满意率等；比率为 0–1 的小数，"
            "时长单位为秒），可按下级、事项、渠道、层级、牵头部门、网格员、日、月分组。"
            "按下级分组时，落在本节点、未落到任何下级的诉求另成一行「本级（未落到下级）」"
            "（键为本节点编码），各行相加等于合计。按网格员分组时，每行是该网格员所在网格的"
            "整体指标（名称为「姓名（网格名）」），同一网格的网格员数字相同，各行不可相加。"
            "超期数（overdue_open）只计本期受理、现已超期未办结的诉求。"
            "区间最长三年；超出管辖范围 403，节点不存在 404。"
        ),
    )
    def get(self, request):
        query = parse(request)
        rows = kpis(query["node"].code, query["start"], query["end"], query["group_by"])
        if query["format"] == "csv":
            return csv_response(query, rows)
        if query["format"] == "xlsx":
            return xlsx_response(query, rows)
        return Response(
            {
                "node": query["node"].code,
                "node_name": query["node"].name,
                "from": query["start"],
                "to": query["end"],
                "group_by": query["group_by"],
                "fields": {f: str(KPI_NAMES[f]) for f in KPI_FIELDS},
                "rows": rows,
            }
        )
