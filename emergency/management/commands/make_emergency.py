from django.core.management.base import BaseCommand

from emergency.demo import EmergencyGenerator
from members.models import Registration


class Command(BaseCommand):
    help = (
        "Generate the demo's 平急转换 on the generated city: 双报到 registrations, emergency "
        "teams and one past emergency (switched, called up, tasks, check-ins, ended)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="skip when registrations exist")

    def handle(self, *args, seed, if_empty, **options):
        if if_empty and Registration.objects.exists():
            self.stdout.write("数据库里已有双报到登记，跳过生成。")
            return
        counts = EmergencyGenerator(seed=seed).run()
        summary = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
        self.stdout.write(f"平急转换演示数据: {summary}")
