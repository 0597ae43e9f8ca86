from django.core.management.base import BaseCommand, CommandError

from catalog.calendar import PACKAGE_YEARS, seed_calendar


class Command(BaseCommand):
    help = "Seed the working-day calendar from the chinese-calendar package (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=int, default=PACKAGE_YEARS.start)
        parser.add_argument("--to", dest="last", type=int, default=PACKAGE_YEARS.stop - 1)

    def handle(self, *args, first, last, **options):
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}")
        seeded = seed_calendar(range(first, last + 1))
        skipped = sorted(set(range(first, last + 1)) - set(seeded))
        if seeded:
            self.stdout.write(f"seeded {seeded[0]}–{seeded[-1]} ({len(seeded)} years)")
        if skipped:
            self.stdout.write(
                f"skipped {', '.join(map(str, skipped))}: unknown to chinese-calendar "
                "or entered by an administrator"
            )
