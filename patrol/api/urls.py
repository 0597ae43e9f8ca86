from django.urls import path  # noqa: F401  (each part adds its endpoints here)

from patrol.api import visits as visit_api

urlpatterns = []
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
