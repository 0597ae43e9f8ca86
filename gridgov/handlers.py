"""Django's error handlers (handler400/403/404/500 in gridgov/urls.py): under /api/ a JSON
``{"code", "detail"}``, under /open311/ GeoReport's error list in the format the path asks
for (.json, else XML), anywhere else Django's own pages. An unhandled exception answers
500 ``server_error`` with the request id (``X-Request-ID``) it is logged under, so a
client's report leads to the traceback; DEBUG=1 keeps Django's technical page instead."""

import logging
import re
import sys
from functools import partial

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from audit import record
from open311.render import respond

logger = logging.getLogger("django.request")

API = "/api/"
OPEN311 = "/open311/"


def _answer(request, status: int, code: str, detail: str, page) -> HttpResponse:
    path = request.path_info
    if path.startswith(API):
        body = {"code": code, "detail": detail}
        if status >= 500:
            body["request_id"] = request.request_id
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if path.startswith(OPEN311):
        fmt = "json" if path.endswith(".json") else "xml"
        if status >= 500:
            detail = f"{detail}（请求编号 {request.request_id}）"
        return respond([{"code": status, "description": detail}], fmt, "errors", status=status)
    return page()


def bad_request(request, exception):
    page = partial(defaults.bad_request, request, exception)
    if isinstance(exception, RequestDataTooBig):  # a body above DATA_UPLOAD_MAX_MEMORY_SIZE
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        return _answer(request, 413, "too_large", f"请求体过大（上限 {limit:g} MB）", page)
    return _answer(request, 400, "invalid", "请求有误", page)


def permission_denied(request, exception):
    page = partial(defaults.permission_denied, request, exception)
    return _answer(request, 403, "permission_denied", "没有权限", page)


def page_not_found(request, exception):
    return _answer(
        request, 404, "not_found", "没有这个接口", partial(_not_found_page, request, exception)
    )


def _not_found_page(request, exception):
    """The 404 page, saying why when the view said it in Chinese (「没有这个网格」); Django's
    own English messages (get_object_or_404's) are not shown."""
    message = exception.args[0] if exception and exception.args else ""
    reason = message if isinstance(message, str) and re.search(r"[\u4e00-\u9fff]", message) else ""
    return HttpResponseNotFound(render_to_string("404.html", {"reason": reason}, request))


def server_error(request):
    if not getattr(request, "request_id", None):  # failed before audit.middleware gave it one
        request.request_id = record.new_request_id(request.headers.get(record.REQUEST_ID_HEADER))
    logger.error(
        "Internal Server Error: %s (request %s)",
        request.path,
        request.request_id,
        exc_info=sys.exc_info(),
        extra={"status_code": 500, "request": request},
    )
    response = _answer(
        request,
        500,
        "server_error",
        "服务器内部错误，已记录；请联系管理员并告知请求编号",
        partial(defaults.server_error, request),
    )
    response[record.REQUEST_ID_HEADER] = request.request_id
    # Logged above with the request id: Django's own line would repeat the traceback.
    response._has_been_logged = True
    return response
