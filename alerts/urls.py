from django.urls import path

from alerts.views import sos
from alerts.views import warnings as warning_views

app_name = "alerts"
urlpatterns = [
    # One-click SOS.
    path("sos/", sos.alarm_list, name="sos_list"),
    path("sos/devices/", sos.devices, name="sos_devices"),
    path("sos/<int:pk>/", sos.alarm_detail, name="sos_detail"),
    path("sos/<int:pk>/case/", sos.alarm_case, name="sos_case"),
    path("sos/<int:pk>/<slug:action>/", sos.alarm_act, name="sos_act"),
    # Early warning (预警研判).
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/<int:pk>/", warning_views.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/<slug:action>/", warning_views.warning_act, name="warning_act"),
]
