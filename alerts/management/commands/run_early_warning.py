"""The daily early-warning job (每日研判) by hand: one day, or a range (catch-up).

    manage.py run_early_warning --day 2026-11-29
    manage.py run_early_warning --from 2026-11-01 --to 2026-11-29 [--rule alerts.hotspot]

Without a date: yesterday (local time). Owners are told of new warnings for a single day;
a range is a catch-up and tells nobody (``--notify`` to tell them anyway).
"""

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alerts.warnings.job import run_days
from gridgov.early_warning import rules


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        # argparse turns this into a usage error (CommandError), not a traceback.
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "运行每日研判（预警）任务：某一天，或一段日期。"

    def add_arguments(self, parser):
        parser.add_argument("--day", type=_date)
        parser.add_argument("--from", dest="first", type=_date)
        parser.add_argument("--to", dest="last", type=_date)
        keys = [rule.key for rule in rules()]
        parser.add_argument("--rule", action="append", choices=keys, help="只运行这些规则")
        parser.add_argument("--notify", action="store_true", help="补跑时也通知责任人")

    def handle(self, *args, day=None, first=None, last=None, rule=None, notify=False, **options):
        if day and (first or last):
            raise CommandError("--day 与 --from/--to 只能选一种")
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        if day:
            first = last = day
        first = first or last or yesterday
        last = last or (first if day else yesterday)
        if last < first:
            raise CommandError("--to 不能早于 --from")
        if last > yesterday:
            # The rules judge the end of a day: today's would call alarms pressed a minute
            # ago unanswered and a contact due today missed.
            raise CommandError(f"只能研判已经结束的日子（最晚 {yesterday}），{last} 还没有结束")
        single = first == last
        summary = run_days(
            first,
            last,
            notify_owners=notify or single,
            progress=lambda line: self.stdout.write(line),
            only=set(rule) if rule else None,
        )
        self.stdout.write(
            f"共 {summary.days} 天：信号 {summary.signals}，新增预警 {summary.created}，"
            f"更新 {summary.updated}，用时 {summary.seconds:.1f} 秒"
        )
        for failed_day, key, error in summary.failed:
            self.stderr.write(f"失败：{failed_day} {key}: {error}")
        if summary.failed:
            raise CommandError(f"{len(summary.failed)} 个规则运行失败")
