from django.urls import path  # noqa: F401  (each part adds its endpoints here)
from rest_framework.routers import SimpleRouter

from alerts.api.sos import AlarmViewSet

sos_router = SimpleRouter()
sos_router.register("alarms", AlarmViewSet, basename="sos-alarm")

urlpatterns = [*sos_router.urls]
