from django.core.management.base import BaseCommand, CommandError

from audit.retention import (
    anonymise_closed_cases,
    anonymise_finished_orders,
    due_cases,
    due_orders,
    retention_days,
)


class Command(BaseCommand):
    help = (
        "Anonymise the reporter's details of cases closed or rejected more than --days ago, "
        "and the requester of volunteer orders finished that long ago "
        "(default: settings.CASE_RETENTION_DAYS, 730)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="only count the due cases")

    def handle(self, *args, days, dry_run, **options):
        days = retention_days() if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1")
        if dry_run:
            self.stdout.write(
                f"{due_cases(days).count()} cases and {due_orders(days).count()} volunteer "
                "orders would be anonymised"
            )
            return
        count = anonymise_closed_cases(older_than_days=days)
        orders = anonymise_finished_orders(older_than_days=days)
        self.stdout.write(
            f"anonymised {count} cases closed and {orders} volunteer orders finished "
            f"more than {days} days ago"
        )
