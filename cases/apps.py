from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "诉求事件"

    def ready(self):
        from cases.classified import confirmed_examples
        from cases.preset import SECTIONS
        from catalog.retrain import register_examples
        from presets.sections import register

        register(*SECTIONS)
        register_examples(confirmed_examples)

        from cases.views.common import workbench
        from idempotency.offline_pages import register_offline_page

        # The grid's to-do list opens offline on the phones of those who work it.
        register_offline_page("cases:queue", lambda user: workbench(user)["queue"])
