from django.core.management.base import BaseCommand, CommandError

from audit.backup import BackupError, restore_database


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database. Refuses "
        "a database that holds any row unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="IN")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty database"
        )

    def handle(self, *args, source, database, force, **options):
        try:
            restore_database(source, database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {source} into {database}")
