"""``manage.py rebuild_aggregates``: every fact and cell from scratch (``--sync``: only
the cases whose fact is missing or stale)."""

import time

from django.core.management.base import BaseCommand

from analytics.aggregates import rebuild, sync


class Command(BaseCommand):
    help = "重建统计事实和汇总单元（--sync 只补齐缺失或过期的）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync", dest="only_stale", action="store_true", help="只同步缺失或过期的事实"
        )

    def handle(self, *args, only_stale: bool, **options):
        began = time.perf_counter()
        counts = sync() if only_stale else rebuild()
        seconds = time.perf_counter() - began
        self.stdout.write(f"{counts} in {seconds:.1f} s")
