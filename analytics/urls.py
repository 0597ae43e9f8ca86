from django.urls import path, re_path

from analytics.views import assessment, awards, dashboard, reports

app_name = "analytics"
# A node's code is digits only (统一编号赋码), so the other parts' pages under analytics/
# (words) never match a dashboard's address.
CODE = r"(?P<code>[0-9]+)"
urlpatterns = [
    path("analytics/", dashboard.dashboard_home, name="dashboard_home"),
    re_path(rf"^analytics/{CODE}/$", dashboard.dashboard, name="dashboard"),
    re_path(rf"^analytics/{CODE}/data\.json$", dashboard.dashboard_data, name="dashboard_data"),
    re_path(rf"^analytics/{CODE}/screen/$", dashboard.screen, name="screen"),
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
