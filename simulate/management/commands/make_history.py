import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from presets.loader import PresetError
from simulate.caseplan import CaseGenerationError
from simulate.historygen import HistoryGenerator, has_history, sync_aggregates


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--before: not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Generate months of history in bulk before the cases there are (the month make_cases "
        "drives through the real actions), so dashboards show a year. Deterministic by seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=11)
        parser.add_argument("--per-day", type=int, default=30, help="average new cases a day")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--before",
            type=_date,
            default=None,
            help="the history ends at this local date's midnight (default: the first day "
            "of the cases there are, or 30 days ago)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when history was generated"
        )

    def handle(self, *args, months, per_day, seed, before, if_empty, **options):
        if if_empty and has_history():
            self.stdout.write("数据库里已有历史诉求,跳过生成。")
            return
        try:
            generator = HistoryGenerator(
                months=months, per_day=per_day, seed=seed, before=before, progress=self.stdout.write
            )
            summary = generator.run()
        except (PresetError, CaseGenerationError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"历史生成完成 (seed {seed}) 用时 {summary['seconds']} 秒: "
                f"{summary['cases']} 件诉求, "
                f"{summary['events']} 条办理记录, {summary['assignments']} 条派单 "
                f"({summary['cases'] / max(summary['seconds'], 0.1):.0f} 件/秒)"
            )
        )
        statuses = {k: v for k, v in summary.items() if k in generator.status_names}
        self.stdout.write("  状态: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
        synced = sync_aggregates()
        self.stdout.write(f"  统计汇总: 核对 {synced['checked']} 件, 更新 {synced['changed']} 件")
