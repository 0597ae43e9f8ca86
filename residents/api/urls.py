from rest_framework.routers import SimpleRouter

from residents.api.views import ResidentViewSet

router = SimpleRouter()
router.register("", ResidentViewSet, basename="resident")
urlpatterns = router.urls
