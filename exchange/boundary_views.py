"""Pages for boundary imports: upload (file, level, parent, match) → preview (matched,
repaired, refused, unmatched, the parent checks) → confirm → the record.

A record belongs to whoever uploaded it (others get 404); the preview is computed from the
stored file each time, and confirming computes it once more and applies that plan."""

from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.record import note
from exchange.boundaries import (
    do_import_boundaries,
    do_revert_boundary_import,
    levels,
    may_import_boundaries,
    plan_file,
)
from exchange.models import BoundaryImport, BoundaryStatus
from org.boundaries import BoundaryFileError

MAX_UPLOAD_BYTES = 60 * 1024 * 1024
SUFFIXES = (".json", ".geojson", ".zip", ".kml", ".kmz")
FINDING_NAMES = {
    "outside": "超出上级",
    "gap": "上级有缺口",
    "overlap": "与同级重叠",
    "child_outside": "下级超出新边界",
}


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label="边界文件",
        help_text="GeoJSON(.json/.geojson)、Shapefile(.shp/.dbf/.shx/.prj 打包成 .zip)或 "
        "KML/KMZ; 坐标为经纬度；最大 60 MB",
    )
    level = forms.ChoiceField(label="层级")
    parent = forms.CharField(
        label="上级节点编码", required=False, max_length=32, help_text="可空：不限上级"
    )
    match = forms.ChoiceField(
        label="匹配方式",
        choices=[("code", "按编码"), ("name", "按名称（在上级内唯一）")],
        initial="code",
        widget=forms.RadioSelect,
    )
    match_property = forms.CharField(
        label="匹配属性",
        required=False,
        max_length=64,
        help_text="可空：编码试 adcode、code、XZQDM…, 名称试 name、NAME、XZQMC…",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv.key, lv.name) for lv in levels()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePosixPath(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError("只支持 .json/.geojson、.zip(Shapefile)和 .kml/.kmz 文件")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 60 MB")
        return upload


def _require(user) -> None:
    if not may_import_boundaries(user):
        raise PermissionDenied("您的角色不能导入边界")


def _record_or_404(user, pk) -> BoundaryImport:
    records = BoundaryImport.objects.all()
    if not user.is_superuser:
        records = records.filter(user=user)
    record = records.filter(pk=pk).first()
    if record is None:
        raise Http404("没有这个边界导入")
    return record


def _plan(record: BoundaryImport, user):
    with record.source.open("rb") as file:
        data = file.read()
    return plan_file(
        data,
        record.source_name,
        user=user,
        level=record.level,
        parent=record.parent_code,
        match=record.match,
        prop=record.match_property,
    )[0]


@login_required
def boundary_upload(request):
    _require(request.user)
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = BoundaryImport.objects.create(
            user=request.user,
            source=data["file"],
            source_name=data["file"].name[:300],
            level=data["level"],
            parent_code=data["parent"].strip(),
            match=data["match"],
            match_property=data["match_property"].strip(),
        )
        note(request, action="exchange:upload:boundaries", obj=record)
        return redirect("exchange:boundary", record.pk)
    recent = BoundaryImport.objects.filter(user=request.user)[:10]
    return render(request, "exchange/boundary_upload.html", {"form": form, "recent": recent})


@login_required
def boundary_detail(request, pk):
    _require(request.user)
    record = _record_or_404(request.user, pk)
    context = {"record": record, "finding_names": FINDING_NAMES}
    if record.reverts_id is not None:
        return render(request, "exchange/boundary_revert.html", context)
    context["reverted_by"] = BoundaryImport.objects.filter(reverts=record).first()
    if record.status == BoundaryStatus.UPLOADED:
        try:
            context["report"] = _plan(record, request.user).report
        except BoundaryFileError as error:
            context["file_error"] = str(error)
    else:
        context["report"] = record.report
    return render(request, "exchange/boundary.html", context)


@login_required
@require_POST
def boundary_apply(request, pk):
    _require(request.user)
    record = _record_or_404(request.user, pk)
    if record.status != BoundaryStatus.UPLOADED:
        messages.info(request, "这个文件已经导入了。")
        return redirect("exchange:boundary", record.pk)
    try:
        plan = _plan(record, request.user)
    except BoundaryFileError as error:
        messages.error(request, str(error))
        return redirect("exchange:boundary", record.pk)
    note(request, action="exchange:import:boundaries", obj=record)
    record = do_import_boundaries(plan, actor=request.user, record=record)
    return redirect("exchange:boundary", record.pk)


@login_required
@require_POST
def boundary_revert(request, pk):
    _require(request.user)
    record = _record_or_404(request.user, pk)
    try:
        undo = do_revert_boundary_import(record, actor=request.user)
    except BoundaryFileError as error:
        messages.error(request, str(error))
        return redirect("exchange:boundary", record.pk)
    note(request, action="exchange:revert:boundaries", obj=undo)
    return redirect("exchange:boundary", undo.pk)


@login_required
@require_POST
def boundary_cancel(request, pk):
    _require(request.user)
    record = _record_or_404(request.user, pk)
    if record.status == BoundaryStatus.UPLOADED:
        record.source.delete(save=False)
        record.delete()
        messages.info(request, "已取消导入。")
    return redirect("exchange:boundary_upload")
