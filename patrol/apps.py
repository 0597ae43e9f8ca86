from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "patrol"
    verbose_name = _("巡查走访")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from patrol.preset import SECTIONS
        from presets.sections import register

        register(*SECTIONS)
        from patrol import visit_panels  # household visits and care: panel, figures, rules

        visit_panels.register()
