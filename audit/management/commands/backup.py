from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, backup_database


class Command(BaseCommand):
    help = (
        "Back up the database to OUT: SQLite through the online backup API (safe while the "
        "site runs), PostgreSQL with pg_dump --format=custom."
    )

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        try:
            path = backup_database(out, database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"backed up {database} to {path} ({path.stat().st_size} bytes)")
