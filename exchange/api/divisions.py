"""``POST /api/v1/divisions/import/``: the division and grid import over the API.

The body is either a file (multipart, field ``file``: the same CSV or XLSX the page takes)
or JSON ``{"rows": [{"code", "name", "parent_code", "level", "grid_kind"}, …]}`` (at most
5,000 rows). ``?dry_run=1`` checks and reports without writing. The import runs at once
through the same sheet as the page and the command (exchange.registers.divisions), as an
ImportJob of the caller, and answers its counts, the report (renamed, moved and missing
nodes: never deleted) and every refused row with its line and Chinese reason.
"""

import csv
import io

from django.core.files.base import ContentFile
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.access import may_import
from exchange.forms import UploadForm
from exchange.importing import run_job
from exchange.models import ImportJob, ImportKind, JobStatus
from exchange.registers.divisions import COLUMNS, DivisionSheet
from exchange.tabular import open_table

MAX_ROWS = 5000
MAX_ERRORS = 1000

ROW = inline_serializer(
    "DivisionRow",
    {
        "code": serializers.CharField(required=False, help_text="统一编码；网格可不填（自动赋码）"),
        "name": serializers.CharField(),
        "parent_code": serializers.CharField(required=False),
        "level": serializers.CharField(required=False, help_text="层级 key/名称或 town 等"),
        "grid_kind": serializers.CharField(required=False),
    },
)
ANSWER = inline_serializer(
    "DivisionImportAnswer",
    {
        "job": serializers.IntegerField(),
        "status": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
        "total": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
        "failed": serializers.IntegerField(),
        "message": serializers.CharField(),
        "report": serializers.ListField(child=serializers.DictField()),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


def _rows_file(rows) -> ContentFile:
    """JSON rows as a CSV in our own columns, so they go through the file path unchanged."""
    if not isinstance(rows, list) or not rows:
        raise exceptions.ValidationError({"rows": "rows 应为非空数组"})
    if len(rows) > MAX_ROWS:
        raise exceptions.ValidationError({"rows": f"一次最多 {MAX_ROWS} 行"})
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([column.label for column in COLUMNS])
    for row in rows:
        if not isinstance(row, dict):
            raise exceptions.ValidationError({"rows": "每一行应是一个 JSON 对象"})
        writer.writerow(["" if row.get(c.key) is None else str(row[c.key]) for c in COLUMNS])
    return ContentFile(text.getvalue().encode("utf-8"), name="divisions.csv")


def _errors(job: ImportJob) -> list[dict]:
    if not job.error_file:
        return []
    table = open_table(job.error_file.path, job.error_file.name)
    answer = []
    for _line, cells in table.rows():
        answer.append({"line": cells[-2] or None, "values": cells[:-2], "reason": cells[-1]})
        if len(answer) >= MAX_ERRORS:
            break
    return answer


class DivisionImportView(APIView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="divisions_import",
        request={
            "multipart/form-data": inline_serializer(
                "DivisionUpload", {"file": serializers.FileField()}
            ),
            "application/json": inline_serializer(
                "DivisionRows", {"rows": serializers.ListField(child=ROW)}
            ),
        },
        parameters=[OpenApiParameter("dry_run", bool, description="只检查不写入")],
        responses={200: ANSWER},
        description=(
            "导入行政区划和网格（GB/T 2260 编码, 4/6/9/12 位或右补零的 12 位；网格可不填编码）。"
            "以编码幂等；改名会改，调整隶属或文件中没有的节点只报告，从不删除。"
        ),
    )
    def post(self, request):
        if not may_import(request.user, "divisions"):
            raise exceptions.PermissionDenied("您的角色不能导入行政区划和网格")
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        if "file" in request.FILES:
            form = UploadForm(files=request.FILES)
            if not form.is_valid():
                raise exceptions.ValidationError({"file": form.errors["file"]})
            upload = form.cleaned_data["file"]
        else:
            upload = _rows_file(request.data.get("rows") if hasattr(request.data, "get") else None)
        job = ImportJob.objects.create(
            kind=ImportKind.DIVISIONS,
            user=request.user,
            source=upload,
            source_name=upload.name[:300],
            status=JobStatus.RUNNING,
        )
        job = run_job(job, DivisionSheet(request.user, dry_run=dry_run))
        if job.status == JobStatus.FAILED:
            return Response({"code": "invalid", "detail": job.message, "job": job.pk}, status=400)
        return Response(
            {
                "job": job.pk,
                "status": job.status,
                "dry_run": dry_run,
                **{
                    key: getattr(job, key)
                    for key in ("total", "created", "updated", "unchanged", "skipped", "failed")
                },
                "message": job.message,
                "report": job.report,
                "errors": _errors(job),
            }
        )
