from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("志愿服务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from participation.preset import SECTIONS, check_participation
        from presets.sections import register

        register(*SECTIONS, check=check_participation)
