"""The patrol standard (巡查标准) measured: hours a day per worker and per grid, the days
below standard, and a week's summary.

The standard is the preset's ``[patrol].hours_per_day`` (荣成 「每日4小时」; platform default
2 hours, ``patrol.preset``). Units: hours are floats of hours; days are local calendar days
(``settings.TIME_ZONE``): a patrol from 23:00 to 01:00 gives one hour to each day. A
worker's hours are the sum of their patrols; a grid's are the time at least one of its
workers was patrolling it (overlapping patrols count once). Cancelled patrols count for
nothing; an open one counts until now, and any patrol at most
``patrol.patrols.MAX_PATROL_HOURS``. The standard applies to every calendar day (「每日」);
today is not judged until it is over.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from org.codes import subtree_q
from org.models import OrgNode
from patrol.models.patrols import Finding, FindingKind, Patrol, PatrolStatus
from patrol.patrols import effective_end
from presets.loader import PresetError, active_section

PLATFORM_HOURS_PER_DAY = 2  # patrol.preset.Patrol.hours_per_day's default


def standard_hours() -> float:
    """Hours of patrol a day the preset asks for (per worker and per grid)."""
    try:
        return float(active_section("patrol").hours_per_day)
    except PresetError:
        return float(PLATFORM_HOURS_PER_DAY)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def day_start(day: date) -> datetime:
    """The first instant of a local day, aware."""
    return timezone.make_aware(datetime.combine(day, time.min))


def week_of(day: date) -> tuple[date, date]:
    """(Monday, Sunday) of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def split_by_day(start: datetime, end: datetime) -> dict[date, float]:
    """Seconds of ``[start, end)`` falling on each local day."""
    seconds: dict[date, float] = {}
    cursor = start
    while cursor < end:
        next_day = day_start(local_day(cursor) + timedelta(days=1))
        piece_end = min(end, next_day)
        day = local_day(cursor)
        seconds[day] = seconds.get(day, 0.0) + (piece_end - cursor).total_seconds()
        cursor = piece_end
    return seconds


def hours_by_day(intervals, first: date, last: date) -> dict[date, float]:
    """Hours per local day from ``first`` to ``last`` (inclusive, every day present, 0.0
    when none) of the summed ``intervals`` ``[(start, end), …]`` (aware datetimes)."""
    hours = {first + timedelta(days=n): 0.0 for n in range((last - first).days + 1)}
    for start, end in intervals:
        for day, seconds in split_by_day(start, end).items():
            if day in hours:
                hours[day] += seconds / 3600
    return hours


def merged(intervals) -> list[tuple[datetime, datetime]]:
    """The union of ``intervals`` as disjoint intervals, in order."""
    result: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def days_below(hours: dict[date, float], standard: float, today: date) -> list[date]:
    """The days before ``today`` with fewer hours than ``standard``."""
    return [day for day, value in sorted(hours.items()) if day < today and value < standard]


def _patrols_between(first: date, last: date):
    """Patrols (not cancelled) overlapping the local days ``first``…``last``."""
    since, until = day_start(first), day_start(last + timedelta(days=1))
    return Patrol.objects.exclude(status=PatrolStatus.CANCELLED).filter(
        Q(ended_at__gt=since) | Q(ended_at=None), started_at__lt=until
    )


def _intervals(rows, now) -> list[tuple]:
    return [(key, start, effective_end(start, end, now)) for key, start, end in rows]


def worker_hours(worker, first: date, last: date, now=None) -> dict[date, float]:
    """The worker's patrol hours per local day, ``first``…``last``."""
    now = now or timezone.now()
    rows = _patrols_between(first, last).filter(worker=worker)
    found = _intervals(rows.values_list("worker_id", "started_at", "ended_at"), now)
    return hours_by_day([(s, e) for _k, s, e in found], first, last)


def grid_hours(grid_ids, first: date, last: date, now=None) -> dict[int, dict[date, float]]:
    """Per grid id, the hours it was patrolled per local day (overlaps counted once)."""
    now = now or timezone.now()
    rows = _patrols_between(first, last).filter(grid_id__in=list(grid_ids))
    by_grid: dict[int, list] = defaultdict(list)
    for grid_id, start, end in _intervals(
        rows.values_list("grid_id", "started_at", "ended_at"), now
    ):
        by_grid[grid_id].append((start, end))
    return {
        grid_id: hours_by_day(merged(by_grid.get(grid_id, [])), first, last) for grid_id in grid_ids
    }


def _counts(patrols, findings, first: date, last: date) -> dict:
    since, until = day_start(first), day_start(last + timedelta(days=1))
    found = findings.filter(found_at__gte=since, found_at__lt=until).aggregate(
        findings=Count("pk"), cases=Count("case", filter=Q(kind=FindingKind.PROBLEM))
    )
    started = patrols.filter(started_at__gte=since, started_at__lt=until).exclude(
        status=PatrolStatus.CANCELLED
    )
    return {"patrols": started.count(), **found}


def _summary(hours: dict[date, float], standard: float, today: date) -> dict:
    below = days_below(hours, standard, today)
    return {
        "days": [
            {
                "date": day,
                "hours": round(value, 2),
                "met": value >= standard,
                "judged": day < today,
                "future": day > today,
            }
            for day, value in sorted(hours.items())
        ],
        "hours": round(sum(hours.values()), 2),
        "days_below": len(below),
    }


def worker_week(worker, day: date | None = None, now=None) -> dict:
    """A worker's week (Monday to Sunday, holding ``day``, default today):
    ``{"week_start", "week_end", "standard_hours", "days": [{"date", "hours", "met",
    "judged", "future"}], "hours", "days_below", "patrols", "findings", "cases"}``; hours in hours,
    ``days_below`` counts the days before today under standard."""
    now = now or timezone.now()
    today = local_day(now)
    first, last = week_of(day or today)
    standard = standard_hours()
    hours = worker_hours(worker, first, last, now)
    return {
        "week_start": first,
        "week_end": last,
        "standard_hours": standard,
        **_summary(hours, standard, today),
        **_counts(
            Patrol.objects.filter(worker=worker),
            Finding.objects.filter(patrol__worker=worker),
            first,
            last,
        ),
    }


def grids_week(node_code: str, day: date | None = None, now=None, grids=None) -> dict:
    """The week of every grid in the subtree of ``node_code`` (or of ``grids``, a list of
    OrgNode): ``{"week_start", "week_end", "standard_hours", "rows": [{"grid", "days",
    "hours", "days_below", "patrols", "findings", "cases", "left_grid"}], "totals": {…}}``
    with the same units as ``worker_week``."""
    now = now or timezone.now()
    today = local_day(now)
    first, last = week_of(day or today)
    standard = standard_hours()
    if grids is None:
        grids = list(
            OrgNode.objects.filter(subtree_q(node_code)).exclude(grid_kind="").order_by("code")
        )
    ids = [grid.pk for grid in grids]
    hours = grid_hours(ids, first, last, now)
    since, until = day_start(first), day_start(last + timedelta(days=1))
    started = (
        Patrol.objects.filter(grid_id__in=ids, started_at__gte=since, started_at__lt=until)
        .exclude(status=PatrolStatus.CANCELLED)
        .values("grid_id")
        .annotate(n=Count("pk"), left=Count("pk", filter=Q(left_grid_count__gt=0)))
    )
    started = {row["grid_id"]: row for row in started}
    found = (
        Finding.objects.filter(patrol__grid_id__in=ids, found_at__gte=since, found_at__lt=until)
        .values("patrol__grid_id")
        .annotate(n=Count("pk"), cases=Count("case", filter=Q(kind=FindingKind.PROBLEM)))
    )
    found = {row["patrol__grid_id"]: row for row in found}
    rows = []
    for grid in grids:
        row = {"grid": grid, **_summary(hours[grid.pk], standard, today)}
        row["patrols"] = started.get(grid.pk, {}).get("n", 0)
        row["left_grid"] = started.get(grid.pk, {}).get("left", 0)
        row["findings"] = found.get(grid.pk, {}).get("n", 0)
        row["cases"] = found.get(grid.pk, {}).get("cases", 0)
        rows.append(row)
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("patrols", "findings", "cases", "days_below", "left_grid")
    }
    totals["hours"] = round(sum(row["hours"] for row in rows), 2)
    totals["grids_below"] = sum(1 for row in rows if row["days_below"])
    return {
        "week_start": first,
        "week_end": last,
        "standard_hours": standard,
        "rows": rows,
        "totals": totals,
    }


def workers_week(grids, day: date | None = None, now=None) -> dict:
    """The workers of ``grids`` (a list of OrgNode) measured one by one, the issue's 「按人」:
    those seated at one of them whose duty holds ``patrol.patrol``, and anyone who patrolled
    one of them that week. ``{"standard_hours", "rows": [{"worker", "days", "hours",
    "days_below"}]}``, each worker's hours as in ``worker_week`` (all their patrols, any
    grid); rows with the most days below standard first."""
    from org.models import User
    from org.permissions import duties_with

    now = now or timezone.now()
    today = local_day(now)
    first, last = week_of(day or today)
    standard = standard_hours()
    ids = [grid.pk for grid in grids]
    seated = User.objects.filter(
        is_active=True,
        assignments__node__in=ids,
        assignments__department=None,
        assignments__role__duty__in=duties_with("patrol.patrol"),
    )
    patrolled = _patrols_between(first, last).filter(grid_id__in=ids).values("worker_id")
    workers = list(
        User.objects.filter(Q(pk__in=seated.values("pk")) | Q(pk__in=patrolled)).order_by(
            "display_name", "username"
        )
    )
    by_worker: dict[int, list] = defaultdict(list)
    rows = _patrols_between(first, last).filter(worker__in=workers)
    for worker_id, start, end in _intervals(
        rows.values_list("worker_id", "started_at", "ended_at"), now
    ):
        by_worker[worker_id].append((start, end))
    found = [
        {
            "worker": worker,
            **_summary(hours_by_day(by_worker[worker.pk], first, last), standard, today),
        }
        for worker in workers
    ]
    found.sort(key=lambda row: -row["days_below"])  # stable: by name within the same count
    return {"standard_hours": standard, "rows": found}
