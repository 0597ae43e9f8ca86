from django.urls import path  # noqa: F401  (each part adds its endpoints here)

from analytics.api.kpis import KpiView

urlpatterns = [
    path("kpis/", KpiView.as_view(), name="stats-kpis"),
]
