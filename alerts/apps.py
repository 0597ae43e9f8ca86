from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("求助预警")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alerts.preset import SECTIONS, check_early_warning
        from presets.sections import register

        register(*SECTIONS, check=check_early_warning)
