from django.core.management.base import BaseCommand, CommandError

from presets.loader import PresetError, available_presets, do_load_preset


class Command(BaseCommand):
    help = "Load one of the seed presets (levels, roles, tiers, channels…) and make it active."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=available_presets())

    def handle(self, *args, name, **options):
        try:
            record = do_load_preset(name)
        except PresetError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"已加载预设 {record.key}: {record.title}"))
