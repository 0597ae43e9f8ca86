"""GeoReport v2 endpoints. Each view parses, checks the jurisdiction and the api_key,
calls a query or the one action, and renders in the format the URL's suffix names."""

import functools
import re

from django.db.models import Max
from django.http import HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cases.models import Case
from catalog.models import MatterCategory
from gridgov.errors import ActionError
from idempotency import keys
from open311 import attributes, records
from open311.actions import do_submit_request
from open311.errors import Open311Error, bad_request, forbidden, not_found
from open311.forms import parse_filters, parse_new_request, service_or_404
from open311.models import SCOPE_POST, ApiClient, configured_jurisdiction
from open311.render import respond

_FORMAT_SUFFIX = re.compile(r"\.(json|xml)$")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def _params(request):
    """The arguments: a POST's form fields, plus the query string's for what the form
    does not carry (some clients send api_key and jurisdiction_id in the URL)."""
    if request.method != "POST":
        return request.GET
    try:
        params = request.POST.copy()
    except MultiPartParserError as error:
        raise bad_request(f"无法读取表单: {error}") from None
    for key in request.GET:
        if key not in params:
            params.setlist(key, request.GET.getlist(key))
    return params


def _refuse_nul(request, params, args, kwargs) -> None:
    """PostgreSQL text cannot hold NUL: refuse it here, in GeoReport's form, before any
    query would fail on it."""
    texts = [request.path, *map(str, args), *map(str, kwargs.values())]
    texts += [value for key in params for value in (key, *params.getlist(key))]
    if any("\x00" in text for text in texts):
        raise bad_request("请求中含有空字符（NUL）")


def _check_jurisdiction(params) -> str:
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given != configured_jurisdiction():
        raise not_found(
            f"没有这个 jurisdiction_id: {given}（本接口为 {configured_jurisdiction()}）"
        )
    return configured_jurisdiction()


def _client(params, *, required: bool) -> ApiClient | None:
    """The client named by api_key: required to post; optional to read, where it widens
    what may be seen. A key that is given must be valid for this jurisdiction."""
    raw = (params.get("api_key") or "").strip()
    if not raw:
        if required:
            raise forbidden("缺少 api_key")
        return None
    client = ApiClient.for_key(raw)
    if client is None:
        raise forbidden("api_key 无效或已停用")
    if not client.serves(configured_jurisdiction()):
        raise forbidden(f"该 api_key 不能用于 jurisdiction_id {configured_jurisdiction()}")
    return client


def endpoint(*methods):
    """Answers errors in GeoReport's form and in the requested format."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt="xml", **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(405, f"{request.method} 不适用于这个资源")
                params = _params(request)
                _refuse_nul(request, params, args, kwargs)
                _check_jurisdiction(params)
                return view(request, params, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = respond(error.as_list(), fmt, "errors", status=error.status)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapper

    return decorate


@endpoint("GET")
def discovery(request, params, *, fmt):
    changed = MatterCategory.objects.aggregate(at=Max("updated_at"))["at"] or timezone.now()
    changeset = records.w3(changed)
    base = request.build_absolute_uri(reverse("open311:root")).rstrip("/")
    data = {
        "changeset": changeset,
        "contact": "网格化社区治理平台管理员",
        "key_service": (
            "api_key 由平台管理员在后台“Open311 客户端”中为每个对接系统签发，只显示一次"
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(data, fmt, "discovery")


@endpoint("GET")
def services(request, params, *, fmt):
    rows = [records.service_row(category) for category in records.active_services()]
    return respond(rows, fmt, "services")


@endpoint("GET")
def service_definition(request, params, *, code, fmt):
    return respond(attributes.definition(service_or_404(code)), fmt, "service_definition")


@endpoint("GET", "POST")
def service_requests(request, params, *, fmt):
    if request.method == "POST":
        return _post_request(request, params, fmt)
    client = _client(params, required=False)
    filters = parse_filters(params)
    cases = records.visible_cases(client)
    if filters.ids:
        cases = cases.filter(number__in=filters.ids)
    else:
        cases = cases.filter(created_at__gte=filters.start, created_at__lte=filters.end)
        if filters.codes:
            cases = cases.filter(category__code__in=filters.codes)
        if filters.statuses:
            statuses = [s for name in filters.statuses for s in records.STATUS_VALUES[name]]
            cases = cases.filter(status__in=statuses)
    first = (filters.page - 1) * filters.page_size
    page = records.with_request_fields(cases).order_by("-created_at", "-pk")[
        first : first + filters.page_size
    ]
    return respond([records.request_row(case, request) for case in page], fmt, "service_requests")


def _submit(client, params) -> tuple[int, list[dict]]:
    """Create the case; (status, rows) in GeoReport's form, errors included."""
    try:
        new = parse_new_request(params)
        try:
            case = do_submit_request(client, new)
        except ActionError as error:
            details = [f"{k}: {v}" for k, v in error.errors.items()]
            raise bad_request(error.detail, *details) from None
    except Open311Error as error:
        return error.status, error.as_list()
    row = {
        "service_request_id": case.number,
        # Cases are created at once (type realtime), so the id comes back now; the token
        # is returned as well, for clients that follow one (see README).
        "token": case.tracking_token,
        "service_notice": records.service_notice(case),
        "account_id": new.account_id or None,
    }
    return 201, [row]


def _answer(status: int, rows: list[dict], fmt: str):
    return respond(rows, fmt, "errors" if status >= 400 else "service_requests", status=status)


def _post_request(request, params, fmt):
    """A POST with an Idempotency-Key goes through the platform's one idempotency
    mechanism, with the client system as the key's owner: a retry with the same request
    gets the first answer, the same key with another request is refused (422)."""
    client = _client(params, required=True)
    if not client.has_scope(SCOPE_POST):
        raise forbidden(f"该 api_key 没有提交权限（{SCOPE_POST}）")
    key = keys.request_key(request)
    if not key:
        return _answer(*_submit(client, params), fmt)
    if len(key) > keys.MAX_KEY_LENGTH:
        raise bad_request(keys.TOO_LONG_DETAIL)
    # What the request asks, whatever its format (.json or .xml) or the key it came with.
    asked = {name: params.getlist(name) for name in params if name != "api_key"}
    path = _FORMAT_SUFFIX.sub("", request.path)
    print_ = keys.fingerprint(request.method, path, asked)
    answer, record = keys.run_once(
        scope=f"open311:{client.pk}",
        user=None,
        key=key,
        fingerprint=print_,
        path=request.path,
        work=lambda: _submit(client, params),
        answer=lambda answer: answer,
    )
    if record is None:
        response = _answer(*answer, fmt)
        response["Idempotent-Replay"] = "false"
        return response
    if not record.matches(print_):
        raise Open311Error(422, f"{keys.REUSED}: {keys.REUSED_DETAIL}")
    response = _answer(record.status_code, record.body, fmt)
    response["Idempotent-Replay"] = "true"
    return response


@endpoint("GET")
def service_request(request, params, *, request_id, fmt):
    client = _client(params, required=False)
    cases = records.with_request_fields(records.visible_cases(client).filter(number=request_id))
    case = cases.first()
    if case is None:
        raise not_found(f"没有这个 service_request_id: {request_id}")
    return respond([records.request_row(case, request)], fmt, "service_requests")


@endpoint("GET")
def token_lookup(request, params, *, token, fmt):
    number = Case.objects.filter(tracking_token=token).values_list("number", flat=True).first()
    if number is None:
        raise not_found(f"没有这个 token: {token}")
    return respond([{"service_request_id": number, "token": token}], fmt, "service_requests")


def root(request):
    return HttpResponseRedirect(reverse("open311:discovery", kwargs={"fmt": "xml"}))


@endpoint("GET", "POST")
def unknown(request, params, *, rest, fmt):
    raise not_found(f"没有这个资源: {rest}（格式须为 .json 或 .xml）")
