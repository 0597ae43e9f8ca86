from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import MIN_KEEP_DAYS, AuditLog


class Command(BaseCommand):
    help = f"Remove audit rows older than --keep-days (at least {MIN_KEEP_DAYS}: six months)."

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, required=True)

    def handle(self, *args, keep_days, **options):
        if keep_days < MIN_KEEP_DAYS:
            raise CommandError(
                f"--keep-days {keep_days}: audit records are kept at least {MIN_KEEP_DAYS} days"
            )
        cutoff = timezone.now() - timezone.timedelta(days=keep_days)
        removed = AuditLog.objects.prune(cutoff)
        self.stdout.write(f"removed {removed} audit rows older than {cutoff:%Y-%m-%d %H:%M}")
