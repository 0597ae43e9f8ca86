"""Demo warnings: the daily job over the last ``--days`` days of the demo (ending
yesterday, local time), each day's run recorded at 05:30 the next morning, telling nobody
(a catch-up); then, deterministically by ``--seed``, the grid workers acknowledge some of
the warnings older than a week and deal with others, so the pages show every status.

    manage.py make_warnings --days 30 --seed 1 [--if-empty]
"""

import datetime as dt
import random

from django.core.management.base import BaseCommand
from django.utils import timezone

from alerts.models import Warning, WarningStatus
from alerts.warnings.job import morning_after, run_days
from alerts.warnings.workflow import do_warning_action
from outbox.notify import held_delivery

NOTES = ["已到现场核实，纳入巡查重点", "已补充巡查并上报", "已与居民电话沟通", "已在每日研判会通报"]


class Command(BaseCommand):
    help = "在演示数据上补跑最近若干天的每日研判，生成预警。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="已有预警时跳过")
        parser.add_argument(
            "--to", type=dt.date.fromisoformat, default=None, help="最后一天，默认昨天"
        )

    def handle(self, *args, days, seed, if_empty, to=None, **options):
        if if_empty and Warning.objects.exists():
            self.stdout.write("数据库里已有预警，跳过生成。")
            return
        last = to or timezone.localdate() - dt.timedelta(days=1)
        first = last - dt.timedelta(days=days - 1)
        summary = run_days(
            first,
            last,
            notify_owners=False,
            progress=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
            at_for=morning_after,
        )
        handled = self._handle_some(last, seed)
        kinds = "，".join(f"{kind} {n}" for kind, n in sorted(summary.by_kind.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"预警生成完成 (seed {seed})：{first}—{last} 共 {summary.days} 天，"
                f"新增 {summary.created}（{kinds or '无'}），签收 {handled['acknowledge']}，"
                f"处置 {handled['deal']}，用时 {summary.seconds:.1f} 秒"
            )
        )
        for failed_day, key, error in summary.failed:
            self.stderr.write(f"失败：{failed_day} {key}: {error}")

    def _handle_some(self, last: dt.date, seed: int) -> dict:
        """Owners acknowledge about a quarter of the warnings last seen over a week ago and
        deal with about a half (at a working hour after the run that found them)."""
        rng = random.Random(seed)
        done = {"acknowledge": 0, "deal": 0}
        old = Warning.objects.filter(
            status=WarningStatus.OPEN,
            owner__isnull=False,
            last_seen__lt=last - dt.timedelta(days=7),
        ).select_related("owner")
        with held_delivery():
            for warning in old.order_by("pk"):
                draw = rng.random()
                moment = morning_after(warning.last_seen) + dt.timedelta(hours=3 + rng.randrange(6))
                if draw < 0.5:
                    do_warning_action(
                        warning.pk,
                        "deal",
                        actor=warning.owner,
                        version=warning.version,
                        data={"note": rng.choice(NOTES)},
                        at=moment,
                    )
                    done["deal"] += 1
                elif draw < 0.75:
                    do_warning_action(
                        warning.pk,
                        "acknowledge",
                        actor=warning.owner,
                        version=warning.version,
                        at=moment,
                    )
                    done["acknowledge"] += 1
        return done
