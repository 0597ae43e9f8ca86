from django.urls import reverse
from rest_framework import serializers

from cases.models import Assignment, Case, CaseEvent, Light
from residents.masking import mask_phone


class LocationSerializer(serializers.Serializer):
    lng = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.RegexField(r"^[0-9+\- ]{5,20}$", required=False, allow_blank=True)


class CaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    channel = serializers.CharField(max_length=32)
    location = LocationSerializer(required=False)
    grid_code = serializers.RegexField(r"^\d{1,32}$", required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category_code = serializers.CharField(max_length=32, required=False)
    reporter = ReporterSerializer(required=False)


class CaseSerializer(serializers.ModelSerializer):
    """A case as lists show it. The reporter's phone is masked; the name is given only to
    staff (the view decides) and never on public pages."""

    grid_code = serializers.CharField(source="grid.code", default=None, allow_null=True)
    category_code = serializers.CharField(source="category.code", default=None, allow_null=True)
    category_name = serializers.CharField(source="category.name", default=None, allow_null=True)
    tier = serializers.CharField(source="tier.code", default=None, allow_null=True)
    tier_name = serializers.CharField(source="tier.name", default=None, allow_null=True)
    handling_node = serializers.CharField(
        source="handling_node.code", default=None, allow_null=True
    )
    location = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()
    # The light now (from the deadlines and the clock), not the last sweep's.
    light = serializers.ChoiceField(source="current_light", choices=Light.choices, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "status",
            "channel",
            "grid_code",
            "handling_node",
            "category_code",
            "category_name",
            "tier",
            "tier_name",
            "light",
            "version",
            "created_at",
            "response_due_at",
            "due_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "deadline_warning",
            "satisfaction",
            "reopen_count",
            "is_supervised",
            "is_published",
            "location",
            "address",
            "reporter",
        ]

    def get_location(self, case) -> dict | None:
        return {"lng": case.lng, "lat": case.lat} if case.lng is not None else None

    def get_reporter(self, case) -> dict:
        return {
            "name": case.reporter_name[:1] + "*" * (len(case.reporter_name) - 1)
            if case.reporter_name
            else "",
            "phone": mask_phone(case.reporter_phone),
        }


class AssignmentSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit_name")
    department = serializers.CharField(source="department.code", default=None, allow_null=True)
    node = serializers.CharField(source="node.code", default=None, allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "unit",
            "department",
            "node",
            "role",
            "status",
            "created_at",
            "report_in_due_at",
            "answered_at",
            "note",
        ]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "action", "actor", "at", "from_status", "to_status", "note", "data"]

    def get_actor(self, event) -> str | None:
        if event.actor is None:
            return None
        return event.actor.display_name or event.actor.username


class CaseDetailSerializer(CaseSerializer):
    timeline = EventSerializer(source="events", many=True)
    assignments = AssignmentSerializer(many=True)
    description = serializers.CharField()
    result = serializers.CharField()
    possible_duplicate_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    extension_requested_until = serializers.DateTimeField(allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + [
            "description",
            "result",
            "possible_duplicate_of",
            "merged_into",
            "extension_requested_until",
            "assignments",
            "timeline",
            "allowed_actions",
            "photos",
        ]

    def get_allowed_actions(self, case) -> list[str]:
        return self.context.get("allowed_actions", [])

    def get_photos(self, case) -> list[dict]:
        return [
            {"id": p.pk, "kind": p.kind, "url": reverse("cases:photo", args=[p.pk])}
            for p in case.photos.all()
        ]


class ActionSerializer(serializers.Serializer):
    """Every action takes the case's current version; other fields depend on the action."""

    version = serializers.IntegerField(min_value=1)
