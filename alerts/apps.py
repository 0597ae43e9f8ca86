"""The safety net: one-click SOS from wristbands and elder phones with its escalation chain,
and the daily early warning (每日研判: 反向比对, hotspots, repeats…) (issue 13)."""

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
        self.ready_sos()
        self.ready_warnings()

    def ready_sos(self):
        """SOS: the escalation task, the home panel, the watch list, the warning rule."""
        import alerts.sos.tasks  # noqa: F401  (the periodic escalation sweep)
        from alerts.sos import offers
        from alerts.sos.access import may_see_alarms
        from gridgov.early_warning import register_rule
        from gridgov.figures import register_watch_list
        from org.nav import register_nav_link
        from org.panels import register_home_panel

        register_home_panel("alerts/sos/_home.html", offers.home_panel, order=5)
        register_watch_list("alerts.sos", _("SOS 求助"), offers.open_sos, order=10)
        # Shown to exactly those who may open the list, as the home panel.
        register_nav_link(_("求助"), "alerts:sos_list", may_see_alarms, order=40)
        register_rule("alerts.sos_unanswered", _("一键求助未及时响应"), offers.unanswered, order=30)

    def ready_warnings(self):
        """Early warning's rules, home panel and watch list."""
        from alerts.warnings.hotspots import hotspots
        from alerts.warnings.panels import WATCH_LABEL, home_panel, watch_rows
        from alerts.warnings.repeats import repeats
        from alerts.warnings.reverse import blind_spots
        from alerts.warnings.turning_red import turning_red
        from gridgov.early_warning import register_rule
        from gridgov.figures import register_watch_list
        from org.nav import holds_any, register_nav_link
        from org.panels import register_home_panel

        register_rule("alerts.blind_spot", _("反向比对：巡查盲区"), blind_spots, order=10)
        register_rule("alerts.hotspot", _("热点"), hotspots, order=20)
        register_rule("alerts.repeat", _("重复投诉"), repeats, order=30)
        register_rule("alerts.turning_red", _("即将超期"), turning_red, order=35, clears=True)
        register_home_panel("alerts/warnings/_home.html", home_panel, order=15)
        register_watch_list("alerts.warnings", WATCH_LABEL, watch_rows, order=20)
        register_nav_link(_("预警"), "alerts:warnings", holds_any("alerts.handle"), order=50)
