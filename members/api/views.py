"""``/api/v1/members/``: the 双报到 register (``registrations``, for its keepers holding
``members.manage``, scoped to their subtrees) and one's own registration (``me``)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.errors import NotPermitted
from gridgov.parsing import query_choice
from idempotency.keys import idempotent
from members.actions import (
    MANAGE,
    Details,
    do_create_registration,
    do_leave_registration,
    do_register_self,
    do_update_registration,
    parse_skills,
)
from members.api.serializers import (
    RegistrationSerializer,
    RegistrationWriteSerializer,
    SelfRegistrationSerializer,
)
from members.models import Registration, RegistrationStatus
from org.codes import subtree_q
from org.permissions import codes_with, restrict
from org.queries import query_node

KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


def _details(data) -> Details:
    skills = data.get("skills")
    return Details(
        name=data.get("name", "").strip(),
        phone=data.get("phone", "").strip(),
        employer=data.get("employer", "").strip(),
        grid_code=data.get("home_grid", "").strip(),
        kind=data.get("kind", ""),
        skills=None if skills is None else parse_skills(skills),
    )


@extend_schema(parameters=[OpenApiParameter("grid", str), OpenApiParameter("q", str)])
class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The register of the subtrees where the user holds ``members.manage``; others get an
    empty list, and 403 when they write."""

    serializer_class = RegistrationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        rows = restrict(Registration.objects.all(), self.request.user, MANAGE).select_related(
            "home_grid"
        )
        grid = query_node(self.request.user, self.request.query_params, "grid")
        if grid is not None:
            rows = rows.filter(subtree_q(grid.code, "home_grid__code"))
        q = self.request.query_params.get("q", "").strip()
        if q:
            rows = rows.filter(name__contains=q) | rows.filter(employer__contains=q)
        status = query_choice(self.request.query_params, "status", RegistrationStatus.values)
        if status:
            rows = rows.filter(status=status)
        return rows

    @extend_schema(
        request=RegistrationWriteSerializer,
        responses={201: RegistrationSerializer},
        parameters=[KEY],
    )
    @idempotent
    def create(self, request):
        if codes_with(request.user, MANAGE) == []:
            raise NotPermitted("只有社区及以上的工作人员可以登记双报到")
        form = RegistrationWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        registration = do_create_registration(
            actor=request.user, details=_details(form.validated_data)
        )
        return Response(self._out(registration), status=201)

    @extend_schema(request=RegistrationWriteSerializer, responses=RegistrationSerializer)
    def partial_update(self, request, pk=None):
        registration = self.get_object()
        form = RegistrationWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        registration = do_update_registration(
            registration.pk,
            actor=request.user,
            version=form.validated_data.get("version"),
            details=_details(form.validated_data),
        )
        return Response(self._out(registration))

    @extend_schema(parameters=[OpenApiParameter("version", int)], responses=RegistrationSerializer)
    def destroy(self, request, pk=None):
        """Takes the registration off the register (status ``left``; kept for the record)."""
        registration = self.get_object()
        registration = do_leave_registration(
            registration.pk, actor=request.user, version=request.query_params.get("version")
        )
        return Response(self._out(registration))

    def _out(self, registration):
        registration = Registration.objects.select_related("home_grid").get(pk=registration.pk)
        return RegistrationSerializer(registration, context={"request": self.request}).data


class MyRegistrationView(APIView):
    """One's own 双报到: GET it (404 when not registered), POST to register or change it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RegistrationSerializer)
    def get(self, request):
        registration = Registration.objects.select_related("home_grid").filter(user=request.user)
        found = registration.first()
        if found is None:
            return Response({"code": "not_found", "detail": "您还没有双报到"}, status=404)
        return Response(RegistrationSerializer(found, context={"request": request}).data)

    @extend_schema(
        request=SelfRegistrationSerializer,
        responses={201: RegistrationSerializer},
        parameters=[KEY],
    )
    @idempotent
    def post(self, request):
        form = SelfRegistrationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        existed = Registration.objects.filter(user=request.user).exists()
        registration = do_register_self(
            actor=request.user,
            employer=data["employer"],
            grid_code=data["home_grid"],
            lng=data.get("lng"),
            lat=data.get("lat"),
            skills=data.get("skills"),
            kind=data["kind"],
            phone=data["phone"],
        )
        registration = Registration.objects.select_related("home_grid").get(pk=registration.pk)
        body = RegistrationSerializer(registration, context={"request": request}).data
        return Response(body, status=200 if existed else 201)
