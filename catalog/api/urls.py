from django.urls import path

from catalog.api.views import CategoryList, TierList

urlpatterns = [
    path("categories/", CategoryList.as_view(), name="categories"),
    path("tiers/", TierList.as_view(), name="tiers"),
]
