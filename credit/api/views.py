from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from credit.actions import (
    account_for,
    do_add_store_item,
    do_award_points,
    do_cancel_redemption,
    do_fulfil_redemption,
    do_redeem,
    do_restock,
)
from credit.api.serializers import (
    AccountDetailSerializer,
    AccountSerializer,
    AwardSerializer,
    CancelSerializer,
    EntrySerializer,
    IncentiveRuleSerializer,
    MyAccountSerializer,
    RedeemSerializer,
    RedemptionSerializer,
    RestockSerializer,
    StoreItemCreateSerializer,
    StoreItemSerializer,
)
from credit.models import CreditAccount, IncentiveRule, Redemption, StoreItem
from idempotency.keys import idempotent
from org.models import OrgNode
from residents.models import Resident

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


class IncentiveRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The incentive items (激励事项) of the active preset and the administrator's."""

    lookup_value_regex = r"\d+"

    queryset = IncentiveRule.objects.select_related("subject")
    serializer_class = IncentiveRuleSerializer


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Credit accounts of the residents in the user's scope (a resident: their household's)."""

    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return CreditAccount.objects.restrict(self.request.user).select_related(
            "resident__household"
        )

    def get_serializer_class(self):
        return AccountDetailSerializer if self.action in ("retrieve", "mine") else AccountSerializer

    @extend_schema(responses={200: MyAccountSerializer})
    @action(detail=False)
    def mine(self, request):
        """The signed-in resident's own account (all zeros before their first points)."""
        resident = getattr(request.user, "resident", None)
        if resident is None:
            return Response({"code": "not_found", "detail": "您的账号没有关联居民"}, status=404)
        account = CreditAccount.objects.filter(resident=resident).first() or CreditAccount(
            resident=resident
        )
        return Response(MyAccountSerializer(account).data)


def _visible_resident(user, pk) -> Resident:
    resident = Resident.objects.restrict(user).select_related("household").filter(pk=pk).first()
    if resident is None:
        # An object the user may not see is not found (a 404, like the detail routes).
        raise NotFound("没有这位居民，或不在您的管辖范围内")
    return resident


class AwardView(APIView):
    """Record a good deed (or hours of service) and credit its points to a resident."""

    @extend_schema(
        request=AwardSerializer, responses={201: EntrySerializer}, parameters=[IDEMPOTENCY]
    )
    @idempotent
    def post(self, request):
        form = AwardSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        resident = _visible_resident(request.user, data["resident"])
        rule = IncentiveRule.objects.filter(key=data["rule"]).first()
        if rule is None:
            raise ValidationError({"rule": ["没有这个激励事项"]})
        entry = do_award_points(
            resident, rule, actor=request.user, quantity=data["quantity"], note=data["note"]
        )
        return Response(EntrySerializer(entry).data, status=201)


class StoreItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The credit store's goods in the user's reach (their community's and their subtree's).
    Community staff add goods and change the stock."""

    lookup_value_regex = r"\d+"

    serializer_class = StoreItemSerializer

    def get_queryset(self):
        return StoreItem.objects.restrict(self.request.user).select_related("node")

    @extend_schema(
        request=StoreItemCreateSerializer,
        responses={201: StoreItemSerializer},
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def create(self, request):
        form = StoreItemCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        node = OrgNode.objects.restrict(request.user).filter(code=data.pop("node_code")).first()
        if node is None:
            raise NotFound("没有这个社区，或不在您的管辖范围内")
        item = do_add_store_item(node, actor=request.user, **data)
        return Response(StoreItemSerializer(item).data, status=201)

    @extend_schema(
        request=RestockSerializer, responses={200: StoreItemSerializer}, parameters=[IDEMPOTENCY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def restock(self, request, pk=None):
        item = self.get_object()
        form = RestockSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = do_restock(item, form.validated_data["quantity"], actor=request.user)
        return Response(StoreItemSerializer(item).data)


class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Redemptions: spend points on an item, then hand it out (fulfil) or cancel and refund."""

    lookup_value_regex = r"\d+"

    serializer_class = RedemptionSerializer

    def get_queryset(self):
        return Redemption.objects.restrict(self.request.user).select_related(
            "item__node", "account__resident"
        )

    @extend_schema(
        request=RedeemSerializer, responses={201: RedemptionSerializer}, parameters=[IDEMPOTENCY]
    )
    @idempotent
    def create(self, request):
        form = RedeemSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = request.user
        if "resident" in data:
            resident = _visible_resident(user, data["resident"])
        else:
            resident = getattr(user, "resident", None)
            if resident is None:
                raise ValidationError({"resident": ["代居民兑换时请填写居民"]})
        item = StoreItem.objects.restrict(user).filter(pk=data["item"]).first()
        if item is None:
            raise ValidationError({"item": ["没有这件商品，或不在您所在社区的信用超市"]})
        redemption = do_redeem(account_for(resident), item, actor=user)
        return Response(RedemptionSerializer(redemption).data, status=201)

    @extend_schema(request=None, responses={200: RedemptionSerializer}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    @idempotent
    def fulfil(self, request, pk=None):
        redemption = self.get_object()
        redemption = do_fulfil_redemption(redemption, actor=request.user)
        return Response(RedemptionSerializer(redemption).data)

    @extend_schema(
        request=CancelSerializer, responses={200: RedemptionSerializer}, parameters=[IDEMPOTENCY]
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk=None):
        redemption = get_object_or_404(self.get_queryset(), pk=pk)
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        redemption = do_cancel_redemption(
            redemption, actor=request.user, reason=form.validated_data["reason"]
        )
        return Response(RedemptionSerializer(redemption).data)
