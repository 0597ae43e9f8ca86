from rest_framework import serializers

from participation.actions import EVENT_NAMES
from participation.models import OrderEvent, OrderKind, ServiceOrder
from residents.masking import mask_name


class OrderSerializer(serializers.ModelSerializer):
    grid_code = serializers.CharField(source="node.code")
    grid_name = serializers.CharField(source="node.name")
    requester_name = serializers.SerializerMethodField()
    taker_name = serializers.SerializerMethodField()

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "grid_code",
            "grid_name",
            "requester_name",
            "status",
            "taker_name",
            "taken_at",
            "done_at",
            "hours",
            "points",
            "version",
            "created_at",
        ]

    def get_requester_name(self, order) -> str:
        return mask_name(order.requester.name) if order.requester_id else ""

    def get_taker_name(self, order) -> str:
        taker = order.taker
        return (taker.display_name or taker.username) if taker else ""


class OrderEventSerializer(serializers.ModelSerializer):
    action_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="at", read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["action", "action_name", "from_status", "to_status", "note", "created_at"]

    def get_action_name(self, event) -> str:
        return str(EVENT_NAMES.get(event.action, event.action))


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events", "allowed_actions"]

    def get_allowed_actions(self, order) -> list[str]:
        return self.context.get("allowed_actions", [])


class OrderCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrderKind.choices, default=OrderKind.ORDER)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    grid_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    requester = serializers.IntegerField(
        min_value=1, required=False, help_text="工作人员代居民点单时填写居民编号"
    )


class OrderActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, help_text="完成时填写服务时长（小时）"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
