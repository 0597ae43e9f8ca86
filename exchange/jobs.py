"""Import jobs from upload to result, and exports with their audit record."""

import io
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from exchange.access import may_reveal
from exchange.hotline import HotlineSheet, export_cases, export_table
from exchange.importing import Sheet, preview, run_job
from exchange.models import ExportRecord, ImportJob, ImportKind, JobStatus
from exchange.registers import REGISTERS
from exchange.tabular import open_table, write_csv, write_xlsx
from org.scoping import scope_prefixes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def sheet_for(job: ImportJob) -> Sheet:
    if job.kind == ImportKind.HOTLINE:
        return HotlineSheet(job.user, job.system)
    return REGISTERS[job.kind].sheet(job.user)


def job_preview(job: ImportJob) -> dict:
    table = open_table(job.source.path, job.source_name)
    return preview(sheet_for(job), table)


def execute_job(job_id: int, progress=None, path=None) -> ImportJob | None:
    """Claim a queued job and run it; None when it is gone or someone else took it."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("system", "user").get(pk=job_id)
    return run_job(job, sheet_for(job), path=path, progress=progress)


# -- exports ---------------------------------------------------------------------------------


def _file(file_format: str, title: str, headers, rows) -> tuple[bytes, str, str]:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "csv":
        text = io.StringIO()
        write_csv(text, headers, rows)
        return text.getvalue().encode("utf-8"), CSV_TYPE, f"{title}-{stamp}.csv"
    buffer = io.BytesIO()
    write_xlsx(buffer, [(title, headers, rows)])
    return buffer.getvalue(), XLSX_TYPE, f"{title}-{stamp}.xlsx"


def _scope_text(user, personal: bool) -> str:
    prefixes = scope_prefixes(user, personal=personal)
    return "全部" if prefixes is None else ",".join(sorted(prefixes))[:300]


def export_register(user, kind: str, *, reveal: bool, file_format: str):
    """(content, content type, file name) of a register in the user's scope."""
    register = REGISTERS[kind]
    reveal = bool(reveal and register.personal and may_reveal(user))
    with transaction.atomic():
        headers, rows = register.export(user, reveal=reveal)
        ExportRecord.objects.create(
            user=user,
            kind=kind,
            scope=_scope_text(user, register.personal),
            rows=len(rows),
            revealed=reveal,
            file_format=file_format,
        )
    return _file(file_format, register.title, headers, rows)


def export_hotline(
    user, system, *, since: datetime | None, until: datetime | None, statuses, file_format: str
):
    cases = export_cases(system, user, since=since, until=until, statuses=statuses)
    headers, rows = export_table(system, cases)
    ExportRecord.objects.create(
        user=user,
        kind=f"hotline:{system.slug}",
        scope=_scope_text(user, True),
        rows=len(rows),
        revealed=False,
        file_format=file_format,
    )
    return _file(file_format, f"{system.name}办理结果", headers, rows)
