from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """KPIs rolled up the tree, assessment and rankings, the reporting rhythm and the
    dashboards. No other app imports analytics: each offers its figures to it."""

    name = "analytics"
    verbose_name = _("统计考核")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from analytics import signals
        from analytics.preset import SECTIONS
        from analytics.preset_assessment import SECTIONS as ASSESSMENT_SECTIONS
        from analytics.preset_assessment import check_assessment
        from analytics.preset_reports import SECTIONS as REPORT_SECTIONS
        from analytics.preset_reports import check_reports
        from analytics.views.assessment import rate_panel
        from analytics.views.dashboard import home_panel
        from org.panels import register_home_panel
        from presets.sections import register

        register(*SECTIONS)
        register(*REPORT_SECTIONS, check=check_reports)
        register(*ASSESSMENT_SECTIONS, check=check_assessment)
        signals.connect()
        # The home page (org) shows the 三率 of the user's node; org knows no analytics.
        register_home_panel("analytics/dashboard/_home.html", home_panel, order=10)
        # Residents find 群众评议 on their home page: only whoever the rating form admits.
        register_home_panel("analytics/assessment/_home_rate.html", rate_panel, order=20)
