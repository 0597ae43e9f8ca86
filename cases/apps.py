from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "诉求事件"

    def ready(self):
        from cases.preset import SECTIONS
        from presets.sections import register

        register(*SECTIONS)
