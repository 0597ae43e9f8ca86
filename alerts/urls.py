from django.urls import path  # noqa: F401  (each part adds its pages here)

from alerts.views import sos

app_name = "alerts"
urlpatterns = [
    path("sos/", sos.alarm_list, name="sos_list"),
    path("sos/devices/", sos.devices, name="sos_devices"),
    path("sos/<int:pk>/", sos.alarm_detail, name="sos_detail"),
    path("sos/<int:pk>/case/", sos.alarm_case, name="sos_case"),
    path("sos/<int:pk>/<slug:action>/", sos.alarm_act, name="sos_act"),
]
