"""The peacetime/emergency switch (平急转换, 福州): a subtree switched to emergency mode, its
registered members and emergency teams called up by home grid, their tasks and check-ins."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("平急转换")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from emergency import figures
        from emergency.preset import SECTIONS
        from gridgov.figures import register_figure, register_watch_list
        from org.nav import holds_any, register_nav_link
        from org.panels import register_home_panel
        from presets.sections import register

        register(*SECTIONS)
        # The dashboards (analytics) show these; emergency knows no analytics.
        register_figure("emergency.active", _("应急状态"), figures.count_active, order=31)
        register_watch_list("emergency.active", _("应急状态"), figures.active_rows, order=30)
        # Called-up members check in from the home page; switch holders see what is on.
        register_home_panel("emergency/_home.html", figures.home_panel, order=5)
        register_nav_link(
            _("平急转换"),
            "emergency:index",
            holds_any("emergency.switch", "emergency.command"),
            order=60,
        )
