import time

from django.core.management.base import BaseCommand

from patrol.models.patrols import Patrol
from patrol.patrols_demo import PatrolGenerator


class Command(BaseCommand):
    help = (
        "Generate a month of demo patrols for the generated city's grid workers: tracks, "
        "findings (人房地事物) and patrol cases, with their timelines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--if-empty", action="store_true", help="skip when patrols exist")

    def handle(self, *args, seed, days, if_empty, **options):
        if if_empty and Patrol.objects.exists():
            self.stdout.write("数据库里已有巡查记录，跳过生成。")
            return
        began = time.monotonic()
        counts = PatrolGenerator(seed=seed, days=days).run()
        summary = ", ".join(f"{key} {value}" for key, value in counts.items())
        self.stdout.write(f"巡查演示数据: {summary}（{time.monotonic() - began:.1f} 秒）")
