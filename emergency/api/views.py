"""``/api/v1/emergency/``: switches (list, switch on, detail with the roll-call and the
timeline, ``actions/end``), their tasks, the call-ups (one's own and those of the grids in
scope, ``actions/check_in``) and the teams. POSTs take an ``Idempotency-Key``."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from emergency.actions import ACTIVATIONS, CALLUPS, do_give_task, do_switch_on, rollcall
from emergency.api.serializers import (
    ActivationDetailSerializer,
    ActivationSerializer,
    CallUpSerializer,
    CheckInSerializer,
    EndSerializer,
    RollcallSerializer,
    SwitchSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TeamSerializer,
)
from emergency.models import ActivationEvent, ActivationStatus, Task
from emergency.permissions import activations_for, callups_for, teams_for
from gridgov.api import WorkflowActions, action_schema
from gridgov.parsing import query_bool, query_choice, query_int
from idempotency.keys import idempotent

KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


@extend_schema_view(act=action_schema(ACTIVATIONS, EndSerializer, ActivationDetailSerializer))
class ActivationViewSet(
    WorkflowActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Emergencies whose pages the user may open (``activations_for``: staff of 平急转换,
    in their subtrees or covering their seats; a called-up member reads their call-ups).
    ``?status=active`` for those in force."""

    workflow = ACTIVATIONS
    action_serializer_class = EndSerializer
    lookup_value_regex = r"\d+"
    serializer_class = ActivationSerializer

    def get_queryset(self):
        # The pages' rule (emergency.permissions.activations_for): staff of 平急转换 only.
        rows = activations_for(self.request.user).select_related("node")
        status = query_choice(self.request.query_params, "status", ActivationStatus.values)
        if status:
            rows = rows.filter(status=status)
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                Prefetch("events", ActivationEvent.objects.order_by("at", "pk")),
                Prefetch("tasks", Task.objects.select_related("grid").prefetch_related("callups")),
            )
        return rows

    def get_serializer_class(self):
        return ActivationDetailSerializer if self.action == "retrieve" else ActivationSerializer

    def retrieve(self, request, *args, **kwargs):
        activation = self.get_object()
        context = {
            "allowed_actions": ACTIVATIONS.allowed_actions(request.user, activation),
            "rollcall": rollcall(activation),
        }
        return Response(ActivationDetailSerializer(activation, context=context).data)

    @extend_schema(
        request=SwitchSerializer, responses={201: ActivationSerializer}, parameters=[KEY]
    )
    @idempotent
    def create(self, request):
        """Switch a subtree to emergency mode: 403 without ``emergency.switch`` there, 409
        ``already_active`` / ``nested_activation``."""
        form = SwitchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        activation = do_switch_on(
            actor=request.user,
            node_code=form.validated_data["node"],
            reason=form.validated_data["reason"],
        )
        return Response(ActivationSerializer(activation).data, status=201)

    @extend_schema(responses=RollcallSerializer)
    @action(detail=True, methods=["get"])
    def rollcall(self, request, pk=None):
        """Per grid: called up, checked in, on task."""
        return Response(rollcall(self.get_object()))

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer}, parameters=[KEY])
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        """Give a task (the detail lists the tasks given)."""
        return self._give_task(request, self.get_object())

    @idempotent
    def _give_task(self, request, activation):
        form = TaskCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        task = do_give_task(
            activation.pk,
            actor=request.user,
            title=data["title"],
            grid_code=data["grid"],
            team_id=data.get("team"),
            place=data["place"],
            due_at=data.get("due_at"),
        )
        return Response(TaskSerializer(task).data, status=201)


@extend_schema_view(act=action_schema(CALLUPS, CheckInSerializer, CallUpSerializer))
class CallUpViewSet(
    WorkflowActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Call-ups: one's own, and, for staff of 平急转换, those of the grids in scope
    (``callups_for``). ``?mine=true`` for one's own, ``?activation=<id>`` for one
    emergency's. ``actions/check_in`` checks in (the member, or a holder of
    ``emergency.command`` at the grid), with optional ``lng``/``lat``."""

    workflow = CALLUPS
    action_serializer_class = CheckInSerializer
    lookup_value_regex = r"\d+"
    serializer_class = CallUpSerializer

    def get_queryset(self):
        rows = (
            callups_for(self.request.user)
            .select_related("activation__node", "registration", "grid")
            .prefetch_related("tasks")
        )
        params = self.request.query_params
        if query_bool(params, "mine"):
            rows = rows.filter(registration__user=self.request.user)
        activation = query_int(params, "activation", 0, minimum=1)
        if activation:
            rows = rows.filter(activation_id=activation)
        return rows


class TeamViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The emergency teams of the user's subtrees (staff of 平急转换 only)."""

    serializer_class = TeamSerializer

    def get_queryset(self):
        return teams_for(self.request.user).select_related("node").prefetch_related("members")
