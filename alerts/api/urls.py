from django.urls import path  # noqa: F401  (each part adds its endpoints here)
from rest_framework.routers import SimpleRouter

from alerts.api.warnings import PatrolQualityView, WarningViewSet

urlpatterns = []
# Early warning (预警研判)
_warnings = SimpleRouter()
_warnings.register("warnings", WarningViewSet, basename="alerts-warning")
urlpatterns += _warnings.urls
urlpatterns += [path("patrol-quality/", PatrolQualityView.as_view(), name="alerts-patrol-quality")]
