from django.urls import path
from rest_framework.routers import SimpleRouter

from patrol.api import visits as visit_api
from patrol.api.patrols import PatrolViewSet, WeekView

_patrols = SimpleRouter()
_patrols.register("patrols", PatrolViewSet, basename="patrol")

urlpatterns = [
    # Patrols.
    *_patrols.urls,
    path("week/", WeekView.as_view(), name="patrol-week"),
    # Household visits and care.
    path(
        "visit-needs/<int:pk>/convert/",
        visit_api.NeedConvertView.as_view(),
        name="visit-need-convert",
    ),
    *visit_api.router().urls,
]
