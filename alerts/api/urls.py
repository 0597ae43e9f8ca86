from django.urls import path
from rest_framework.routers import SimpleRouter

from alerts.api.sos import AlarmViewSet
from alerts.api.warnings import PatrolQualityView, WarningViewSet

_router = SimpleRouter()
_router.register("alarms", AlarmViewSet, basename="sos-alarm")  # SOS
_router.register("warnings", WarningViewSet, basename="alerts-warning")  # early warning

urlpatterns = [
    *_router.urls,
    path("patrol-quality/", PatrolQualityView.as_view(), name="alerts-patrol-quality"),
]
