from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("信用积分")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credit import figures
        from credit.preset import SECTIONS, check_credit, do_load_credit
        from credit.views import person_credit
        from gridgov.figures import register_figure
        from presets.sections import register
        from residents.panels import register_person_panel

        # The person's page (residents) shows a credit section; residents knows no app.
        register_person_panel("credit/_person.html", person_credit, order=10)
        register(*SECTIONS, load=do_load_credit, check=check_credit)
        # The dashboards (analytics) show these; credit knows no analytics.
        register_figure("credit.accounts", _("积分账户"), figures.count_accounts, order=30)
        register_figure("credit.points_earned", _("累计积分"), figures.points_earned, order=31)
