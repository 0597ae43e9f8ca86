"""What every API endpoint shares: JSON errors with a code, and the token view."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from gridgov.authentication import BearerTokenAuthentication

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


def exception_handler(exc, context):
    """DRF's handler, with every error body carrying a machine-readable ``code``."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) <= 2:
        code = getattr(data["detail"], "code", None) or _CODES.get(response.status_code, "error")
        response.data = {"code": data.get("code", code), "detail": str(data["detail"])}
    else:
        response.data = {
            "code": _CODES.get(response.status_code, "error"),
            "detail": "请求数据有误",
            "errors": data,
        }
    return response


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for a token, sent as ``Authorization: Bearer <token>``."""

    permission_classes = [AllowAny]
    # Bearer only: no session, so no CSRF check on the login call, and failures stay 401.
    authentication_classes = [BearerTokenAuthentication]

    @extend_schema(
        request=TokenRequest,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        form = TokenRequest(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("用户名或密码错误", code="invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)
