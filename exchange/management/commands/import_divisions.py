from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.access import may_import
from exchange.importing import run_job
from exchange.models import ImportJob, ImportKind, JobStatus
from exchange.progress import ProgressBar
from exchange.registers.divisions import DivisionSheet
from org.models import User


class Command(BaseCommand):
    help = (
        "Import administrative divisions (GB/T 2260 / 统计用区划代码, 4/6/9/12 digits or "
        "12-digit right-padded) and grids into the loaded preset's tree, from CSV or XLSX "
        "(编码, 名称, 上级编码, 层级, 网格类型; or the statistics bureau's code, name, "
        "parent_code, level). Idempotent on the code; nothing is ever deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report, write nothing"
        )
        parser.add_argument("--user", help="import as this account (its scope applies)")

    def handle(self, *args, file, dry_run: bool, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"没有文件 {path}")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None or not may_import(actor, "divisions"):
                raise CommandError(f"账号 {user} 不存在或不能导入区划")
        job = ImportJob.objects.create(
            kind=ImportKind.DIVISIONS,
            user=actor,
            source_name=str(path.resolve())[:300],
            status=JobStatus.RUNNING,
        )
        sheet = DivisionSheet(actor, dry_run=dry_run)
        job = run_job(job, sheet, path=path, progress=ProgressBar(self.stderr))
        if job.status == JobStatus.FAILED:
            raise CommandError(job.message)
        self.stdout.write(
            f"共 {job.done} 行: 新建 {job.created}, 更新 {job.updated}, 未变化 {job.unchanged}, "
            f"跳过 {job.skipped}, 失败 {job.failed}" + (" (试运行, 没有写入)" if dry_run else "")
        )
        if job.message:
            self.stdout.write(job.message)
        for entry in job.report:
            self.stdout.write(
                f"  {entry['kind']:<8} {entry['code']} {entry['name']}: {entry['detail']}"
            )
        if job.error_file:
            self.stdout.write(f"错误行和需核对的节点: {job.error_file.path}")
