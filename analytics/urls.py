from django.urls import path  # noqa: F401  (each part adds its pages here)

from analytics.views import reports

app_name = "analytics"
urlpatterns = [
    path("reports/", reports.report_home, name="report_home"),
    path("reports/r/<int:pk>/", reports.report_detail, name="report"),
    path("reports/r/<int:pk>/xlsx/", reports.report_xlsx, name="report_xlsx"),
    path("reports/<str:code>/", reports.report_list, name="reports"),
    path("reports/<str:code>/new/", reports.report_new, name="report_new"),
]
