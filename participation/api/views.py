import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from gridgov.api import WorkflowActions, action_schema
from gridgov.parsing import query_bool
from idempotency.keys import idempotent
from participation.actions import ORDERS, allowed_actions, do_post_order
from participation.api.serializers import (
    OrderActionSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderSerializer,
)
from participation.filters import OrderFilterSet
from participation.models import OrderEvent, ServiceOrder

# The filterset's yes/no filters (mine, asked), checked strictly before filtering.
BOOLEAN_FILTERS = [
    name
    for name, field in OrderFilterSet.base_filters.items()
    if isinstance(field, django_filters.BooleanFilter)
]


@extend_schema_view(act=action_schema(ORDERS, OrderActionSerializer, OrderDetailSerializer))
class OrderViewSet(
    WorkflowActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Volunteer orders and micro-wishes in the user's scope, plus their own and those they took."""

    workflow = ORDERS
    action_serializer_class = OrderActionSerializer

    lookup_value_regex = r"\d+"

    filterset_class = OrderFilterSet

    def filter_queryset(self, queryset):
        # django-filter reads ?mine=banana as absent and lists everything; a bad filter is a
        # 400 naming it (gridgov.parsing.query_bool), never ignored.
        for name in BOOLEAN_FILTERS:
            query_bool(self.request.query_params, name)
        return super().filter_queryset(queryset)

    def get_queryset(self):
        orders = ServiceOrder.objects.restrict(self.request.user).select_related(
            "node__parent", "requester", "taker"
        )
        if self.action == "retrieve":
            orders = orders.prefetch_related(Prefetch("events", OrderEvent.objects.order_by("pk")))
        return orders

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    def retrieve(self, request, *args, **kwargs):
        order = self.get_object()
        context = {"allowed_actions": allowed_actions(request.user, order)}
        return Response(OrderDetailSerializer(order, context=context).data)

    @extend_schema(
        request=OrderCreateSerializer,
        responses={201: OrderSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @idempotent
    def create(self, request):
        form = OrderCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        order = do_post_order(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            grid_code=data["grid_code"],
            requester_id=data.get("requester"),
        )
        return Response(OrderSerializer(order).data, status=201)
