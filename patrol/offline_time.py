"""The time a field action happened, when the phone recorded it offline.

A page form queued offline is replayed later with an extra field ``offline_at`` (ISO 8601,
when the person pressed the button). It is taken as the action's time within sane limits:
not in the future (a minute's clock skew allowed) and not older than ``MAX_AGE`` (the
idempotency keys' life, ``idempotency.keys.KEEP_DAYS``: a replay older than that could run
twice anyway). Out of bounds, the server's time is used and the record says so.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from idempotency.keys import KEEP_DAYS

MAX_AGE = timedelta(days=KEEP_DAYS)
SKEW = timedelta(minutes=1)


def field_time(raw, now: datetime | None = None) -> tuple[datetime, str]:
    """``(when, note)``: the time ``offline_at`` gives, or ``now`` with a note in Chinese
    saying why not ("" when there was no ``offline_at`` or it was taken). ``raw`` is the
    form's or body's value (a string, a datetime or None); a naive time is local time."""
    now = now or timezone.now()
    if raw in (None, ""):
        return now, ""
    when = raw if isinstance(raw, datetime) else None
    if when is None:
        try:
            when = parse_datetime(str(raw).strip())
        except ValueError:
            when = None
    if when is None:
        return now, "离线时间无法识别，按提交时间记录"
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + SKEW:
        return now, "离线时间晚于当前时间，按提交时间记录"
    if when < now - MAX_AGE:
        return now, f"离线时间早于 {KEEP_DAYS} 天前，按提交时间记录"
    return min(when, now), ""
