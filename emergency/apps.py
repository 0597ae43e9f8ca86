from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("平急转换")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from emergency.preset import SECTIONS
        from presets.sections import register

        register(*SECTIONS)
