from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = "居民"

    def ready(self):
        from presets.sections import register
        from residents.preset import SECTIONS, do_load_tags

        register(*SECTIONS, load=do_load_tags)
