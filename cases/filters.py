"""One filter set for the case lists of the API and the pages."""

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError

from cases.models import Case, Light, Status
from org.codes import subtree_q


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO time, moved to UTC here: PostgreSQL refuses offsets beyond ±15:59 and times
    that leave its range, which would otherwise surface as a 500."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        try:
            return value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValidationError("时间超出范围", code="invalid") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class CaseFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    grid = django_filters.CharFilter(method="filter_grid", label="网格或上级节点编码")
    tier = django_filters.CharFilter(field_name="tier__code")
    light = django_filters.MultipleChoiceFilter(choices=Light.choices)
    channel = django_filters.CharFilter()
    category = django_filters.CharFilter(field_name="category__code")
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")
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
