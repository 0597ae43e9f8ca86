"""Writing audit rows: one INSERT each, from the middleware or from the auth signals."""

import re
import uuid

from audit.models import AuditLog, Outcome

REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Path parameters that are secrets: a case's tracking token, an Open311 key lookup.
SECRET_KWARGS = frozenset({"token"})
# What a view or an action may set on the request to name the object it touched.
REQUEST_ATTR = "_audit"


def new_request_id(incoming: str | None = None) -> str:
    """The caller's id when it looks like one (a proxy's), else a fresh one."""
    if incoming and _GOOD_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def outcome_for(status_code: int) -> str:
    if status_code < 400:
        return Outcome.SUCCESS
    # 404 is how the platform answers an object outside the user's scope.
    if status_code in (401, 403, 404):
        return Outcome.DENIED
    return Outcome.FAILED


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client chose to send.
    return request.META.get("REMOTE_ADDR") or None


def note(request, *, action=None, obj=None, actor=None, username=None, outcome=None):
    """Let a view, an action or a signal say more about the request's audit row than the
    middleware can see (the object created, the account a login was for)."""
    info = getattr(request, REQUEST_ATTR, None)
    if info is None:
        return False
    if action:
        info["action"] = action
    if obj is not None:
        info["object_type"] = obj._meta.label_lower
        info["object_id"] = str(obj.pk)
        info["object_repr"] = str(obj)[:200]
    if actor is not None:
        info["actor"] = actor
    if username is not None:
        info["username"] = username
    if outcome:
        info["outcome"] = outcome
    return True


def _text(value, limit: int) -> str:
    """Text as the log can store it: PostgreSQL refuses NUL, which a hostile path may hold."""
    return str(value or "").replace("\x00", "\\x00")[:limit]


def write(
    *,
    action,
    outcome,
    actor=None,
    username="",
    object_type="",
    object_id="",
    object_repr="",
    request=None,
    status_code=None,
    path="",
):
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    if actor_id is not None and not username:
        username = actor.get_username()
    return AuditLog.objects.create(
        actor_id=actor_id,
        actor_username=_text(username, 150),
        action=_text(action, 64),
        object_type=_text(object_type, 64),
        object_id=_text(object_id, 64),
        object_repr=_text(object_repr, 200),
        outcome=outcome,
        method=_text(getattr(request, "method", None), 8),
        path=_text(path or getattr(request, "path", ""), 300),
        status_code=status_code,
        ip=client_ip(request) if request is not None else None,
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )
