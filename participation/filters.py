"""One filterset for the marketplace page and the API."""

import django_filters
from django.db.models import Q

from participation.models import OrderKind, OrderStatus, ServiceOrder


class OrderFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrderKind.choices)
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label="我接的单")
    asked = django_filters.BooleanFilter(method="filter_asked", label="我的点单")

    class Meta:
        model = ServiceOrder
        fields = ["kind", "status"]

    def filter_mine(self, queryset, name, value):
        if value is None or not self.request.user.is_authenticated:
            return queryset
        return queryset.filter(taker=self.request.user) if value else queryset

    def filter_asked(self, queryset, name, value):
        if not value or not self.request.user.is_authenticated:
            return queryset
        user = self.request.user
        return queryset.filter(Q(created_by=user) | Q(requester__user=user))
