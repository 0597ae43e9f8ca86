"""One filter set for the case lists of the API and the pages."""

import datetime as dt
import re

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

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
    light = django_filters.MultipleChoiceFilter(choices=Light.choices, method="filter_light")
    channel = django_filters.CharFilter()
    category = django_filters.CharFilter(field_name="category__code")
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_text", label="编号、来源单号、内容、地址或电话")

    class Meta:
        model = Case
        fields = ["status", "grid", "tier", "light", "channel", "category"]

    def filter_light(self, queryset, name, value):
        # The light now, not the one the last sweep stored (cases.models.light_q).
        return queryset.lit(value, timezone.now()) if value else queryset

    def filter_grid(self, queryset, name, value):
        # Any node's code: the cases of its whole subtree.
        return queryset.filter(subtree_q(value, "org_code")) if value.isdigit() else queryset.none()

    def filter_text(self, queryset, name, value):
        """The one search box: the case number or the source system's ticket number
        exactly; words in the title, description or address; a phone number whole (any
        separators) or its last four digits, so a number read out on a callback finds
        the case while the lists keep showing it masked."""
        value = value.strip()
        if not value:
            return queryset
        query = (
            Q(number=value.upper())
            | Q(external_ref__iexact=value)
            | Q(title__contains=value)
            | Q(description__contains=value)
            | Q(address__contains=value)
        )
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7 and re.fullmatch(r"[\d\s()+-]+", value):
            query |= Q(reporter_phone__contains=digits[-11:])
        elif len(digits) == 4 and value == digits:
            query |= Q(reporter_phone__endswith=digits)
        return queryset.filter(query)
