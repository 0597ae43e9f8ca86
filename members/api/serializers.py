from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridgov.masking import mask_phone
from members.models import Registration, RegistrationKind


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration; the phone is masked except on one's own (DESIGN: personal data
    masked by default)."""

    phone = serializers.SerializerMethodField()
    home_grid = serializers.CharField(source="home_grid.code")
    home_grid_name = serializers.CharField(source="home_grid.name")
    kind_name = serializers.CharField(source="get_kind_display")
    status_name = serializers.CharField(source="get_status_display")
    has_account = serializers.SerializerMethodField()
    skills = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Registration
        fields = [
            "id",
            "name",
            "phone",
            "employer",
            "home_grid",
            "home_grid_name",
            "skills",
            "kind",
            "kind_name",
            "status",
            "status_name",
            "registered_at",
            "has_account",
            "version",
        ]

    def get_phone(self, registration) -> str:
        request = self.context.get("request")
        own = request is not None and registration.user_id == request.user.pk
        return registration.phone if own else mask_phone(registration.phone)

    def get_has_account(self, registration) -> bool:
        return registration.user_id is not None


@extend_schema_field(
    {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
)
class SkillsField(serializers.Field):
    """A list of strings, or one text with 、，; between the skills."""

    def to_internal_value(self, data):
        if not isinstance(data, list | str):
            raise serializers.ValidationError("技能特长应为列表或文字")
        return data

    def to_representation(self, value):
        return value


class RegistrationWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    employer = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    home_grid = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="居住地网格编码"
    )
    kind = serializers.ChoiceField(
        choices=RegistrationKind.choices, required=False, allow_blank=True, default=""
    )
    skills = SkillsField(required=False, default=None, help_text='如 ["急救", "驾驶"]')
    version = serializers.IntegerField(min_value=1, required=False, help_text="修改时必填")


class SelfRegistrationSerializer(serializers.Serializer):
    employer = serializers.CharField(max_length=100)
    home_grid = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    kind = serializers.ChoiceField(
        choices=RegistrationKind.choices, required=False, allow_blank=True, default=""
    )
    skills = SkillsField(required=False, default=None)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
