from django.urls import path  # noqa: F401  (each part adds its pages here)

from analytics.views import assessment, awards, reports

app_name = "analytics"
urlpatterns = [
    path("reports/", reports.report_home, name="report_home"),
    path("reports/r/<int:pk>/", reports.report_detail, name="report"),
    path("reports/r/<int:pk>/xlsx/", reports.report_xlsx, name="report_xlsx"),
    path("reports/<str:code>/", reports.report_list, name="reports"),
    path("reports/<str:code>/new/", reports.report_new, name="report_new"),
    path("assessment/", assessment.rankings, name="rankings"),
    path("assessment/publish/", assessment.publish_ranking, name="publish_ranking"),
    path("assessment/evaluate/", assessment.evaluate, name="evaluate"),
    path("assessment/survey/", assessment.survey, name="survey"),
    path("assessment/awards/", awards.award_lists, name="award_lists"),
    path("assessment/rate/", assessment.rate, name="rate"),
    path("assessment/<slug:kind>/<str:month>/<str:key>/", assessment.evidence, name="evidence"),
    path("awards/", awards.public_awards, name="public_awards"),
    path("awards/<int:pk>/", awards.award, name="award"),
    path("awards/<int:pk>/<slug:action>/", awards.award_act, name="award_act"),
]
