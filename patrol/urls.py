from django.urls import path  # noqa: F401  (each part adds its pages here)

from patrol.views import patrols

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
