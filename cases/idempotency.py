"""Idempotency-Key for POSTs: a retry gets the first answer instead of a second effect.

The view runs in one transaction with the record of its answer, so either both are
saved or neither. A concurrent retry that loses the race for the key rolls its own work
back and answers what the winner stored.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from cases.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 100
# How long a key is remembered: a client retries within minutes, a resubmitted page form
# within the day; a week leaves room for a client that was offline over a weekend.
KEEP_DAYS = 7
PRUNE_BATCH = 5000


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response(
            {"code": "idempotency_key_reused", "detail": "这个 Idempotency-Key 已用于另一个请求"},
            status=422,
        )
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replay"] = "true"
    return response


def idempotent(view_method):
    """Decorate a DRF view method (self, request, …) that answers a POST."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER, "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response(
                {"code": "invalid", "detail": "Idempotency-Key 太长(最多 100 字符)"}, status=400
            )
        user = request.user if request.user.is_authenticated else None
        fingerprint = _fingerprint(request)
        existing = IdempotentRequest.objects.filter(user=user, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            with transaction.atomic():
                response = view_method(self, request, *args, **kwargs)
                if response.status_code < 500:
                    IdempotentRequest.objects.create(
                        user=user,
                        key=key,
                        path=request.path[:200],
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=response.data,
                    )
                    response["Idempotent-Replay"] = "false"
        except IntegrityError:
            existing = IdempotentRequest.objects.filter(user=user, key=key).first()
            if existing is None:
                raise
            return _replay(existing, fingerprint)
        return response

    return wrapper


# Page forms carry a one-time token (``{% once_field %}``), so a double tap or a form sent
# again after "back" does its work once; the repeat is sent where the first one went.
PAGE_FIELD = "once"


def page_once(view):
    """Decorate a page view that answers a POST with a redirect."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(PAGE_FIELD, "").strip() if request.method == "POST" else ""
        if not token or not request.user.is_authenticated or len(token) > 64:
            return view(request, *args, **kwargs)
        key = f"page:{token}"
        existing = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if existing is not None:
            return _page_replay(request, existing)
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if response.status_code in (301, 302, 303):
                    IdempotentRequest.objects.create(
                        user=request.user,
                        key=key,
                        path=request.path[:200],
                        fingerprint="",
                        status_code=response.status_code,
                        body={"location": response["Location"]},
                    )
        except IntegrityError:
            existing = IdempotentRequest.objects.filter(user=request.user, key=key).first()
            if existing is None:
                raise
            return _page_replay(request, existing)
        return response

    return wrapper


def _page_replay(request, record: IdempotentRequest):
    from django.contrib import messages
    from django.shortcuts import redirect

    # The first submission's own message may still be waiting; this one is only a hint.
    messages.info(request, "这个表单已经提交过,没有重复办理。")
    return redirect(record.body.get("location") or "/")


def prune_idempotency_records(*, now=None) -> int:
    """Forget keys older than ``KEEP_DAYS``, ``PRUNE_BATCH`` rows at a time; returns the count."""
    from django.utils import timezone

    cutoff = (now or timezone.now()) - timezone.timedelta(days=KEEP_DAYS)
    total = 0
    while True:
        old = IdempotentRequest.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)
        pks = list(old[:PRUNE_BATCH])
        if not pks:
            return total
        total += IdempotentRequest.objects.filter(pk__in=pks).delete()[0]
