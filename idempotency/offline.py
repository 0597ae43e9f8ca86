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
  person pressed the button, and when the phone sent it. ``field_time`` is the one rule for
  the time a view or an API records for the action (a patrol's start and end, a finding, a
  visit, a care contact, a quick report's 提交): views pass ``**offline_fields(request.POST)``
  to the domain function, APIs the same two fields of their body.

The rule. Why the two phone times: a phone's clock may be minutes or hours off, but the time
it measures between the two presses is right; the server's clock minus that span is the real
moment. Without ``offline_sent_at`` (an API client that sends only ``offline_at``) the
phone's time is taken as it is. Then, limits, each answered with the server's now and a note
in Chinese saying why (stored with the record, shown beside its time):

- unreadable (not ISO 8601, or an impossible date): 「离线时间无法识别…」;
- later than the server's now by more than ``SKEW`` (a phone's drift): 「…晚于服务器时间…」;
  within ``SKEW`` it is now;
- older than ``MAX_OFFLINE`` (``KEEP_DAYS``, 7 days: the queue forgets nothing, but a week
  is also how long a token is remembered, so an older replay could no longer be recognised
  as one): 「…早于 7 天前…」.

A time without an offset is local time (the server's zone, ``settings.TIME_ZONE``,
Asia/Shanghai); a ``+`` lost to URL decoding (``10:00:00 08:00``) is read back.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from idempotency.keys import KEEP_DAYS

OFFLINE_AT = "offline_at"
SENT_AT = "offline_sent_at"
MAX_OFFLINE = timedelta(days=KEEP_DAYS)
SKEW = timedelta(minutes=5)

UNREADABLE = "离线时间无法识别，按收到时间记录"
AHEAD = "离线时间晚于服务器时间，按收到时间记录"
TOO_OLD = f"离线时间早于 {KEEP_DAYS} 天前，按收到时间记录"


def _parse(text: str) -> datetime | None:
    try:
        return parse_datetime(text)
    except ValueError:  # well-formed but impossible, such as month 13
        return None


def _moment(value) -> datetime | None:
    """An ISO 8601 time (or a datetime) as an aware datetime (naive: the server's zone), or
    None for anything else."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        moment = _parse(text)
        if moment is None and text.count(" ") == 1 and "T" in text:
            moment = _parse(text.replace(" ", "+"))  # "+08:00" decoded as " 08:00"
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def field_time(
    offline_at=None, offline_sent_at=None, *, now: datetime | None = None
) -> tuple[datetime, str]:
    """``(when, note)``: the time to record for an action, from the phone's ``offline_at``
    (when it was pressed) and ``offline_sent_at`` (when the phone sent it),
    each an ISO 8601 string, a datetime or None. ``(now, "")`` when sent online (no
    ``offline_at``); ``(the corrected time, "")`` when believed; ``(now, note)`` with the
    reason in Chinese when not (see the module for the rule)."""
    now = now or timezone.now()
    if offline_at in (None, "") or (isinstance(offline_at, str) and not offline_at.strip()):
        return now, ""
    pressed = _moment(offline_at)
    if pressed is None:
        return now, UNREADABLE
    sent = _moment(offline_sent_at)
    if sent is not None and sent >= pressed:
        pressed = now - (sent - pressed)  # the span the phone measured, on our clock
    if pressed > now + SKEW:
        return now, AHEAD
    if now - pressed > MAX_OFFLINE:
        return now, TOO_OLD
    return min(pressed, now), ""


def offline_fields(data) -> dict:
    """The two phone times of a form or API body (a QueryDict or a dict), as keyword
    arguments for the domain functions: ``{"offline_at": …, "offline_sent_at": …}``."""
    return {OFFLINE_AT: data.get(OFFLINE_AT) or None, SENT_AT: data.get(SENT_AT) or None}
