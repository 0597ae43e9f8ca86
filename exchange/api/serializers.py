from rest_framework import serializers


class HotlineOrderSerializer(serializers.Serializer):
    """A 12345 work order as a hotline system pushes it (the schema; the checks are the
    file import's own, exchange.hotline.order_from_values)."""

    ticket_no = serializers.CharField(max_length=64, help_text="热线工单编号（幂等键）")
    received_at = serializers.DateTimeField(help_text="受理时间, ISO 8601")
    content = serializers.CharField(
        help_text="诉求内容（超过 5000 字的全文保存在案件的「全文」里，描述取开头）"
    )
    title = serializers.CharField(max_length=200, required=False)
    caller = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False)
    address = serializers.CharField(max_length=200, required=False)
    category = serializers.CharField(max_length=100, required=False, help_text="热线的分类名称")
    deadline = serializers.DateTimeField(required=False, help_text="热线规定的办理时限")
    subcategory = serializers.CharField(
        max_length=100, required=False, help_text="热线的二级分类（与 category 合起来对照）"
    )
    lng = serializers.FloatField(required=False, help_text="境外或无效的坐标原样保存，进入分拨台")
    lat = serializers.FloatField(required=False)
    status = serializers.CharField(
        max_length=40, required=False, help_text="历史工单在热线的状态（按热线系统的状态对照）"
    )
    result = serializers.CharField(required=False, help_text="历史工单的办理结果")
    resolved_at = serializers.DateTimeField(required=False, help_text="历史工单的办结时间")
    satisfaction = serializers.CharField(max_length=20, required=False, help_text="满意度")


class HotlineOrderResultSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    result = serializers.ChoiceField(choices=["created", "exists", "invalid"])
    case_id = serializers.IntegerField(required=False)
    case_number = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    grid_code = serializers.CharField(required=False, allow_null=True)
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


class HotlineBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = HotlineOrderResultSerializer(many=True)


class HotlineOrderStatusSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    case_number = serializers.CharField()
    status = serializers.CharField()
    status_name = serializers.CharField()
    grid_code = serializers.CharField(allow_null=True)
    handling_unit = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()
    satisfaction = serializers.CharField()


class HotlineErrorSerializer(serializers.Serializer):
    """A refused request or a refused single order (then with its ticket number)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    ticket_no = serializers.CharField(required=False)
    result = serializers.ChoiceField(choices=["invalid"], required=False)
    errors = serializers.DictField(required=False)
