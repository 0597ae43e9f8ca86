"""What the rules share: a local day's bounds, the catalogue's groups, the grids' owners."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.utils import timezone

from catalog.models import MatterCategory
from gridgov.early_warning import run_memo
from org.models import OrgNode, RoleAssignment
from org.permissions import duties_with


def day_bounds(day: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of ``days`` local days ending with ``day`` (Asia/Shanghai): aware
    datetimes, for ``created_at__gte=start, created_at__lt=end``."""
    tz = timezone.get_default_timezone()
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), tz)
    first = day - dt.timedelta(days=days - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()), tz)
    return start, end


def local_day(moment: dt.datetime) -> dt.date:
    """The project's local date of an aware ``moment`` (the default time zone, not the
    request's: the rules read hundreds of thousands of rows, and ``localtime`` looks the
    active zone up each call)."""
    return moment.astimezone(timezone.get_default_timezone()).date()


Read = Callable[[dt.datetime, dt.datetime, dict[dt.date, defaultdict]], None]


def held_days(key: str, day: dt.date, days: int, read: Read) -> list[defaultdict]:
    """The ``days`` local days ending with ``day``, oldest first, each as the
    ``defaultdict(list)`` that ``read(start, end, buckets)`` filled: ``buckets`` maps each
    day still to read to its dict, ``[start, end)`` spans them (days held already may lie
    between: ``read`` skips a row whose day has no bucket). A sliding window of a rule: in
    one run of the job (``gridgov.early_warning.one_run``) each day is read once and kept
    under ``key`` in ``run_memo``, so a catch-up over a year reads the year once rather
    than the window every day."""
    memo = run_memo(key)
    window = [day - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    for old in set(memo) - set(window):
        del memo[old]
    buckets = {d: defaultdict(list) for d in window if d not in memo}
    if buckets:
        start, _ = day_bounds(min(buckets))
        _, end = day_bounds(max(buckets))
        read(start, end, buckets)
        memo.update(buckets)
    return [memo[d] for d in window]


def category_groups() -> dict[int, str]:
    """``{category id: its catalogue group}`` (one query; the catalogue is small)."""
    return dict(MatterCategory.objects.values_list("pk", "group"))


def grid_owners(grid_ids) -> dict[int, int]:
    """``{grid id: user id}``: who owns a grid's warnings, the first (by seat) of the people
    seated at the grid itself whose duty holds ``alerts.handle`` (the grid's workers and
    leader). One query for all the grids."""
    duties = duties_with("alerts.handle")
    owners: dict[int, int] = {}
    rows = (
        RoleAssignment.objects.filter(
            node_id__in=list(grid_ids), role__duty__in=duties, department__isnull=True
        )
        .order_by("node_id", "pk")
        .values_list("node_id", "user_id")
    )
    for node_id, user_id in rows:
        owners.setdefault(node_id, user_id)
    return owners


def grid_codes(grid_ids) -> dict[int, str]:
    return dict(OrgNode.objects.filter(pk__in=list(grid_ids)).values_list("pk", "code"))


def grid_names(grid_ids) -> dict[int, str]:
    return dict(OrgNode.objects.filter(pk__in=list(grid_ids)).values_list("pk", "name"))
