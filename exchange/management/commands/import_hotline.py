from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.access import may_import
from exchange.hotline import HotlineSheet
from exchange.importing import preview
from exchange.jobs import execute_job
from exchange.models import HotlineSystem, ImportJob, ImportKind, JobStatus
from exchange.progress import ProgressBar
from exchange.tabular import TableError, open_table
from org.models import User


class Command(BaseCommand):
    help = (
        "Import 12345 work orders from a CSV or XLSX file with a hotline system's saved "
        "column mapping. Idempotent on the ticket number; bad rows go to an error file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--system", default="hotline-12345", help="hotline system slug")
        parser.add_argument(
            "--user",
            help="import as this account (its scope applies); default: the system itself",
        )
        parser.add_argument(
            "--preview", action="store_true", help="only check the first 20 rows, write nothing"
        )

    def handle(self, *args, file, system, user, preview: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"没有文件 {path}")
        hotline = HotlineSystem.objects.filter(slug=system, is_active=True).first()
        if hotline is None:
            known = ", ".join(HotlineSystem.objects.values_list("slug", flat=True))
            raise CommandError(f"没有热线系统 {system!r}(已有: {known})")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None or not may_import(actor, "hotline"):
                raise CommandError(f"账号 {user} 不存在或不能导入工单")
        if preview:
            return self._preview(HotlineSheet(actor, hotline), path)
        job = ImportJob.objects.create(
            kind=ImportKind.HOTLINE,
            system=hotline,
            user=actor,
            source_name=str(path.resolve())[:300],
            status=JobStatus.QUEUED,
        )
        bar = ProgressBar(self.stderr)
        job = execute_job(job.pk, progress=bar, path=path)
        if job.status == JobStatus.FAILED:
            raise CommandError(job.message)
        rate = job.done / bar.elapsed if bar.elapsed else 0
        summary = (
            f"共 {job.done} 行: 新建 {job.created}, 已存在未改动 {job.unchanged}, 失败 {job.failed}"
        )
        if job.created:
            summary += f"; 定位到网格 {job.located}({job.located / job.created:.1%} 的新建工单)"
        self.stdout.write(summary)
        self.stdout.write(f"用时 {bar.elapsed:.1f} 秒, {rate:,.0f} 行/秒")
        if job.error_file:
            self.stdout.write(f"错误行: {job.error_file.path}")

    def _preview(self, sheet, path):
        try:
            result = preview(sheet, open_table(path))
        except TableError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"共 {result['total']} 行, 编码 {result['encoding'] or 'xlsx'}")
        for column in result["columns"]:
            self.stdout.write(f"  {column['label']:<6} ← {column['found'] or '(无)'}")
        if result["missing"]:
            raise CommandError(result["missing"])
        for row in result["rows"]:
            mark = "✓" if row["ok"] else "✗ " + row["reason"]
            notes = " ".join(f"{v}" for v in row["notes"].values())
            self.stdout.write(f"第 {row['line']} 行 {mark} {notes}")
