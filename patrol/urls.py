from django.urls import path  # noqa: F401  (each part adds its pages here)

from patrol.views import care as care_views
from patrol.views import patrols
from patrol.views import visits as visit_views

app_name = "patrol"
urlpatterns = []
urlpatterns += [
    path("patrol/", patrols.today, name="today"),
    path("patrol/start/", patrols.start, name="start"),
    path("patrol/<int:pk>/", patrols.detail, name="detail"),
    path("patrol/<int:pk>/end/", patrols.end, name="end"),
    path("patrol/<int:pk>/findings/", patrols.finding, name="finding"),
    path("patrol/week/<str:code>/", patrols.week, name="week"),
]
# Household visits and care (visits, care).
urlpatterns += [
    path("visits/", visit_views.todo_list, name="visits_todo"),
    path("visits/new/", visit_views.visit_new, name="visit_new"),
    path("visits/coverage/", visit_views.coverage_page, name="visit_coverage"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("visits/needs/<int:pk>/convert/", visit_views.need_convert, name="need_convert"),
    path("care/", care_views.care_list, name="care_list"),
    path("care/<int:pk>/contact/", care_views.care_contact, name="care_contact"),
    path("care/<int:pk>/plan/", care_views.care_plan, name="care_plan"),
]
