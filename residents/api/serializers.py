from rest_framework import serializers

from residents.masking import REVEALABLE_FIELDS, masked
from residents.models import Resident


class ResidentSerializer(serializers.ModelSerializer):
    """A resident with phone and ID number masked; unmasking is a separate, logged call."""

    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    household_code = serializers.CharField(source="household.code")
    tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "gender",
            "birth_year",
            "phone",
            "id_number",
            "household_code",
            "is_householder",
            "tags",
        ]

    def get_phone(self, resident) -> str:
        return masked(resident, "phone")

    def get_id_number(self, resident) -> str:
        return masked(resident, "id_number")


class RevealRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=REVEALABLE_FIELDS)


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()
