from rest_framework import serializers

from org.models import Household, OrgNode
from residents.api.serializers import ResidentSerializer


class CountsSerializer(serializers.Serializer):
    grids = serializers.IntegerField()
    households = serializers.IntegerField()
    residents = serializers.IntegerField()
    staff = serializers.IntegerField()


class NodeSerializer(serializers.ModelSerializer):
    level = serializers.CharField(source="level.key")
    level_name = serializers.CharField(source="level.name")
    parent_code = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()

    class Meta:
        model = OrgNode
        fields = ["code", "name", "level", "level_name", "grid_kind", "parent_code", "counts"]

    def get_parent_code(self, node) -> str | None:
        # The parent's code is the child's code minus its own segment.
        return node.code[: -node.level.code_width] if node.parent_id else None

    def get_counts(self, node) -> CountsSerializer:
        return self.context["counts"][node.code]


class NodeDetailSerializer(NodeSerializer):
    geometry = serializers.JSONField()

    class Meta(NodeSerializer.Meta):
        fields = NodeSerializer.Meta.fields + ["geometry"]


class HouseholdSerializer(serializers.ModelSerializer):
    grid_code = serializers.CharField(source="grid.code")
    building = serializers.CharField(source="building.name", default=None, allow_null=True)
    unit = serializers.CharField(source="unit.name", default=None, allow_null=True)

    class Meta:
        model = Household
        fields = [
            "code",
            "grid_code",
            "building",
            "unit",
            "room",
            "address",
            "is_party_member_household",
        ]


class HouseholdDetailSerializer(HouseholdSerializer):
    residents = ResidentSerializer(many=True)

    class Meta(HouseholdSerializer.Meta):
        fields = HouseholdSerializer.Meta.fields + ["residents"]


class LocateResultSerializer(serializers.Serializer):
    grid_code = serializers.CharField(allow_null=True)
    grid_name = serializers.CharField(allow_null=True)


class BulkLocateRequestSerializer(serializers.Serializer):
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        min_length=1,
        max_length=10_000,
        help_text="[[lng, lat], …], at most 10,000 points",
    )


class BulkLocateResponseSerializer(serializers.Serializer):
    grid_codes = serializers.ListField(child=serializers.CharField(allow_null=True))
