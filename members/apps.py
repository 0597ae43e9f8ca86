"""Registrations of in-service party members and cadres at their home community (双报到):
employer unit, home grid, skills. Emergency call-ups use them; volunteer work will too."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("双报到")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from gridgov.figures import register_figure
        from members import figures
        from org.panels import register_home_panel

        # The dashboards (analytics) show it; members knows no analytics.
        register_figure(
            "members.registered", _("双报到党员干部"), figures.count_registered, order=30
        )
        register_home_panel("members/_home.html", figures.home_panel, order=40)
