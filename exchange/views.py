"""Pages: upload → preview → import with a progress bar → result; the exports.

Views parse, check access (exchange.access; a job belongs to whoever uploaded it, anyone
else gets a 404), call the jobs/exports services and render."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.record import note
from exchange.access import may_configure, may_export, may_import, may_reveal
from exchange.boundaries import may_import_boundaries
from exchange.forms import (
    HotlineExportForm,
    HotlineUploadForm,
    MappingForm,
    RegisterExportForm,
    UploadForm,
)
from exchange.jobs import export_hotline, export_register, job_preview
from exchange.models import HotlineSystem, ImportJob, ImportKind, JobStatus
from exchange.registers import REGISTERS
from exchange.tabular import TableError
from exchange.tasks import do_start_job

RECENT_JOBS = 20


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您的角色不能使用这个功能")


def _job_or_404(user, pk) -> ImportJob:
    jobs = ImportJob.objects.select_related("system")
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404("没有这个导入任务")
    return job


def _register_or_404(kind: str):
    register = REGISTERS.get(kind)
    if register is None:
        raise Http404("没有这种名册")
    return register


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    # An ASCII fallback for old clients, the real (Chinese) name in RFC 5987 form.
    fallback = f"export.{filename.rsplit('.', 1)[-1]}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@login_required
def index(request):
    user = request.user
    _require(may_export(user, "hotline") or may_import(user, "hotline"))
    jobs = ImportJob.objects.select_related("system").order_by("-created_at")
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    registers = [
        {
            "register": register,
            "can_import": may_import(user, kind),
            "can_export": may_export(user, kind),
        }
        for kind, register in REGISTERS.items()
    ]
    context = {
        "jobs": jobs[:RECENT_JOBS],
        "registers": registers,
        "can_import_hotline": may_import(user, "hotline"),
        "can_export_hotline": may_export(user, "hotline"),
        "can_import_boundaries": may_import_boundaries(user),
    }
    return render(request, "exchange/index.html", context)


@login_required
def hotline_upload(request):
    _require(may_import(request.user, "hotline"))
    form = HotlineUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = _create_job(request, ImportKind.HOTLINE, form, system=form.cleaned_data["system"])
        return redirect("exchange:job", job.pk)
    return render(
        request,
        "exchange/upload.html",
        {"form": form, "title": "导入 12345 工单", "kind": ImportKind.HOTLINE},
    )


@login_required
def register_upload(request, kind):
    register = _register_or_404(kind)
    _require(may_import(request.user, kind))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = _create_job(request, kind, form)
        return redirect("exchange:job", job.pk)
    return render(
        request,
        "exchange/upload.html",
        {"form": form, "title": f"导入{register.title}", "kind": kind, "register": register},
    )


def _create_job(request, kind, form, system=None) -> ImportJob:
    upload = form.cleaned_data["file"]
    job = ImportJob.objects.create(
        kind=kind,
        system=system,
        user=request.user,
        source=upload,
        source_name=upload.name[:300],
    )
    note(request, action=f"exchange:upload:{kind}", obj=job)
    return job


@login_required
def job_detail(request, pk):
    job = _job_or_404(request.user, pk)
    context = {"job": job}
    if job.status == JobStatus.UPLOADED:
        try:
            context["preview"] = job_preview(job)
        except TableError as error:
            context["file_error"] = str(error)
    return render(request, "exchange/job.html", context)


@login_required
@require_POST
def job_start(request, pk):
    job = _job_or_404(request.user, pk)
    _require(may_import(request.user, job.kind))
    note(request, action=f"exchange:import:{job.kind}", obj=job)
    if not do_start_job(job):
        messages.info(request, "这个导入已经开始了。")
    return redirect("exchange:job", job.pk)


@login_required
@require_POST
def job_cancel(request, pk):
    job = _job_or_404(request.user, pk)
    if job.status == JobStatus.UPLOADED:
        job.source.delete(save=False)
        job.delete()
        messages.info(request, "已取消导入。")
    return redirect("exchange:index")


@login_required
def job_progress(request, pk):
    """The progress bar alone, polled by htmx; a finished job reloads the whole page."""
    job = _job_or_404(request.user, pk)
    response = render(request, "exchange/_progress.html", {"job": job})
    if job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_errors(request, pk):
    job = _job_or_404(request.user, pk)
    if not job.error_file:
        raise Http404("这个导入没有错误行")
    suffix = job.error_file.name.rsplit(".", 1)[-1]
    stem = job.source_name.rsplit(".", 1)[0]
    response = FileResponse(job.error_file.open("rb"), as_attachment=True)
    response["Content-Disposition"] = _attachment(f"{stem}-错误行.{suffix}")
    return response


@login_required
def hotline_mapping(request, slug):
    _require(may_configure(request.user))
    system = HotlineSystem.objects.filter(slug=slug, is_active=True).first()
    if system is None:
        raise Http404("没有这个热线系统")
    job = None
    if request.GET.get("job"):
        job = _job_or_404(request.user, request.GET["job"])
    form = MappingForm(request.POST or None, system=system)
    if request.method == "POST" and form.is_valid():
        system.mapping = form.mapping()
        system.date_format = form.cleaned_data["date_format"]
        system.time_zone = form.cleaned_data["time_zone"]
        system.updated_by = request.user
        system.save(
            update_fields=["mapping", "date_format", "time_zone", "updated_by", "updated_at"]
        )
        messages.success(request, f"已保存 {system.name} 的列映射。")
        return redirect("exchange:job", job.pk) if job else redirect("exchange:index")
    headers = []
    if job is not None and job.status == JobStatus.UPLOADED:
        try:
            headers = job_preview(job)["headers"]
        except TableError:
            headers = []
    return render(
        request,
        "exchange/mapping.html",
        {"form": form, "system": system, "job": job, "headers": headers},
    )


def _day_start(day) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


@login_required
def hotline_export(request):
    _require(may_export(request.user, "hotline"))
    form = HotlineExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        until = data["until"] + timedelta(days=1) if data["until"] else None
        note(request, action=f"exchange:export:hotline:{data['system'].slug}")
        content, content_type, filename = export_hotline(
            request.user,
            data["system"],
            since=_day_start(data["since"]),
            until=_day_start(until),
            statuses=data["statuses"],
            file_format=data["file_format"],
        )
        return _download(content, content_type, filename)
    return render(request, "exchange/hotline_export.html", {"form": form})


@login_required
def register_export(request, kind):
    register = _register_or_404(kind)
    _require(may_export(request.user, kind))
    form = RegisterExportForm(request.POST or None)
    can_reveal = register.personal and may_reveal(request.user)
    if request.method == "POST" and form.is_valid():
        # Asking for unmasked data without ``residents.export`` is refused, not quietly masked.
        _require(can_reveal or not form.cleaned_data["reveal"])
        reveal = form.cleaned_data["reveal"]
        note(request, action=f"exchange:export:{kind}{':revealed' if reveal else ''}")
        content, content_type, filename = export_register(
            request.user,
            kind,
            reveal=reveal,
            file_format=form.cleaned_data["file_format"],
        )
        return _download(content, content_type, filename)
    return render(
        request,
        "exchange/register_export.html",
        {"form": form, "register": register, "can_reveal": can_reveal},
    )
