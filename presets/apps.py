from django.apps import AppConfig


class PresetsConfig(AppConfig):
    name = "presets"
    verbose_name = "预设模式"

    def ready(self):
        from presets.preset import SECTIONS
        from presets.sections import register

        register(*SECTIONS)
