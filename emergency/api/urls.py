from rest_framework.routers import SimpleRouter

from emergency.api.views import ActivationViewSet, CallUpViewSet, TeamViewSet

router = SimpleRouter()
router.register("activations", ActivationViewSet, basename="emergency-activation")
router.register("callups", CallUpViewSet, basename="emergency-callup")
router.register("teams", TeamViewSet, basename="emergency-team")
urlpatterns = router.urls
