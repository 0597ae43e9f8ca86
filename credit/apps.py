from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = _("信用积分")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The person's page (residents) shows a credit section; residents knows no app.
        from credit.views import person_credit
        from residents.panels import register_person_panel

        register_person_panel("credit/_person.html", person_credit, order=10)
