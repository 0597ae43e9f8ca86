from rest_framework.routers import SimpleRouter

from cases.api.views import CaseViewSet

router = SimpleRouter()
router.register("", CaseViewSet, basename="case")
urlpatterns = router.urls
