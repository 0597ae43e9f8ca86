"""Read-only catalogue endpoints for integrators: ``GET /api/v1/categories/`` (active
entries of the matter catalogue, ``?q=`` searching code, name and group) and
``GET /api/v1/tiers/``. Any signed-in user may read them (the catalogue is no one's
secret, and every intake form shows it); paginated like every list (``?limit=&offset=``).
The intake channels are ``cases.api.channels`` (they are the cases app's)."""

import django_filters
from django.db.models import Q
from rest_framework import generics

from catalog.api.serializers import CategorySerializer, TierSerializer
from catalog.models import MatterCategory, Tier


class CategoryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="代码、名称或分组包含")

    class Meta:
        model = MatterCategory
        fields = ["q"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(group__icontains=value)
        )


class CategoryList(generics.ListAPIView):
    """事项清单: the active categories, by group and code, with the default tier and its
    resolution deadline as the preset states it."""

    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    queryset = (
        MatterCategory.objects.filter(is_active=True)
        .select_related("default_tier")
        .order_by("group", "code")
    )


class TierList(generics.ListAPIView):
    """办理层级: each tier's handler and its response and resolution deadlines."""

    serializer_class = TierSerializer
    filter_backends = []
    queryset = Tier.objects.order_by("order", "code")
