"""One idempotency mechanism for every entry point: a retry gets the first answer instead
of a second effect; a key sent again with another request is refused.

- REST: the ``Idempotency-Key`` header of a POST (``idempotent`` on a DRF view method);
  a key reused with another body answers 422 ``idempotency_key_reused``.
- Open311: the same header, per client system (``run_once`` in ``open311.views``); a reused
  key answers an Open311 error list.
- Page forms: a one-time token (``{% once_field %}``, ``page_once`` on the view), so a
  double tap or a form sent again after "back" does its work once.

The work runs in one transaction with the record of its answer, so either both are saved
or neither. A concurrent retry that loses the race for the key rolls its own work back and
answers what the winner stored. Every key is forgotten ``KEEP_DAYS`` after its first use
(``prune_idempotency_records``, nightly).
"""

import functools
import hashlib
import json

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from rest_framework.response import Response

from gridgov.errors import ActionError
from idempotency.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 100
# How long a key is remembered: a client retries within minutes, a resubmitted page form
# within the day; a week leaves room for a client that was offline over a weekend.
KEEP_DAYS = 7
PRUNE_BATCH = 5000
REUSED = "idempotency_key_reused"
REUSED_DETAIL = "这个 Idempotency-Key 已用于另一个请求"
TOO_LONG_DETAIL = f"Idempotency-Key 太长(最多 {MAX_KEY_LENGTH} 字符)"

SCOPE_API = ""
SCOPE_PAGE = "page"


def request_key(request) -> str:
    """The request's Idempotency-Key header, stripped ("" when there is none)."""
    return request.META.get(HEADER, "").strip()


def fingerprint(method: str, path: str, data) -> str:
    """A hash of what a request asks: its method, path and arguments (a JSON body, or form
    fields with every value of a repeated one), independent of their order."""
    if hasattr(data, "lists"):  # QueryDict, MultiValueDict
        data = {name: values for name, values in data.lists()}
    try:
        body = json.dumps(data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = ""
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def _lookup(scope: str, user, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(scope=scope, user=user, key=key).first()


def run_once(*, scope: str, user, key: str, fingerprint: str, path: str, work, answer):
    """Run ``work()`` once for ``(scope, user, key)``.

    ``answer(result)`` gives the ``(status_code, body)`` to remember for ``work``'s result,
    or None to remember nothing (a server error: the retry runs again). Returns
    ``(result, None)`` for a first run, ``(None, record)`` when the key was used before;
    the caller replays ``record`` or, when ``not record.matches(fingerprint)``, refuses."""
    existing = _lookup(scope, user, key)
    if existing is not None:
        return None, existing
    try:
        with transaction.atomic():
            result = work()
            remembered = answer(result)
            if remembered is not None:
                status_code, body = remembered
                IdempotentRequest.objects.create(
                    scope=scope,
                    user=user,
                    key=key,
                    path=path[:200],
                    fingerprint=fingerprint,
                    status_code=status_code,
                    body=body,
                )
    except IntegrityError:
        existing = _lookup(scope, user, key)
        if existing is None:
            raise
        return None, existing
    return result, None


# -- REST ---------------------------------------------------------------------------------


def _rest_replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if not record.matches(fingerprint):
        return Response({"code": REUSED, "detail": REUSED_DETAIL}, status=422)
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replay"] = "true"
    return response


def _answered(view_method, *args, **kwargs) -> Response:
    """The view's answer, an action's refusal included, so a retry replays the refusal
    (the exception handler would answer it only after the key's transaction)."""
    try:
        return view_method(*args, **kwargs)
    except ActionError as error:
        return Response(error.body(), status=error.status)


def idempotent(view_method):
    """Decorate a DRF view method (self, request, …) that answers a POST."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request_key(request)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response({"code": "invalid", "detail": TOO_LONG_DETAIL}, status=400)
        user = request.user if request.user.is_authenticated else None
        print_ = fingerprint(request.method, request.path, request.data)
        response, record = run_once(
            scope=SCOPE_API,
            user=user,
            key=key,
            fingerprint=print_,
            path=request.path,
            work=lambda: _answered(view_method, self, request, *args, **kwargs),
            answer=lambda r: (r.status_code, r.data) if r.status_code < 500 else None,
        )
        if record is not None:
            return _rest_replay(record, print_)
        if response.status_code < 500:
            response["Idempotent-Replay"] = "false"
        return response

    return wrapper


# -- page forms ---------------------------------------------------------------------------

PAGE_FIELD = "once"
PAGE_TOKEN_LENGTH = 64
# Sent by the offline queue (static/js/offline.js, idempotency.offline) with every post:
# "send" while the person waits for the next page, "replay" for a post kept on the phone.
OFFLINE_HEADER = "HTTP_X_GRIDGOV_OFFLINE"
_REDIRECTS = (301, 302, 303)


def _offline_answer(request, response, *, replayed: bool):
    """The offline queue's answer: a redirect becomes JSON naming where it led, so the
    queue need not follow it; any other answer (a form's errors, a refusal) is the view's
    own page. A replay, which nobody watches, also takes the flash messages ("已立案，编号
    …", or the error of a view that refuses with a message and a redirect) into the JSON,
    ``"messages": [{"level": "success"|"info"|"error"…, "text": …}]``, for the queue's
    list to show; a post the person waits for leaves them for the page it goes to."""
    kind = request.META.get(OFFLINE_HEADER, "")
    if not kind or response.status_code not in _REDIRECTS:
        return response
    body = {"ok": True, "location": response["Location"], "replayed": replayed}
    if kind == "replay":
        body["messages"] = [
            {"level": m.level_tag, "text": str(m)} for m in messages.get_messages(request)
        ]
    return JsonResponse(body)


def page_once(view):
    """Decorate a page view that answers a POST with a redirect.

    A post from the offline queue (header ``X-Gridgov-Offline``) is answered as JSON
    ``{"ok": true, "location": …, "replayed": false|true}`` where the view redirects, the
    first time and on every replay of its token alike (see ``_offline_answer`` and
    idempotency.offline)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(PAGE_FIELD, "").strip() if request.method == "POST" else ""
        if not token or not request.user.is_authenticated or len(token) > PAGE_TOKEN_LENGTH:
            return _offline_answer(request, view(request, *args, **kwargs), replayed=False)
        response, record = run_once(
            scope=SCOPE_PAGE,
            user=request.user,
            key=token,
            fingerprint="",
            path=request.path,
            work=lambda: view(request, *args, **kwargs),
            answer=lambda r: (
                (r.status_code, {"location": r["Location"]})
                if r.status_code in _REDIRECTS
                else None
            ),
        )
        if record is None:
            return _offline_answer(request, response, replayed=False)
        # The first submission's own message may still be waiting; this one is only a hint.
        messages.info(request, "这个表单已经提交过,没有重复办理。")
        replay = redirect(record.body.get("location") or "/")
        return _offline_answer(request, replay, replayed=True)

    return wrapper


# -- expiry -------------------------------------------------------------------------------


def prune_idempotency_records(*, now=None) -> int:
    """Forget keys older than ``KEEP_DAYS`` (every scope: REST, Open311, page forms),
    ``PRUNE_BATCH`` rows at a time; returns the count."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=KEEP_DAYS)
    total = 0
    while True:
        old = IdempotentRequest.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)
        pks = list(old[:PRUNE_BATCH])
        if not pks:
            return total
        total += IdempotentRequest.objects.filter(pk__in=pks).delete()[0]
