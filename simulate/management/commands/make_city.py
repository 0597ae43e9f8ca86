import time

from django.core.management.base import BaseCommand, CommandError

from presets.loader import PresetError, available_presets, do_load_preset
from simulate.citygen import SCALES, CityGenerationError, CityGenerator


class Command(BaseCommand):
    help = "Generate a deterministic synthetic city for a preset into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=available_presets(), required=True)
        parser.add_argument("--scale", choices=list(SCALES), default="county")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has a city",
        )

    def handle(self, *args, preset, scale, seed, if_empty, **options):
        from org.models import OrgNode

        if if_empty and OrgNode.objects.exists():
            # Reloading is idempotent, and creates setup state that a newer version writes
            # at load time (hotline systems…) in a database generated before it.
            try:
                do_load_preset(preset)
            except PresetError as error:
                self.stdout.write(self.style.WARNING(f"未重新加载预设: {error}"))
            self.stdout.write("数据库里已有城市,跳过生成。")
            return
        started = time.perf_counter()
        try:
            do_load_preset(preset)
            result = CityGenerator(scale, seed, progress=self.stdout.write).run()
        except (PresetError, CityGenerationError) as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"生成完成 ({preset}, {scale}, seed {seed}) 用时 {elapsed:.1f} 秒: "
                f"{result['grids']} 个网格, {result['households']} 户, "
                f"{result['residents']} 名居民, "
                f"{result['staff']} 名工作人员, {result['partners']} 个共建单位"
            )
        )
