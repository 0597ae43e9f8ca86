"""One filter set for the case lists of the API and the pages."""

import django_filters

from cases.models import Case, Light, Status
from org.codes import subtree_q


class CaseFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    grid = django_filters.CharFilter(method="filter_grid", label="网格或上级节点编码")
    tier = django_filters.CharFilter(field_name="tier__code")
    light = django_filters.MultipleChoiceFilter(choices=Light.choices)
    channel = django_filters.CharFilter()
    category = django_filters.CharFilter(field_name="category__code")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_text", label="编号或标题")

    class Meta:
        model = Case
        fields = ["status", "grid", "tier", "light", "channel", "category"]

    def filter_grid(self, queryset, name, value):
        # Any node's code: the cases of its whole subtree.
        return queryset.filter(subtree_q(value, "org_code")) if value.isdigit() else queryset.none()

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(number=value) | queryset.filter(title__contains=value)
