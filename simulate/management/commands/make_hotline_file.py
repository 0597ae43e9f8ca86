import time

from django.core.management.base import BaseCommand, CommandError

from exchange.models import HotlineSystem
from simulate.hotlinegen import REJECTED_KINDS, HotlineFileGenerator


class Command(BaseCommand):
    help = (
        "Write a synthetic 12345 work-order file (CSV or XLSX) drawn from the generated "
        "city, with a share of rows wrong on purpose."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1000)
        parser.add_argument("--out", required=True, help="FILE.csv or FILE.xlsx")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--system", default="hotline-12345", help="whose headers to use")
        parser.add_argument("--bad-share", type=float, default=0.05)
        parser.add_argument("--coordinate-share", type=float, default=0.2)
        parser.add_argument(
            "--encoding", default="utf-8-sig", help="CSV encoding: utf-8-sig, utf-8, gbk"
        )

    def handle(
        self, *args, rows, out, seed, system, bad_share, coordinate_share, encoding, **options
    ):
        if rows < 1:
            raise CommandError("--rows must be at least 1")
        hotline = HotlineSystem.objects.filter(slug=system).first()
        started = time.perf_counter()
        try:
            generator = HotlineFileGenerator(
                rows,
                seed=seed,
                system=hotline,
                bad_share=bad_share,
                coordinate_share=coordinate_share,
            )
            generator.write(out, encoding=encoding)
        except (ValueError, LookupError) as error:
            raise CommandError(str(error)) from None
        bad = sum(generator.counts.values())
        rejected = sum(generator.counts[k] for k in REJECTED_KINDS)
        self.stdout.write(
            f"写入 {out}: {rows} 行, 其中故意出错 {bad} 行 "
            f"({', '.join(f'{k} {v}' for k, v in generator.counts.items())}); "
            f"应被拒绝 {rejected} 行。用时 {time.perf_counter() - started:.1f} 秒"
        )
