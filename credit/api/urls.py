from django.urls import path
from rest_framework.routers import SimpleRouter

from credit.api.views import (
    AccountViewSet,
    AwardView,
    IncentiveRuleViewSet,
    RedemptionViewSet,
    StoreItemViewSet,
)

router = SimpleRouter()
router.register("rules", IncentiveRuleViewSet, basename="credit-rule")
router.register("accounts", AccountViewSet, basename="credit-account")
router.register("items", StoreItemViewSet, basename="credit-item")
router.register("redemptions", RedemptionViewSet, basename="credit-redemption")
urlpatterns = [path("awards/", AwardView.as_view(), name="credit-award"), *router.urls]
