from django.core.management.base import BaseCommand

from org.models import User
from simulate.citygen import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts of the generated city."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        users = (
            User.objects.filter(username__startswith="demo-")
            .prefetch_related("assignments__role", "assignments__node", "assignments__department")
            .order_by("pk")
        )
        self.stdout.write(f"\n网格化社区治理平台演示: {url}  (所有演示账号密码: {DEMO_PASSWORD})\n")
        for user in users:
            roles = (
                "; ".join(
                    f"{a.role.name} @ {a.department.name if a.department else a.node.name}"
                    for a in user.assignments.all()
                )
                or "超级管理员"
            )
            self.stdout.write(f"  {user.username:<16} {user.display_name:<6} {roles}")
        self.stdout.write("")
