from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("志愿服务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.figures import register_figure
        from participation import figures
        from participation.preset import SECTIONS, check_participation
        from presets.sections import register

        register(*SECTIONS, check=check_participation)
        # The dashboards (analytics) show these; participation knows no analytics.
        register_figure("participation.volunteers", _("志愿者"), figures.count_volunteers, order=20)
        register_figure(
            "participation.open_orders", _("待接单"), figures.count_open_orders, order=21
        )
        register_figure(
            "participation.done_orders", _("已完成服务"), figures.count_done_orders, order=22
        )
        register_figure(
            "participation.service_hours", _("志愿服务时长"), figures.service_hours, order=23
        )
