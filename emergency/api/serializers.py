from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from emergency.models import Activation, ActivationEvent, CallUp, Task, Team
from emergency.transitions import EVENT_NAMES
from gridgov.timeline import TimelineEventSerializer


class ActivationSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.code")
    node_name = serializers.CharField(source="node.name")
    status_name = serializers.CharField(source="get_status_display")

    class Meta:
        model = Activation
        fields = [
            "id",
            "node",
            "node_name",
            "reason",
            "status",
            "status_name",
            "started_at",
            "ended_at",
            "version",
        ]


class ActivationEventSerializer(TimelineEventSerializer):
    names = EVENT_NAMES

    class Meta:
        model = ActivationEvent
        fields = [*TimelineEventSerializer.Meta.fields, "data"]


class GridCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    called = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    on_task = serializers.IntegerField()


class TotalSerializer(serializers.Serializer):
    called = serializers.IntegerField()
    checked_in = serializers.IntegerField()
    on_task = serializers.IntegerField()


class RollcallSerializer(serializers.Serializer):
    grids = GridCountSerializer(many=True)
    total = TotalSerializer()


class SwitchSerializer(serializers.Serializer):
    node = serializers.CharField(max_length=40, help_text="组织节点编码（社区、街道……）")
    reason = serializers.CharField(max_length=200)


class EndSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TaskSerializer(serializers.ModelSerializer):
    grid = serializers.SerializerMethodField()
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "grid", "team", "title", "place", "due_at", "created_at", "members"]

    def get_grid(self, task) -> str:
        return task.grid.code if task.grid_id else ""

    def get_members(self, task) -> int:
        return task.callups.count()


class TaskCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    grid = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    team = serializers.IntegerField(min_value=1, required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False)


class CallUpSerializer(serializers.ModelSerializer):
    activation_node = serializers.CharField(source="activation.node.name")
    activation_status = serializers.CharField(source="activation.status")
    name = serializers.CharField(source="registration.name")
    grid = serializers.CharField(source="grid.code")
    grid_name = serializers.CharField(source="grid.name")
    tasks = serializers.SerializerMethodField()

    class Meta:
        model = CallUp
        fields = [
            "id",
            "activation",
            "activation_node",
            "activation_status",
            "name",
            "grid",
            "grid_name",
            "team",
            "status",
            "called_at",
            "checked_in_at",
            "tasks",
            "version",
        ]

    def get_tasks(self, callup) -> list[str]:
        return [task.title for task in callup.tasks.all()]


class CheckInSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)


class TeamSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.code")
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "node", "kind", "name", "members"]

    def get_members(self, team) -> int:
        return team.members.count()


class ActivationDetailSerializer(ActivationSerializer):
    events = ActivationEventSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    rollcall = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ActivationSerializer.Meta):
        fields = [
            *ActivationSerializer.Meta.fields,
            "events",
            "tasks",
            "rollcall",
            "allowed_actions",
        ]

    @extend_schema_field(RollcallSerializer)
    def get_rollcall(self, activation) -> dict:
        return self.context.get("rollcall", {})

    def get_allowed_actions(self, activation) -> list[str]:
        return self.context.get("allowed_actions", [])
