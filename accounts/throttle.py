"""Login throttling: too many failures for one username or one address lock it for a while.
The same counter limits anonymous reports through the public QR form per address.

Counted in the database (one row per username and per address, updated under a row lock),
so the limit holds across gunicorn workers. Every function takes ``now`` so tests move the
clock instead of sleeping. Limits can be tuned with LOGIN_FAILURE_LIMIT,
LOGIN_IP_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW and LOGIN_LOCK_SECONDS in settings.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from accounts.models import LoginThrottle, ThrottleScope

DEFAULT_USERNAME_LIMIT = 5  # failures per username within the window
DEFAULT_IP_LIMIT = 20  # per address: higher, since an office may share one address
DEFAULT_WINDOW_SECONDS = 15 * 60
DEFAULT_LOCK_SECONDS = 15 * 60


def _limit(scope: str) -> int:
    if scope == ThrottleScope.IP:
        return getattr(settings, "LOGIN_IP_FAILURE_LIMIT", DEFAULT_IP_LIMIT)
    return getattr(settings, "LOGIN_FAILURE_LIMIT", DEFAULT_USERNAME_LIMIT)


def _window() -> timedelta:
    return timedelta(seconds=getattr(settings, "LOGIN_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS))


def _lock() -> timedelta:
    return timedelta(seconds=getattr(settings, "LOGIN_LOCK_SECONDS", DEFAULT_LOCK_SECONDS))


def clock():
    """The current time; tests replace it (monkeypatch) to move the clock."""
    return timezone.now()


def username_key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def client_ip(request) -> str:
    """The client's address. REMOTE_ADDR, unless LOGIN_TRUSTED_PROXY_COUNT says how many
    reverse proxies append to X-Forwarded-For: then the entry the outermost of them added
    (anything to its left is whatever the client claimed)."""
    proxies = getattr(settings, "LOGIN_TRUSTED_PROXY_COUNT", 0)
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies][:150]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:150]


@dataclass(frozen=True)
class Lock:
    until: object  # aware datetime
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))

    @property
    def message(self) -> str:
        return f"登录失败次数过多，已暂时锁定，请 {self.minutes_left} 分钟后再试。"


def _keys(username: str, ip: str | None):
    keys = []
    if username_key(username):
        keys.append((ThrottleScope.USERNAME, username_key(username)))
    if ip:
        keys.append((ThrottleScope.IP, ip))
    return keys


def current_lock(username: str, ip: str | None, *, now=None) -> Lock | None:
    """The lock on this username or address that ends last, if any is in force."""
    now = now or clock()
    until = None
    for scope, key in _keys(username, ip):
        row = LoginThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now).first()
        if row and (until is None or row.locked_until > until):
            until = row.locked_until
    if until is None:
        return None
    return Lock(until=until, seconds_left=math.ceil((until - now).total_seconds()))


def record_failure(username: str, ip: str | None, *, now=None) -> Lock | None:
    """Count one failed attempt; returns the lock if this failure set one off."""
    now = now or clock()
    for scope, key in _keys(username, ip):
        with transaction.atomic():
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)
            if row.window_start is None or now - row.window_start > _window():
                row.failures, row.window_start = 0, now
            row.failures += 1
            if row.failures >= _limit(scope):
                row.locked_until = now + _lock()
                row.failures, row.window_start = 0, None
            row.save(update_fields=["failures", "window_start", "locked_until"])
    return current_lock(username, ip, now=now)


def record_success(username: str) -> None:
    """A successful login clears the username's count (not the address's: one good
    account must not reset the budget for guessing others)."""
    LoginThrottle.objects.filter(scope=ThrottleScope.USERNAME, key=username_key(username)).delete()


def prune(*, now=None) -> int:
    """Delete rows that neither lock nor count any more (run periodically)."""
    now = now or clock()
    stale = LoginThrottle.objects.filter(
        models.Q(locked_until__isnull=True) | models.Q(locked_until__lte=now),
        models.Q(window_start__isnull=True) | models.Q(window_start__lt=now - _window()),
    )
    return stale.delete()[0]


def public_report_lock(ip: str, *, now=None) -> Lock | None:
    """The lock on anonymous reports from this address, if one is in force."""
    now = now or clock()
    row = LoginThrottle.objects.filter(
        scope=ThrottleScope.REPORT, key=ip, locked_until__gt=now
    ).first()
    if row is None:
        return None
    return Lock(
        until=row.locked_until, seconds_left=math.ceil((row.locked_until - now).total_seconds())
    )


def record_public_report(ip: str, *, now=None) -> None:
    """Count one anonymous report from ``ip``; at PUBLIC_REPORT_LIMIT within the window the
    address waits PUBLIC_REPORT_LOCK_SECONDS. A limit of 0 turns this off. The limit is
    generous: many phones share one carrier address."""
    limit = settings.PUBLIC_REPORT_LIMIT
    if not limit:
        return
    now = now or clock()
    window = timedelta(seconds=settings.PUBLIC_REPORT_WINDOW)
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            scope=ThrottleScope.REPORT, key=ip
        )
        if row.window_start is None or now - row.window_start > window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + timedelta(seconds=settings.PUBLIC_REPORT_LOCK_SECONDS)
            row.failures, row.window_start = 0, None
        row.save(update_fields=["failures", "window_start", "locked_until"])
