from django.urls import path
from rest_framework.routers import SimpleRouter

from org.api.views import HouseholdViewSet, LocateView, NodeViewSet

router = SimpleRouter()
router.register("nodes", NodeViewSet, basename="node")
router.register("households", HouseholdViewSet, basename="household")

urlpatterns = [path("locate/", LocateView.as_view(), name="locate"), *router.urls]
