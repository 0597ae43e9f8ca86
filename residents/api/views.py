from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from residents.api.serializers import (
    ResidentSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
)
from residents.masking import can_reveal, do_reveal_field
from residents.models import Resident


class ResidentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ResidentSerializer

    def get_queryset(self):
        return (
            Resident.objects.restrict(self.request.user)
            .select_related("household")
            .prefetch_related("tags")
        )

    @extend_schema(request=RevealRequestSerializer, responses=RevealResponseSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The unmasked phone or ID number, for roles that may see it; every call is logged."""
        resident = self.get_object()
        form = RevealRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if not can_reveal(request.user, resident):
            raise PermissionDenied("您的角色无权查看完整个人信息", code="reveal_not_allowed")
        field = form.validated_data["field"]
        value = do_reveal_field(
            resident, field, actor=request.user, ip=request.META.get("REMOTE_ADDR"), channel="api"
        )
        return Response({"field": field, "value": value})
