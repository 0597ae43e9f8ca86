"""The import framework every register shares.

A ``Sheet`` describes one kind of file: its columns (our field names, the header we
write and the headers we also accept), how a row is parsed and checked (``parse``
raises ``RowError`` with the reason a person reads in the error file), an optional
per-batch step (``prepare``: bulk lookups so 100,000 rows do not cost 100,000 queries)
and how a checked row is written (``apply``, which calls the owning app's actions).

``run_import`` reads the table in batches. Each batch is one transaction and each row
its own savepoint inside it, so a row is either wholly imported or not at all and a bad
row never takes good ones down with it. Bad rows go to the error file (same columns +
行号 + 错误原因); the job's counts are saved after every batch for the progress bar.
``preview`` parses the first rows the same way without writing anything.
"""

import io
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from exchange.models import ImportJob, JobStatus
from exchange.tabular import ErrorSink, Table, TableError, open_table
from gridgov.errors import ActionError

logger = logging.getLogger(__name__)

BATCH_SIZE = 250
PREVIEW_ROWS = 20
# SQLite's page cache for the importing connection, in KiB (its default is 2 MB): a case
# writes a dozen rows into tables whose indexes soon outgrow 2 MB and every miss is a read
# from the OS (see the "12345 hotline import" section of bench/REPORT.md).
SQLITE_IMPORT_CACHE_KIB = 65536

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# A row the sheet passes over on purpose (not an error: nothing to do with it here).
SKIPPED = "skipped"


class RowError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class HeaderError(ValueError):
    """The file lacks columns the import cannot do without."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


@dataclass
class Row:
    line: int
    cells: list
    values: dict
    data: object = None
    error: str = ""
    outcome: str = ""
    notes: dict = field(default_factory=dict)


class Sheet(ABC):
    """One kind of import. Subclasses set ``kind``, ``title``, ``columns`` and
    implement ``parse`` and ``apply``."""

    kind = ""
    title = ""
    columns: tuple[Column, ...] = ()

    def __init__(self, user=None):
        self.user = user

    # -- headers ---------------------------------------------------------------------

    def mapping(self) -> dict[str, str]:
        """Our field → the header we expect in the file."""
        return {column.key: column.label for column in self.columns}

    def specified(self) -> dict[str, str]:
        """The fields a saved mapping names: our field → its header, or "" for a field
        switched off (not read even when a column has our header or an alias)."""
        return {}

    def resolve(self, headers: list[str]) -> dict[str, int]:
        """Our field → its column position; raises HeaderError for missing required ones.
        A field the mapping names is looked up by that header only; the others by our
        header and the usual aliases."""
        positions = {header: i for i, header in reversed(list(enumerate(headers))) if header}
        mapping, specified = self.mapping(), self.specified()
        found, missing = {}, []
        for column in self.columns:
            if column.key in specified:
                names = (specified[column.key],) if specified[column.key] else ()
            else:
                names = (mapping.get(column.key), column.label, *column.aliases)
            for name in names:
                if name and name in positions:
                    found[column.key] = positions[name]
                    break
            else:
                if column.required:
                    missing.append(mapping.get(column.key) or column.label)
        if missing:
            raise HeaderError(f"文件缺少这些列：{'、'.join(missing)}")
        return found

    # -- rows --------------------------------------------------------------------------

    def begin(self) -> None:  # noqa: B027 (an optional hook)
        """Called once before the first row (build lookup indexes here)."""

    @abstractmethod
    def parse(self, row: Row) -> object:
        """The checked data of a row; raise RowError to reject it."""

    def prepare(self, rows: list[Row]) -> None:  # noqa: B027 (an optional hook)
        """Called with each batch of parsed rows before they are applied."""

    @abstractmethod
    def apply(self, row: Row) -> str:
        """Write one parsed row; return CREATED, UPDATED, UNCHANGED or SKIPPED."""

    def finish(self, job: ImportJob, errors: ErrorSink) -> None:  # noqa: B027 (optional)
        """Called once after the last batch, before the error file is written: set
        ``job.report``/``job.message`` or add rows to ``errors`` (what the file as a whole
        says, e.g. nodes it no longer lists)."""

    def describe(self, row: Row) -> dict:
        """What the preview shows beside a parsed row (where it goes, what it becomes)."""
        return {}

    def counts(self, row: Row) -> dict:
        """Extra counters for the job (e.g. located) from an applied row."""
        return {}


def _values(cells: list, positions: dict[str, int]) -> dict:
    return {key: (cells[i] if i < len(cells) else None) for key, i in positions.items()}


def _error_text(error: Exception) -> str:
    if isinstance(error, RowError):
        return error.reason
    if isinstance(error, ActionError):
        details = "; ".join(
            f"{message}" for messages in error.errors.values() for message in messages
        )
        return f"{error.detail}({details})" if details else error.detail
    return f"数据库拒绝了这一行：{error}"


def preview(sheet: Sheet, table: Table, limit: int = PREVIEW_ROWS) -> dict:
    """The first ``limit`` rows parsed with the mapping, each with its check result."""
    mapping = sheet.mapping()
    result = {
        "headers": table.headers,
        "total": table.total,
        "encoding": table.encoding,
        "columns": [
            {
                "key": column.key,
                "label": column.label,
                "header": mapping.get(column.key, column.label),
                "required": column.required,
                "found": None,
            }
            for column in sheet.columns
        ],
        "missing": "",
        "rows": [],
    }
    try:
        positions = sheet.resolve(table.headers)
    except HeaderError as error:
        result["missing"] = str(error)
        positions = None
    for item in result["columns"]:
        if positions is not None and item["key"] in positions:
            item["found"] = table.headers[positions[item["key"]]]
    if positions is None:
        return result
    sheet.begin()
    rows = []
    for line, cells in table.rows():
        row = Row(line, cells, _values(cells, positions))
        try:
            row.data = sheet.parse(row)
        except RowError as error:
            row.error = error.reason
        rows.append(row)
        if len(rows) >= limit:
            break
    good = [row for row in rows if not row.error]
    sheet.prepare(good)
    for row in rows:
        notes = {}
        if not row.error:
            try:
                notes = sheet.describe(row)
            except RowError as error:
                row.error = error.reason
        result["rows"].append(
            {
                "line": row.line,
                # (column label, value): a phone shows each row as a card of labelled lines.
                "cells": [(column.label, row.values.get(column.key)) for column in sheet.columns],
                "ok": not row.error,
                "reason": row.error,
                "notes": notes,
            }
        )
    return result


class ImportRun:
    """Runs a sheet over a table for a job; ``progress(job)`` is called after each batch."""

    def __init__(self, sheet: Sheet, table: Table, job: ImportJob, progress: Callable = None):
        self.sheet, self.table, self.job = sheet, table, job
        self.progress = progress or (lambda job: None)
        self.errors = ErrorSink(table.headers, table.file_format)

    def run(self) -> ImportJob:
        job = self.job
        positions = self.sheet.resolve(self.table.headers)
        job.total = self.table.total
        job.status, job.started_at = JobStatus.RUNNING, job.started_at or timezone.now()
        job.save(update_fields=["total", "status", "started_at"])
        self.sheet.begin()
        batch: list[Row] = []
        for line, cells in self.table.rows():
            batch.append(Row(line, cells, _values(cells, positions)))
            if len(batch) >= BATCH_SIZE:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        self.sheet.finish(job, self.errors)
        job.total = job.done
        job.status, job.finished_at = JobStatus.DONE, timezone.now()
        if len(self.errors):
            name = f"{job.pk}-错误行{self.errors.suffix}"
            buffer = io.BytesIO()
            self.errors.write(buffer)
            job.error_file.save(f"exchange/errors/{name}", ContentFile(buffer.getvalue()), False)
        job.save()
        self.progress(job)
        return job

    def _batch(self, rows: list[Row]) -> None:
        sheet, job = self.sheet, self.job
        good = []
        for row in rows:
            try:
                row.data = sheet.parse(row)
            except RowError as error:
                row.error = error.reason
            else:
                good.append(row)
        sheet.prepare(good)
        with transaction.atomic():
            for row in good:
                try:
                    with transaction.atomic():
                        row.outcome = sheet.apply(row)
                except (RowError, ActionError, DatabaseError) as error:
                    if isinstance(error, DatabaseError):
                        logger.warning(
                            "import row %s rejected by the database: %s", row.line, error
                        )
                    row.error = _error_text(error)
        for row in rows:
            if row.error:
                self.errors.add(row.line, row.cells, row.error)
                job.failed += 1
            else:
                setattr(job, row.outcome, getattr(job, row.outcome) + 1)
                for key, value in sheet.counts(row).items():
                    setattr(job, key, getattr(job, key) + value)
        job.done += len(rows)
        job.total = max(job.total, job.done)
        job.save(
            update_fields=[
                "total",
                "done",
                "created",
                "updated",
                "unchanged",
                "failed",
                "skipped",
                "located",
            ]
        )
        self.progress(job)


@contextmanager
def bulk_cache():
    """A larger SQLite page cache on this connection while an import runs."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")


def run_job(job: ImportJob, sheet: Sheet, *, path=None, progress: Callable = None) -> ImportJob:
    """Import the job's file (or ``path``); on a file-level problem the job fails with
    the reason in ``message``."""
    started = time.perf_counter()
    try:
        table = open_table(path or job.source.path, job.source_name)
        with bulk_cache():
            ImportRun(sheet, table, job, progress).run()
    except (TableError, HeaderError) as error:
        job.status, job.message, job.finished_at = JobStatus.FAILED, str(error), timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        job.status, job.finished_at = JobStatus.FAILED, timezone.now()
        job.message = f"导入中断：{type(error).__name__}: {error}"[:500]
        job.save(update_fields=["status", "message", "finished_at"])
        raise
    logger.info(
        "import job %s: %s rows in %.1fs (%s created, %s failed)",
        job.pk,
        job.done,
        time.perf_counter() - started,
        job.created,
        job.failed,
    )
    return job
