from django.urls import path  # noqa: F401  (each part adds its pages here)

from alerts.views import warnings as warning_views

app_name = "alerts"
urlpatterns = []
# Early warning (预警研判)
urlpatterns += [
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/<int:pk>/", warning_views.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/<slug:action>/", warning_views.warning_act, name="warning_act"),
]
