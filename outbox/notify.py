"""Recording notifications in the outbox, inside the caller's transaction.

``notify(subject, event, users, title, body)`` writes one in-app row per user and one row
per webhook subscribed to ``event``; their delivery is enqueued when the transaction
commits (``outbox.tasks.deliver_outbox``), so a rolled-back action notifies nobody and a
committed one is delivered even if the worker is down for a while (the periodic retry
picks up what is due).
"""

import contextlib
import contextvars

from django.db import transaction
from django.utils import timezone

from outbox.models import Channel, Outbox, Webhook, subject_label
from outbox.tasks import deliver_outbox

_held = contextvars.ContextVar("gridgov_delivery_held", default=False)


@contextlib.contextmanager
def held_delivery():
    """Record notifications without queueing a delivery task for each: for bulk work such
    as the demo generator, which delivers the backlog in one go afterwards
    (``outbox.delivery.deliver_inbox_in_bulk``); rows left over go out with the periodic
    retry."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def subject_url(subject) -> str:
    """The page of the subject, for the inbox's link: its ``get_absolute_url()``, if any."""
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if get_url is not None else ""


def notify(
    subject,
    event: str,
    users,
    title: str,
    body: str = "",
    *,
    at=None,
    payload: dict | None = None,
    url: str | None = None,
) -> list[Outbox]:
    """Queue an in-app message about ``subject`` (any saved model instance, or None) for
    each user, and a webhook call for each active subscriber to ``event``.

    ``at`` is when it happened (the action's time); ``payload`` is merged into the webhook
    body beside ``event``, ``subject`` and ``title`` (a case sends its number, status and
    version); ``url`` overrides the subject's ``get_absolute_url()``. A user listed twice
    gets one message. Returns the rows written."""
    now = at or timezone.now()
    subject_type = subject_label(subject) if subject is not None else ""
    subject_id = subject.pk if subject is not None else None
    link = subject_url(subject) if url is None and subject is not None else (url or "")
    about = {"subject_type": subject_type, "subject_id": subject_id, "url": link[:300]}
    rows, seen = [], set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Outbox(
                channel=Channel.INBOX,
                recipient=user,
                event=event,
                payload={"title": title, "body": body},
                **about,
            )
        )
    webhook_body = {
        "event": event,
        "subject": {"type": subject_type, "id": subject_id, "url": link},
        **(payload or {}),
        "title": title,
    }
    for webhook in Webhook.objects.filter(is_active=True):
        if not webhook.events or event in webhook.events:
            rows.append(
                Outbox(
                    channel=Channel.WEBHOOK,
                    webhook=webhook,
                    event=event,
                    payload=webhook_body,
                    **about,
                )
            )
    if not rows:
        return []
    for row in rows:
        row.created_at = row.next_attempt_at = now
    created = Outbox.objects.bulk_create(rows)
    if not _held.get():
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: deliver_outbox(ids))
    return created
