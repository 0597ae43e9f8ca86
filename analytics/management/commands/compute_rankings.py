"""Compute the assessment rankings of past months now (the nightly task does this month and
the last): after loading a demo city with a year of history, or after changing the scheme."""

from django.core.management.base import BaseCommand, CommandError

from analytics.assessment import compute_month, parse_month, previous_month, this_month


class Command(BaseCommand):
    help = "计算考核排名：最近 N 个月（或 --month 指定的一个月），已公布的不再变动"

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=1, help="最近几个月（含本月）")
        parser.add_argument("--month", help="只算这一个月，YYYY-MM")

    def handle(self, *args, months, month, **options):
        if month:
            first = parse_month(month)
            if first is None:
                raise CommandError(f"月份应为 YYYY-MM: {month!r}")
            wanted = [first]
        else:
            if not 1 <= months <= 120:
                raise CommandError("--months 应在 1 到 120 之间")
            wanted, current = [], this_month()
            for _index in range(months):
                wanted.append(current)
                current = previous_month(current)
        for first in sorted(wanted):
            changed = compute_month(first)
            done = ", ".join(
                f"{kind}{'' if moved else '(未变)'}" for kind, moved in changed.items()
            )
            self.stdout.write(f"{first:%Y-%m}: {done or '方案未设排名'}")
