from django.urls import path  # noqa: F401  (each part adds its endpoints here)
from rest_framework.routers import SimpleRouter

from patrol.api import visits as visit_api
from patrol.api.patrols import PatrolViewSet, WeekView

_patrols = SimpleRouter()
_patrols.register("patrols", PatrolViewSet, basename="patrol")

urlpatterns = []
urlpatterns += [*_patrols.urls, path("week/", WeekView.as_view(), name="patrol-week")]
# Household visits and care.
visit_router = visit_api.router()
urlpatterns += [
    path(
        "visit-needs/<int:pk>/convert/",
        visit_api.NeedConvertView.as_view(),
        name="visit-need-convert",
    ),
    *visit_router.urls,
]
