"""The catalogue as an integrator reads it: matter categories and tiers, with their
deadlines as the preset states them (not a case's computed due time: catalog.deadlines)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import HandlerKind, MatterCategory, Tier


class DeadlineSerializer(serializers.Serializer):
    """A deadline as the preset states it: ``{"unit": "hours", "value": 2}``, or in
    working days with the lower bound of a range (「10至15个工作日」: value 15, min_value
    10; a case is due at the upper bound), and the words a page shows."""

    unit = serializers.ChoiceField(choices=["hours", "working_days"])
    value = serializers.IntegerField()
    min_value = serializers.IntegerField(allow_null=True, help_text="区间的下限(工作日)")
    text = serializers.CharField(help_text="如「2小时」「10至15个工作日」")


def resolution_deadline(tier: Tier) -> dict:
    if tier.deadline_hours is not None:
        hours = tier.deadline_hours
        return {"unit": "hours", "value": hours, "min_value": None, "text": f"{hours}小时"}
    days, low = tier.deadline_working_days, tier.min_working_days
    text = f"{low}至{days}个工作日" if low is not None else f"{days}个工作日"
    return {"unit": "working_days", "value": days, "min_value": low, "text": text}


def response_deadline(tier: Tier) -> dict:
    """受理/响应: natural hours, never later than an hours resolution deadline
    (catalog.deadlines.response_due caps it the same way)."""
    hours = tier.response_hours
    if tier.deadline_hours is not None:
        hours = min(hours, tier.deadline_hours)
    return {"unit": "hours", "value": hours, "min_value": None, "text": f"{hours}小时"}


class TierSerializer(serializers.ModelSerializer):
    handler = serializers.ChoiceField(choices=HandlerKind.choices, help_text="由谁办理")
    response = serializers.SerializerMethodField(help_text="受理(响应)时限")
    resolution = serializers.SerializerMethodField(help_text="办结时限")

    class Meta:
        model = Tier
        fields = ["code", "name", "handler", "response", "resolution"]

    @extend_schema_field(DeadlineSerializer)
    def get_response(self, tier) -> dict:
        return response_deadline(tier)

    @extend_schema_field(DeadlineSerializer)
    def get_resolution(self, tier) -> dict:
        return resolution_deadline(tier)


class CategorySerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="default_tier.code", help_text="默认办理层级的代码")
    department_kind = serializers.CharField(
        help_text="默认承办部门的类型(空:网格或社区自办)", allow_blank=True
    )
    deadline = serializers.SerializerMethodField(help_text="默认层级的办结时限")

    class Meta:
        model = MatterCategory
        fields = ["code", "name", "group", "tier", "department_kind", "deadline"]

    @extend_schema_field(DeadlineSerializer)
    def get_deadline(self, category) -> dict:
        return resolution_deadline(category.default_tier)
