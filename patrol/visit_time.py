"""The time a field form was made: a form queued offline (the offline engineer's service
worker) carries ``offline_at``, when the person pressed the button; a visit recorded offline
at 10:00 and sent at 14:00 says 10:00."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime

LOCAL = ZoneInfo("Asia/Shanghai")

# A form queued offline (another engineer's service worker) carries ``offline_at``, when
# the person pressed the button. Older than a week (the idempotency keys' own life,
# ``idempotency.keys.KEEP_DAYS``) or ahead of the server's clock by more than a phone's
# drift is not believed.
OFFLINE_MAX_AGE = dt.timedelta(days=7)
CLOCK_SKEW = dt.timedelta(minutes=5)


def field_time(raw, *, now: dt.datetime) -> tuple[dt.datetime, str]:
    """(time, note): the time a field form says it was pressed offline (``raw``, ISO 8601,
    e.g. ``2026-11-30T10:00:00+08:00``; a time without offset is Asia/Shanghai), or ``now``
    with the reason it was not believed (unreadable, in the future, older than 7 days).
    No ``raw``: ``(now, "")``."""
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if not raw:
        return now, ""
    moment = raw if isinstance(raw, dt.datetime) else None
    if moment is None:
        try:
            moment = parse_datetime(raw.replace(" ", "+", 1) if raw.count(" ") == 1 else raw)
        except ValueError:
            moment = None
    if moment is None:
        return now, f"离线时间「{str(raw)[:40]}」无法识别，按收到时间记录"
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL)
    if moment > now + CLOCK_SKEW:
        return now, "离线时间晚于服务器时间，按收到时间记录"
    if moment < now - OFFLINE_MAX_AGE:
        return now, "离线时间早于 7 天前，按收到时间记录"
    return moment, ""
