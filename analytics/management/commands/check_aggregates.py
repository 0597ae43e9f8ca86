"""``manage.py check_aggregates``: every fact recomputed from the case rows and every cell
from the facts, each difference reported; exit code 1 if there is any."""

import sys

from django.core.management.base import BaseCommand

from analytics.aggregates import cell_differences, fact_differences


class Command(BaseCommand):
    help = "核对统计事实和汇总单元：与案件原始记录重新计算的结果逐项比较，有差异时退出码为 1"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="最多列出多少条差异")

    def handle(self, *args, limit, **options):
        found = 0
        for case_id, field, stored, recomputed in fact_differences():
            found += 1
            if found <= limit:
                self.stdout.write(
                    f"fact case={case_id} {field}: stored {stored!r}, recomputed {recomputed!r}"
                )
        for (node, period, start, dim, value), measure, stored, recomputed in cell_differences():
            found += 1
            if found <= limit:
                self.stdout.write(
                    f"cell node={node} period={period}{start} dim={dim or '-'}={value} "
                    f"{measure}: stored {stored}, recomputed {recomputed}"
                )
        if found:
            self.stderr.write(f"{found} 处差异")
            sys.exit(1)
        self.stdout.write("统计汇总一致")
