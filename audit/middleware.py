"""A request id for every request, and an audit row for every write."""

from audit import record

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Path parameters that name the object a write touches, most specific first.
_OBJECT_KWARGS = ("pk", "code", "ticket_no", "request_id", "grid_code", "slug", "kind")


class AuditMiddleware:
    """Sits right after AuthenticationMiddleware. GETs only get their request id; every
    other method gets one audit row (one INSERT) once the response is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = record.new_request_id(request.headers.get(record.REQUEST_ID_HEADER))
        if request.method in SAFE_METHODS:
            response = self.get_response(request)
        else:
            setattr(request, record.REQUEST_ATTR, {})
            response = self.get_response(request)
            self._record(request, response)
        response[record.REQUEST_ID_HEADER] = request.request_id
        return response

    def _record(self, request, response):
        info = getattr(request, record.REQUEST_ATTR)
        match = request.resolver_match
        kwargs = match.kwargs if match is not None else {}
        action = info.get("action") or (match.view_name if match is not None else "")
        if kwargs.get("action"):
            action = f"{action}:{kwargs['action']}"
        object_type, object_id = info.get("object_type", ""), info.get("object_id", "")
        if not object_type and match is not None:
            object_type = match.view_name
            object_id = next((str(kwargs[k]) for k in _OBJECT_KWARGS if kwargs.get(k)), "")
            if not object_id and response.status_code == 201:
                object_id = _created_id(response)
        actor = info.get("actor")
        if actor is None:
            # DRF writes the user it authenticated (token or session) back onto request.user.
            user = getattr(request, "user", None)
            actor = user if user is not None and user.is_authenticated else None
        record.write(
            action=action or "unresolved",
            outcome=info.get("outcome") or record.outcome_for(response.status_code),
            actor=actor,
            username=info.get("username", ""),
            object_type=object_type,
            object_id=object_id,
            object_repr=info.get("object_repr", ""),
            request=request,
            status_code=response.status_code,
            path=_path_without_secrets(request.path, kwargs),
        )


def _created_id(response) -> str:
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        for key in ("number", "id", "pk", "code"):
            if data.get(key) not in (None, ""):
                return str(data[key])
    return ""


def _path_without_secrets(path: str, kwargs: dict) -> str:
    for key in record.SECRET_KWARGS & kwargs.keys():
        value = str(kwargs[key])
        if value:
            path = path.replace(value, "…")
    return path
