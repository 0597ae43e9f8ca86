from django.core.management.base import BaseCommand

from participation.models import ServiceOrder
from simulate.participationgen import ParticipationGenerator


class Command(BaseCommand):
    help = (
        "Generate demo volunteering and credit for the generated city through the real "
        "actions: credit stores, good deeds, orders and micro-wishes, redemptions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="skip when orders exist")

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and ServiceOrder.objects.exists():
            self.stdout.write("数据库里已有志愿服务订单,跳过生成。")
            return
        counts = ParticipationGenerator(seed=seed).run()
        summary = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
        self.stdout.write(f"志愿服务与信用积分演示数据: {summary}")
