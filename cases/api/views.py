from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cases.actions import Report, do_case_action, do_create_case
from cases.actions.flow import CASES, allowed_actions
from cases.api.serializers import (
    ActionSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
)
from cases.filters import CaseFilterSet
from cases.models import Assignment, Case, CaseEvent, PhotoKind
from gridgov.api import WorkflowActions, action_schema
from idempotency.keys import idempotent


@extend_schema_view(act=action_schema(CASES, ActionSerializer, CaseDetailSerializer))
class CaseViewSet(
    WorkflowActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases within the user's scope: their subtree, their department's, or their own."""

    workflow = CASES

    filterset_class = CaseFilterSet

    def get_queryset(self):
        cases = Case.objects.restrict(self.request.user).select_related(
            "grid", "category", "tier", "handling_node"
        )
        if self.action == "retrieve":
            cases = cases.prefetch_related(
                Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
                Prefetch(
                    "assignments", queryset=Assignment.objects.select_related("department", "node")
                ),
                "photos",
            )
        return cases

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def filter_queryset(self, queryset):
        # The filters narrow lists; one case by id needs only the scope (get_queryset), and
        # building the filterset's form costs more than the rest of the lookup.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        context = {"allowed_actions": allowed_actions(request.user, case)}
        return Response(CaseDetailSerializer(case, context=context).data)

    @extend_schema(
        request=CaseCreateSerializer,
        responses={201: CaseSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def create(self, request):
        form = CaseCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        location = data.get("location") or {}
        reporter = data.get("reporter") or {}
        report = Report(
            title=data["title"],
            description=data.get("description", ""),
            channel=data["channel"],
            lng=location.get("lng"),
            lat=location.get("lat"),
            grid_code=data.get("grid_code"),
            address=data.get("address", ""),
            category_code=data.get("category_code"),
            reporter_name=reporter.get("name", ""),
            reporter_phone=reporter.get("phone", ""),
        )
        case = do_create_case(report, actor=request.user)
        return Response(CaseSerializer(case).data, status=201)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "kind": {"type": "string", "enum": list(PhotoKind.values)},
                    "version": {"type": "integer"},
                },
                "required": ["photos", "version"],
            }
        },
        responses={201: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    @idempotent
    def photos(self, request, pk=None):
        """Add photos: the ``add_photo`` action, with the case's version and a timeline row."""
        case = self.get_object()
        data = {
            "kind": request.data.get("kind", PhotoKind.REPORT),
            "photos": request.FILES.getlist("photos"),
        }
        case = do_case_action(
            case.pk,
            "add_photo",
            actor=request.user,
            version=request.data.get("version"),
            data=data,
        )
        photos = case.events.filter(action="add_photo").last().data["photos"]
        return Response({"photos": photos, "version": case.version}, status=201)
