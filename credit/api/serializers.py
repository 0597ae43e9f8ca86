from decimal import Decimal

from rest_framework import serializers

from credit.models import CreditAccount, CreditEntry, IncentiveRule, Redemption, StoreItem


class IncentiveRuleSerializer(serializers.ModelSerializer):
    subject = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = IncentiveRule
        fields = ["id", "key", "name", "points", "unit", "subject", "is_active"]


class EntrySerializer(serializers.ModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = CreditEntry
        fields = [
            "id",
            "kind",
            "delta",
            "balance_after",
            "rule",
            "quantity",
            "redemption",
            "source",
            "note",
            "created_at",
        ]


class AccountSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name")
    household_code = serializers.CharField(source="resident.household.code")

    class Meta:
        model = CreditAccount
        fields = [
            "id",
            "resident",
            "resident_name",
            "household_code",
            "balance",
            "earned",
            "volunteer_hours",
            "updated_at",
        ]


class AccountDetailSerializer(AccountSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(AccountSerializer.Meta):
        fields = [*AccountSerializer.Meta.fields, "entries"]

    def get_entries(self, account) -> list[dict]:
        if account.pk is None:
            return []
        return EntrySerializer(account.entries.select_related("rule")[:50], many=True).data


class MyAccountSerializer(AccountDetailSerializer):
    """The signed-in resident's account, which has no row (id, updated_at null) before their
    first points."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class AwardSerializer(serializers.Serializer):
    resident = serializers.IntegerField(min_value=1)
    rule = serializers.SlugField(max_length=40, help_text="激励事项代码")
    quantity = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        default=Decimal(1),
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StoreItemSerializer(serializers.ModelSerializer):
    node_code = serializers.CharField(source="node.code")
    node_name = serializers.CharField(source="node.name")

    class Meta:
        model = StoreItem
        fields = [
            "id",
            "node_code",
            "node_name",
            "name",
            "description",
            "cost",
            "stock",
            "is_active",
        ]


class StoreItemCreateSerializer(serializers.Serializer):
    node_code = serializers.CharField(max_length=40, help_text="信用超市所在社区的编码")
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    cost = serializers.IntegerField(min_value=1, max_value=100_000)
    stock = serializers.IntegerField(min_value=0, max_value=10_000, default=0)


class RestockSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=-10_000, max_value=10_000)


class RedemptionSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name")
    resident = serializers.IntegerField(source="account.resident_id")

    class Meta:
        model = Redemption
        fields = [
            "id",
            "account",
            "resident",
            "item",
            "item_name",
            "cost",
            "status",
            "created_at",
            "closed_at",
        ]


class RedeemSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    resident = serializers.IntegerField(
        min_value=1, required=False, help_text="代居民兑换时填写;居民本人兑换时省略"
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
