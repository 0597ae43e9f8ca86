"""``POST /api/v1/boundaries/import/``: a boundary file in, the report out (JSON).

Multipart: ``file`` (GeoJSON, a shapefile .zip, KML/KMZ), ``level`` (a level key of the
preset: district, street, community, grid…), optional ``parent`` (a node code), ``match``
(``code``/``name``), ``property`` (the feature property to match on; blank: the usual
ones) and ``dry_run``. Answers 200 with the report (and the record's id when applied),
400 with a Chinese reason when the file cannot be used, 403 without
``org.import_boundaries``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from exchange.boundaries import do_import_boundaries, may_import_boundaries, plan_file
from exchange.models import BoundaryImport
from gridgov.authentication import BearerTokenAuthentication
from org.boundaries import BoundaryFileError

MAX_UPLOAD_BYTES = 60 * 1024 * 1024


class BoundaryImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="GeoJSON、Shapefile(.zip)或 KML/KMZ, 最大 60 MB")
    level = serializers.CharField(max_length=32, help_text="层级标识，如 district、street、grid")
    parent = serializers.CharField(max_length=32, required=False, allow_blank=True)
    match = serializers.ChoiceField(choices=["code", "name"], default="code")
    property = serializers.CharField(max_length=64, required=False, allow_blank=True)
    dry_run = serializers.BooleanField(default=False, help_text="只检查，不写入")


class BoundaryImportAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="导入记录；只检查时为空")
    applied = serializers.BooleanField()
    map_version = serializers.IntegerField(allow_null=True)
    report = serializers.JSONField()


class BoundaryImportView(APIView):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="boundaries_import",
        request={"multipart/form-data": BoundaryImportRequestSerializer},
        responses={200: BoundaryImportAnswerSerializer},
        description=(
            "导入行政区划或网格边界：按编码或名称匹配节点，修复无效的面并报告, "
            "检查下级与上级的关系（超出、缺口、重叠）。dry_run 只返回报告。"
        ),
    )
    def post(self, request):
        if not may_import_boundaries(request.user):
            raise exceptions.PermissionDenied("您的角色不能导入边界")
        query = BoundaryImportRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        upload = data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise exceptions.ValidationError({"file": ["文件超过 60 MB"]})
        try:
            plan, level, parent = plan_file(
                upload.read(),
                upload.name,
                user=request.user,
                level=data["level"],
                parent=data.get("parent", ""),
                match=data["match"],
                prop=data.get("property", ""),
            )
        except BoundaryFileError as error:
            return Response({"code": "invalid_file", "detail": str(error)}, status=400)
        if data["dry_run"]:
            return Response(
                {"id": None, "applied": False, "map_version": None, "report": plan.report}
            )
        record = BoundaryImport.objects.create(
            user=request.user,
            source_name=upload.name[:300],
            level=level.key,
            parent_code=parent.code if parent else "",
            match=data["match"],
        )
        record = do_import_boundaries(plan, actor=request.user, record=record)
        return Response(
            {
                "id": record.pk,
                "applied": True,
                "map_version": record.map_version,
                "report": record.report,
            }
        )
