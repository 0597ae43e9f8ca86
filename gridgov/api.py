"""What every API endpoint shares: JSON errors with a code, and the token views."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db import DataError
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import actions, throttle
from accounts.tokens import do_issue_token, do_revoke_token, do_revoke_tokens
from audit import record
from gridgov.authentication import BearerTokenAuthentication
from gridgov.errors import ActionError
from idempotency.keys import idempotent

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


# The API speaks Chinese: the framework's English details, by status.
_WORDS = {
    400: "请求无法解析(正文应为 JSON 或表单)",
    401: "请先登录(请求头带上有效的 Bearer 令牌)",
    403: "您没有权限做这件事",
    404: "没有找到，或不在您的管辖范围内",
    405: "不支持这个请求方法",
    406: "无法按要求的格式回答",
    415: "不支持这种请求格式",
    429: "请求太频繁，请稍后再试",
}


def error_response(error: ActionError) -> Response:
    """The JSON answer for an action's refusal: its status, code, detail and field errors."""
    return Response(error.body(), status=error.status)


def exception_handler(exc, context):
    """DRF's handler, with every error body carrying a machine-readable ``code``. An action's
    refusal (``gridgov.errors.ActionError``) answers its own status and code. A number
    or text that does not fit its database column is the client's error (400), wherever a
    check missed it; any other exception goes on to gridgov.handlers.server_error (500)."""
    if isinstance(exc, ActionError):  # an action's refusal, from any view: one mapping
        set_rollback()
        return error_response(exc)
    if isinstance(exc, OverflowError | DataError):
        set_rollback()
        return Response({"code": "invalid", "detail": "数值或文本超出了允许的范围"}, status=400)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) <= 2:
        code = getattr(data["detail"], "code", None) or _CODES.get(response.status_code, "error")
        detail = str(data["detail"])
        if detail.isascii():  # DRF's and Django's own words ("Not found.", "JSON parse error…")
            detail = _WORDS.get(response.status_code, detail)
        response.data = {"code": data.get("code", code), "detail": detail}
    else:
        response.data = {
            "code": _CODES.get(response.status_code, "error"),
            "detail": "请求数据有误",
            "errors": data,
        }
    return response


def action_schema(workflow, request, response):
    """The OpenAPI description of a viewset's ``act`` (``WorkflowActions``): its body, its
    answer, and the workflow's actions as the path's enum."""
    return extend_schema(
        request=request,
        responses={200: response},
        parameters=[
            OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=workflow.actions),
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER),
        ],
    )


class WorkflowActions:
    """The one action endpoint of every workflow, for a viewset over its objects:
    ``POST …/{id}/actions/{action}/`` with the object's ``version`` and the action's
    fields; 404 outside the user's scope, then ``workflow.apply`` (400/403/409 as JSON by
    the exception handler), and the object's detail as the answer. A viewset sets
    ``workflow`` and, to check the body's fields first, ``action_serializer_class``; it
    describes the endpoint with ``extend_schema_view(act=action_schema(...))``."""

    workflow = None
    action_serializer_class = None

    def action_data(self, request) -> dict:
        if self.action_serializer_class is None:
            return request.data if isinstance(request.data, dict) else {}
        form = self.action_serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        return form.validated_data

    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)")
    @idempotent
    def act(self, request, pk=None, action_name=None):
        obj = self.get_object()
        data = self.action_data(request)
        self.workflow.apply(
            obj.pk, action_name, actor=request.user, version=data.get("version"), data=data
        )
        return self.retrieve(request, pk=obj.pk)


class Locked(exceptions.APIException):
    """Too many failed logins for this username or address (see accounts.throttle)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"

    def __init__(self, lock):
        super().__init__(lock.message, code="locked")
        self.wait = lock.seconds_left  # DRF sends it as Retry-After


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="两步验证码（6 位）或恢复码；已启用两步验证的账号必填",
    )


# 401 invalid_credentials / totp_required, 403 totp_enrolment_required, 429 locked.
_TOKEN_ERROR = inline_serializer(
    "TokenError", {"code": serializers.CharField(), "detail": serializers.CharField()}
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema's ``tokenAuth`` (drf-spectacular's knox extension ignores subclasses)."""

    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )


class LoggingIn(BearerTokenAuthentication):
    """The login call authenticates nobody, whatever token the client still sends."""

    def authenticate(self, request):
        return None


class TokenView(APIView):
    """Exchange a username and password for a new token, sent as
    ``Authorization: Bearer <token>`` until ``expiry``. Each use moves ``expiry`` a token
    lifetime further (API_TOKEN_HOURS), up to API_TOKEN_MAX_DAYS after this login."""

    permission_classes = [AllowAny]
    # No session, so no CSRF check on the login call; failures stay 401 with a Bearer
    # challenge; and a client still sending its expired token can log in again.
    authentication_classes = [LoggingIn]

    @extend_schema(
        request=TokenRequest,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            ),
            **dict.fromkeys([401, 403, 429], _TOKEN_ERROR),
        },
        auth=[],
    )
    def post(self, request):
        form = TokenRequest(data=request.data)
        form.is_valid(raise_exception=True)
        username = form.validated_data["username"]
        ip = throttle.client_ip(request)
        lock = throttle.current_lock(username, ip)
        if lock:
            user_login_failed.send(__name__, credentials={"username": username}, request=request)
            raise Locked(lock)
        user = authenticate(request, username=username, password=form.validated_data["password"])
        if user is None or not user.is_active:
            self._failed(username, ip)
            raise exceptions.AuthenticationFailed("用户名或密码错误", code="invalid_credentials")
        step = actions.second_factor_step(user)
        if step == "enrol":
            raise exceptions.PermissionDenied(
                "该账号须先在网页登录并启用两步验证", code="totp_enrolment_required"
            )
        if step == "verify" and not actions.do_verify_second_factor(
            user, form.validated_data.get("otp", "")
        ):
            user_login_failed.send(__name__, credentials={"username": username}, request=request)
            self._failed(username, ip)
            raise exceptions.AuthenticationFailed("请提供正确的两步验证码", code="totp_required")
        throttle.record_success(username)
        text, token = do_issue_token(user)
        record.note(request, actor=user)  # the audit row names whom the token went to
        return Response({"token": text, "expiry": token.expiry}, status=status.HTTP_200_OK)

    @staticmethod
    def _failed(username, ip):
        lock = throttle.record_failure(username, ip)
        if lock:
            raise Locked(lock)


class LogoutView(APIView):
    """End this token (the one in the Authorization header)."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: _TOKEN_ERROR})
    def post(self, request):
        do_revoke_token(request.auth)
        user_logged_out.send(type(request.user), request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """End every token of this user, on every device and script."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: _TOKEN_ERROR})
    def post(self, request):
        do_revoke_tokens(request.user)
        user_logged_out.send(type(request.user), request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
