"""Delivering outbox rows: in-app messages and signed webhook calls, with back-off."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.models import Channel, InboxMessage, Outbox

MAX_ATTEMPTS = 8
BATCH = 200
WEBHOOK_TIMEOUT = 10
LEASE = timedelta(seconds=WEBHOOK_TIMEOUT * 3)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to 1 hour between tries."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", so a captured call cannot be replayed later
    with a fresh timestamp."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _message(row: Outbox, **extra) -> InboxMessage:
    return InboxMessage(
        user_id=row.recipient_id,
        outbox=row,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        url=row.url,
        title=row.payload.get("title", row.event)[:200],
        body=row.payload.get("body", ""),
        **extra,
    )


def _deliver_inbox(row: Outbox) -> None:
    try:
        with transaction.atomic():
            _message(row).save(force_insert=True)
    except IntegrityError:
        pass  # delivered before: one message per outbox row


def _deliver_webhook(row: Outbox) -> None:
    body = json.dumps({"id": row.pk, **row.payload}, ensure_ascii=False).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(row.webhook.url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Gridgov-Event", row.event)
    request.add_header("X-Gridgov-Delivery", str(row.pk))
    request.add_header("X-Gridgov-Timestamp", str(timestamp))
    request.add_header("X-Gridgov-Signature", "sha256=" + sign(row.webhook.secret, timestamp, body))
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(row.webhook.url, response.status, "not 2xx", None, None)


def _record_failure(row: Outbox, error: Exception, now) -> None:
    row.attempts += 1
    row.last_error = str(error)[:500]
    row.next_attempt_at = now + backoff(row.attempts) if row.attempts < MAX_ATTEMPTS else None
    row.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def deliver(row_id: int) -> bool:
    """Deliver one row if it is still due; returns whether it is delivered now.

    In-app messages are written in one transaction with the row's "delivered" mark.
    A webhook call must not hold a database lock while it waits on the network, so the row
    is first leased (its next attempt pushed past the call's time-out), then called, then
    marked; a worker killed in between leaves the lease to expire and the row is retried.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            Outbox.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=row_id, delivered_at=None, next_attempt_at__lte=now)
            .first()
        )
        if row is None:
            return False
        if row.channel == Channel.INBOX:
            _deliver_inbox(row)
            row.attempts += 1
            row.delivered_at = now
            row.save(update_fields=["attempts", "delivered_at"])
            return True
        row.next_attempt_at = now + LEASE
        row.save(update_fields=["next_attempt_at"])
    try:
        _deliver_webhook(row)
    except (OSError, urllib.error.URLError, ValueError) as error:
        with transaction.atomic():
            _record_failure(row, error, timezone.now())
        return False
    row.attempts += 1
    row.delivered_at = timezone.now()
    row.save(update_fields=["attempts", "delivered_at"])
    return True


def due_rows(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Outbox.objects.filter(delivered_at=None, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )


def deliver_inbox_in_bulk(batch: int = 2000) -> int:
    """Deliver every pending in-app message with bulk writes (after bulk work such as the
    demo generator). Not for concurrent use with the workers; returns how many."""
    delivered = 0
    while True:
        with transaction.atomic():
            rows = list(
                Outbox.objects.filter(channel=Channel.INBOX, delivered_at=None)
                .exclude(pk__in=InboxMessage.objects.values("outbox_id"))
                .order_by("pk")[:batch]
            )
            if not rows:
                return delivered
            InboxMessage.objects.bulk_create(
                [_message(row, created_at=row.created_at) for row in rows]
            )
            Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(
                delivered_at=timezone.now(), attempts=1
            )
            delivered += len(rows)
