from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from org.api.serializers import (
    BulkLocateRequestSerializer,
    BulkLocateResponseSerializer,
    HouseholdDetailSerializer,
    HouseholdSerializer,
    LocateResultSerializer,
    NodeDetailSerializer,
    NodeSerializer,
)
from org.locator import locator
from org.models import Household, OrgNode
from org.queries import root_nodes, subtree_counts, visible_node
from residents.models import Resident


class NodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The org tree, addressed by unified code. Lists are the children of ``parent``
    (or the user's own top nodes), each with counts of its subtree."""

    lookup_field = "code"
    lookup_value_regex = r"\d+"
    serializer_class = NodeSerializer
    pagination_class = None

    def get_queryset(self):
        return OrgNode.objects.restrict(self.request.user).select_related("level")

    @extend_schema(
        parameters=[OpenApiParameter("parent", str, description="父节点统一编码")],
    )
    def list(self, request):
        parent_code = request.query_params.get("parent")
        if parent_code:
            parent = visible_node(request.user, parent_code)
            nodes = list(self.get_queryset().filter(parent=parent))
        else:
            nodes = root_nodes(request.user)
        counts = subtree_counts(request.user, [node.code for node in nodes])
        serializer = NodeSerializer(nodes, many=True, context={"counts": counts})
        return Response(serializer.data)

    def retrieve(self, request, code=None):
        node = visible_node(request.user, code)
        counts = subtree_counts(request.user, [node.code])
        return Response(NodeDetailSerializer(node, context={"counts": counts}).data)


def _coordinate(value, name, low, high) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: f"{name} 必须是数字"}) from None
    if not low <= number <= high:
        raise ValidationError({name: f"{name} 必须在 {low} 到 {high} 之间"})
    return number


def _grid_names(codes) -> dict[str, str]:
    return dict(OrgNode.objects.filter(code__in=set(codes) - {None}).values_list("code", "name"))


class LocateView(APIView):
    """Which grid a point (WGS84 lng/lat) lies in; POST many points at once."""

    @extend_schema(
        parameters=[
            OpenApiParameter("lng", float, required=True),
            OpenApiParameter("lat", float, required=True),
        ],
        responses=LocateResultSerializer,
    )
    def get(self, request):
        lng = _coordinate(request.query_params.get("lng"), "lng", -180, 180)
        lat = _coordinate(request.query_params.get("lat"), "lat", -90, 90)
        code = locator.locate(lng, lat)
        name = _grid_names([code]).get(code)
        return Response({"grid_code": code, "grid_name": name})

    @extend_schema(request=BulkLocateRequestSerializer, responses=BulkLocateResponseSerializer)
    def post(self, request):
        form = BulkLocateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        points = form.validated_data["points"]
        for lng, lat in points:
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                raise ValidationError({"points": "经纬度超出范围"})
        return Response({"grid_codes": locator.locate_many(points)})


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        households = Household.objects.restrict(self.request.user).select_related(
            "grid", "building", "unit"
        )
        if self.action == "retrieve":
            residents = Resident.objects.select_related("household").prefetch_related("tags")
            households = households.prefetch_related(Prefetch("residents", queryset=residents))
        return households

    def get_serializer_class(self):
        return HouseholdDetailSerializer if self.action == "retrieve" else HouseholdSerializer

    @extend_schema(parameters=[OpenApiParameter("grid", str, description="网格统一编码")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        grid_code = self.request.query_params.get("grid")
        if grid_code:
            grid = get_object_or_404(OrgNode.objects.restrict(self.request.user), code=grid_code)
            queryset = queryset.filter(grid=grid)
        return queryset
