from django.core.management.base import BaseCommand, CommandError

from analytics.report_actions import generate_reports, make_due_reports, rhythm_of
from analytics.rhythm import parse_period, report_nodes
from org.models import OrgNode
from presets.loader import PresetError, active_preset


class Command(BaseCommand):
    help = (
        "Generate the periodic reports the preset's [[reporting]] rhythm owes (as the hourly "
        "task does), or those of one rhythm, period and node. Nothing is generated twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rhythm", default="", help="rhythm key: dispatch, inspection…")
        parser.add_argument(
            "--period", default="", help="2026-03 (the month, or the quarter/half holding it)"
        )
        parser.add_argument(
            "--node", default="", help="only this node code (default: the rhythm's levels)"
        )

    def handle(self, *args, rhythm, period, node, **options):
        try:
            rhythms = active_preset().reporting
        except PresetError as error:
            raise CommandError(str(error)) from None
        if not period and not node:
            runs = make_due_reports(rhythm_key=rhythm or None)
            for run in runs:
                self.stdout.write(f"{run.rhythm} {run.period_key}: {run.created} 份新报告")
            self.stdout.write(f"共 {sum(run.created for run in runs)} 份新报告")
            return
        if not period:
            raise CommandError("指定 --node 时也要指定 --period")
        chosen = list(rhythms)
        if rhythm:
            try:
                chosen = [rhythm_of(rhythm)]
            except LookupError as error:
                raise CommandError(str(error)) from None
        created = 0
        for one in chosen:
            try:
                when = parse_period(period, one.every_months)
            except ValueError as error:
                raise CommandError(str(error)) from None
            nodes = report_nodes(one)
            if node:
                nodes = OrgNode.objects.filter(code=node).select_related("level")
                if not nodes.exists():
                    raise CommandError(f"没有节点 {node}")
            run = generate_reports(one, when, nodes, code=node)
            created += run.created
            self.stdout.write(
                f"{one.key} {when.key}: {run.done}/{run.total} 个节点, {run.created} 份新报告"
            )
        self.stdout.write(f"共 {created} 份新报告")
