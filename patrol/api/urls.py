from django.urls import path  # noqa: F401  (each part adds its endpoints here)
from rest_framework.routers import SimpleRouter

from patrol.api.patrols import PatrolViewSet, WeekView

_patrols = SimpleRouter()
_patrols.register("patrols", PatrolViewSet, basename="patrol")

urlpatterns = []
urlpatterns += [*_patrols.urls, path("week/", WeekView.as_view(), name="patrol-week")]
