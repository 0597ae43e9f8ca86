"""Demo SOS data: vendors, devices bound to key-population residents, a month of alarms
(``alerts.sos.demo``).

    manage.py make_alarms --seed 1 --days 30 [--if-empty]
"""

from django.core.management.base import BaseCommand

from alerts.models import Alarm
from alerts.sos.demo import AlarmGenerator


class Command(BaseCommand):
    help = "生成演示用的求助设备和近一个月的一键求助告警。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--if-empty", action="store_true", help="已有告警时跳过")

    def handle(self, *args, seed, days, if_empty, **options):
        if if_empty and Alarm.objects.exists():
            self.stdout.write("数据库里已有求助告警，跳过生成。")
            return
        counts = AlarmGenerator(seed=seed, days=days).run()
        self.stdout.write(
            self.style.SUCCESS(
                "求助演示数据：厂商 {vendors}，设备 {devices}，告警 {alarms}"
                "（升级 {escalated}，误报 {false}）".format(**counts)
            )
        )
