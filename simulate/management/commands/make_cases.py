from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case
from presets.loader import PresetError
from simulate.casegen import CaseGenerationError, CaseGenerator, demo_work


def _moment(value: str):
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(f"--now: not an ISO 8601 time: {value!r}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _counts(counts: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counts.items(), key=str))


class Command(BaseCommand):
    help = (
        "Generate a deterministic month of cases ending now for the generated city, each "
        "driven through the real case actions (intake, dispatch, whistle, callback…)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--per-day", type=int, default=30, help="average new cases a day")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--now", type=_moment, default=None, help="end of the month (ISO 8601); default now"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when there are cases already"
        )

    def handle(self, *args, days, per_day, seed, now, if_empty, **options):
        if if_empty and Case.objects.exists():
            self.stdout.write("数据库里已有诉求案件,跳过生成。")
            return
        try:
            generator = CaseGenerator(
                days=days, per_day=per_day, seed=seed, now=now, progress=self.stdout.write
            )
            summary = generator.run()
        except (PresetError, CaseGenerationError) as error:
            raise CommandError(str(error)) from None
        for error in generator.errors[:20]:
            self.stderr.write(f"操作失败: {error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"生成完成 (seed {seed}) 用时 {summary['seconds']} 秒: {summary['cases']} 件诉求, "
                f"{summary['actions']} 次办理操作, {summary['events']} 条办理记录"
            )
        )
        self.stdout.write(f"  状态: {_counts(summary['status'])}")
        self.stdout.write(f"  在办亮灯: {_counts(summary['open_light'])}")
        self.stdout.write(f"  渠道: {_counts(summary['channel'])}")
        self.stdout.write(f"  层级: {_counts(summary['tier'])}")
        self.stdout.write(
            f"  吹哨 {summary['whistles']} (已报到 {summary['reported_in']}, 迟报 "
            f"{summary['late_report_ins']}, 待报到 {summary['pending_report_ins']}), "
            f"延期申请 {summary['extensions_requested']} (批准 {summary['extensions_approved']}), "
            f"上报 {summary['escalations']}, 退单 {summary['returns']}, 催办 {summary['urges']}, "
            f"督办 {summary['supervisions']}, 重办 {summary['reopened']}, "
            f"合并 {summary['merged']}, 公示 {summary['published']}"
        )
        self.stdout.write(f"  满意度(已销号): {_counts(summary['satisfaction'])}")
        self.stdout.write(f"  演示账号待办: {_counts(demo_work())}")
        if generator.errors:
            raise CommandError(f"{len(generator.errors)} 次操作失败")
