from rest_framework.routers import SimpleRouter

from participation.api.views import OrderViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="volunteer-order")
urlpatterns = router.urls
