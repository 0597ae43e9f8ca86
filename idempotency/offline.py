"""The server's side of the offline queue (static/js/offline.js): page forms marked
``data-offline`` are kept on the phone while there is no network and posted later, each with
its one-time token (``once``), so ``page_once`` answers a replay as it answered the first
post and nothing is done twice.

What a post from the queue carries beyond the form's own fields:

- the header ``X-Gridgov-Offline: replay`` (``send`` when a person waits for the answer):
  ``page_once`` (idempotency.keys) then answers a success as JSON, ``{"ok": true,
  "location": "/cases/12/", "replayed": false, "messages": […]}`` (200), instead of a
  redirect, so the queue learns where it led and what the page said without fetching the
  next page; a refusal (a form error 400, a 403, a 409) is the view's own HTML page, which
  the queue keeps and shows with the page's error text. A view that refuses with
  ``messages.error`` and a redirect is answered ``ok`` with that error among the messages:
  the queue shows it as refused, but its token is used up (prefer a 4xx page);
- the fields ``offline_at`` and ``offline_sent_at`` (ISO 8601, the phone's clock): when the
  person pressed the button, and when the phone sent it. ``recorded_at(request.POST)`` gives
  the time a view should record for the visit, the finding or the patrol's start and end
  (the contract of issue 13: patrol and visit views accept ``offline_at`` when present).

Why the two phone times: a phone's clock may be minutes or hours off, but the time it
measures between the two presses is right; the server's clock minus that span is the real
moment. Limits: a time after the server's now is now (a clock ahead); a time more than
``MAX_OFFLINE`` back is not believed (the queue forgets nothing, but a week is also how long
``KEEP_DAYS`` remembers a token, so an older replay could no longer be recognised as one)
and the view records the server's time instead.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from idempotency.keys import KEEP_DAYS

OFFLINE_AT = "offline_at"
SENT_AT = "offline_sent_at"
MAX_OFFLINE = timedelta(days=KEEP_DAYS)


def _moment(value) -> datetime | None:
    """An ISO 8601 time as an aware datetime (a time without an offset is in the server's
    zone), or None for anything else."""
    try:
        moment = parse_datetime(str(value or "").strip())
    except ValueError:  # well-formed but impossible, such as month 13
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def offline_time(data, *, now: datetime | None = None) -> datetime | None:
    """The real time an action taken offline happened, from ``data`` (a QueryDict or a
    dict: ``offline_at`` and optionally ``offline_sent_at``); None when the form was sent
    online (no ``offline_at``), or its time cannot be read or believed (see the module)."""
    now = now or timezone.now()
    pressed = _moment(data.get(OFFLINE_AT))
    if pressed is None:
        return None
    sent = _moment(data.get(SENT_AT))
    if sent is not None and sent >= pressed:
        pressed = now - (sent - pressed)  # the span the phone measured, on our clock
    pressed = min(pressed, now)
    return pressed if now - pressed <= MAX_OFFLINE else None


def recorded_at(data, *, now: datetime | None = None) -> datetime:
    """The time to record for a form's action: its offline time when there is a credible
    one, else the server's now. ``data`` is ``request.POST`` (or an API body)."""
    now = now or timezone.now()
    return offline_time(data, now=now) or now
