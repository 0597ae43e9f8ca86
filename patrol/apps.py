"""The grid worker's day in the field: patrols with their tracks and findings, household
visits and their coverage, key populations' care schedules and contacts (issue 13)."""

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
        self.ready_patrols()
        from patrol import visit_panels  # household visits and care: panel, figures, rules

        visit_panels.register()
        from patrol import case_origins  # a case filed from a finding or a visit links back

        case_origins.register()
        self.ready_nav()

    def ready_nav(self):
        """The header's 外勤 links (org.nav) and the pages phones keep offline
        (idempotency.offline_pages), for those who hold the page's verb."""
        from idempotency.offline_pages import register_offline_page
        from org.nav import holds_any, register_nav_link

        pages = [
            (_("今日巡查"), "patrol:today", holds_any("patrol.patrol")),
            (_("走访"), "patrol:visits_todo", holds_any("patrol.visit")),
            # The care list is for those who keep in touch and those who plan it.
            (_("关爱"), "patrol:care_list", holds_any("patrol.visit", "patrol.plan_care")),
        ]
        for order, (label, url_name, may_open) in enumerate(pages, start=1):
            register_nav_link(label, url_name, may_open, order=10 * order)
            register_offline_page(url_name, may_open)  # opens on the phone without a network

    def ready_patrols(self):
        """Patrols' home panel and dashboard figures (org and analytics import no patrol)."""
        from gridgov.figures import register_figure
        from org.panels import register_home_panel
        from patrol import patrol_panels

        register_home_panel("patrol/patrols/_home.html", patrol_panels.home_panel, order=5)
        register_figure(
            "patrol.hours_month", _("本月巡查时长(小时)"), patrol_panels.hours_this_month, order=40
        )
        register_figure(
            "patrol.grids_below",
            _("昨日巡查未达标网格"),
            patrol_panels.grids_below_yesterday,
            order=41,
        )
