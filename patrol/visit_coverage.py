"""Visit coverage (一访) against the preset's standard, the worker's to-do list, and the
early-warning rule ``patrol.visits_overdue``.

The standard is ``[patrol].visits_per_household_per_month`` (张掖: 1, 「入户走访每月不少于
1次」; platform default 0: no standard, coverage is shown without a target). A household is
*covered* in a month when it had at least ``max(standard, 1)`` visits that met it (or found
it vacant: ``COUNTING_OUTCOMES``) in that calendar month. Months are calendar months in
Asia/Shanghai: 2026-12-01 00:00 +08:00 starts December, whatever the server's zone.
Shares are fractions 0–1 (pages show per cent).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from gridgov.early_warning import Signal
from org.codes import subtree_q
from org.models import Household, OrgNode
from org.permissions import codes_with, has, restrict
from org.scoping import in_scope
from patrol.models import CareSchedule, Visit
from patrol.models.visits import COUNTING_OUTCOMES
from presets.loader import PresetError, active_section

LOCAL = ZoneInfo("Asia/Shanghai")
VERB = "patrol.visit"
# ``patrol.visits_overdue`` looks at a month from this many days before its end: earlier,
# a grid below the standard still has time (platform default: the last week).
LATE_DAYS = 7


def standard() -> int:
    """Visits per household per month the preset asks for; 0 (no standard) without one."""
    try:
        return int(active_section("patrol").visits_per_household_per_month)
    except (PresetError, KeyError, AttributeError):
        return 0


def required() -> int:
    """Counting visits a household needs in a month to be covered (at least one)."""
    return max(standard(), 1)


def local_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(LOCAL).date()


def month_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of ``day``'s calendar month as aware datetimes in Asia/Shanghai."""
    start = dt.datetime(day.year, day.month, 1, tzinfo=LOCAL)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following


def counting_visits(start: dt.datetime, end: dt.datetime):
    return Visit.objects.filter(
        visited_at__gte=start, visited_at__lt=end, outcome__in=COUNTING_OUTCOMES
    )


@dataclass
class GridCoverage:
    grid: OrgNode
    households: int
    covered: int
    target: int  # the standard (0: none)

    @property
    def share(self) -> float | None:
        """Covered households / households (0–1); None for a grid without households."""
        return self.covered / self.households if self.households else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    @property
    def left(self) -> int:
        return self.households - self.covered


def coverage(grids, day: dt.date) -> list[GridCoverage]:
    """Coverage of each grid (an iterable of OrgNode grids) in ``day``'s month. Three
    queries whatever the number of grids."""
    grids = list(grids)
    ids = [g.pk for g in grids]
    start, end = month_bounds(day)
    need = required()
    households = dict(
        Household.objects.filter(grid_id__in=ids)
        .values_list("grid_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("grid_id", "n")
    )
    covered = Counter(
        grid_id
        for grid_id, _household, n in counting_visits(start, end)
        .filter(household__grid_id__in=ids)
        .values_list("household__grid_id", "household_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("household__grid_id", "household_id", "n")
        if n >= need
    )
    target = standard()
    return [GridCoverage(g, households.get(g.pk, 0), covered[g.pk], target) for g in grids]


def grids_under(node_code: str):
    return OrgNode.objects.filter(subtree_q(node_code)).exclude(grid_kind="").order_by("code")


def node_coverage(node_code: str, day: dt.date) -> dict:
    """The subtree's totals in ``day``'s month: ``{"households", "covered", "share",
    "target"}``. Two queries on the code prefix, whatever the subtree's size."""
    start, end = month_bounds(day)
    households = Household.objects.filter(subtree_q(node_code, "grid__code")).count()
    covered = (
        counting_visits(start, end)
        .filter(subtree_q(node_code, "household__grid__code"))
        .values("household")
        .annotate(n=Count("pk"))
        .order_by()
        .filter(n__gte=required())
        .count()
    )
    return {
        "households": households,
        "covered": covered,
        "share": covered / households if households else None,
        "target": standard(),
    }


def may_see_coverage(user, code: str) -> bool:
    """Who sees a node's coverage (page and API): who plans care, sees its figures, or
    visits there, within their scope."""
    return in_scope(user, code, personal=False) and any(
        has(user, verb, code) for verb in ("patrol.plan_care", "analytics.view", VERB)
    )


def default_coverage_node(user) -> str | None:
    """The node the coverage page and API show without ``?node=``: the user's widest seat
    node holding one of those verbs (a grid worker: their grid); the root for platform-wide
    holders; None without any."""
    for verb in ("patrol.plan_care", "analytics.view", VERB):
        codes = codes_with(user, verb)
        if codes is None:
            return OrgNode.objects.filter(parent=None).values_list("code", flat=True).first()
        if codes:
            return min(codes, key=len)
    return None


def visit_grids(user):
    """The grids where the user records visits (holds ``patrol.visit``), in code order; for
    a seat below a grid (a building leader), that grid."""
    codes = codes_with(user, VERB)
    grids = OrgNode.objects.exclude(grid_kind="")
    if codes is None:
        return grids.order_by("code")
    above = Q(pk__in=[])
    for code in codes:
        above |= subtree_q(code)
    below = OrgNode.objects.filter(code__in=[c[:n] for c in codes for n in range(1, len(c))])
    return grids.filter(above | Q(pk__in=below.exclude(grid_kind="").values("pk"))).order_by("code")


def todo(user, day: dt.date, *, grid: OrgNode | None = None):
    """The households the user should still visit in ``day``'s month: those in their scope
    where they hold ``patrol.visit`` (in ``grid`` if given) with fewer counting visits this
    month than the standard asks. Each row is a Household annotated with ``visits_month``,
    ``last_visit`` (any counting visit, ever; None: never visited) and ``is_key`` (someone
    in it has a care schedule). Sorted usefully for a day's round: key-population
    households first, then the longest since the last visit (never visited first), then by
    building and room (the household code)."""
    start, end = month_bounds(day)
    households = restrict(Household.objects.all(), user, VERB)
    if grid is not None:
        households = households.filter(grid=grid)
    month = Q(
        visits__visited_at__gte=start,
        visits__visited_at__lt=end,
        visits__outcome__in=COUNTING_OUTCOMES,
    )
    return (
        households.annotate(
            visits_month=Count("visits", filter=month),
            last_visit=Max("visits__visited_at", filter=Q(visits__outcome__in=COUNTING_OUTCOMES)),
            is_key=Exists(CareSchedule.objects.filter(resident__household=OuterRef("pk"))),
        )
        .filter(visits_month__lt=required())
        .select_related("grid", "building", "unit")
        # Never visited first, on every database (PostgreSQL puts NULLs last by default).
        .order_by("-is_key", F("last_visit").asc(nulls_first=True), "code")
    )


# -- early warning ----------------------------------------------------------------------------


def visits_overdue(day: dt.date):
    """``patrol.visits_overdue``: in the last ``LATE_DAYS`` days of a month, one signal per
    grid with households not yet covered against the preset's standard (subject
    ``grid=<code>;month=YYYY-MM``, at the grid, owned by the grid's worker, red on the
    month's last day), the evidence being the grid's to-do list. Nothing without a standard
    (platform default 0): there is then nothing to be overdue against. Only visits up to the
    end of ``day`` count, so a rerun for a past day gives the same signals."""
    target = standard()
    if not target:
        return
    _, end_of_month = month_bounds(day)
    last_day = (end_of_month - dt.timedelta(days=1)).date()
    days_left = (last_day - day).days
    if days_left >= LATE_DAYS:
        return
    from patrol.care import grid_owners

    start, _ = month_bounds(day)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LOCAL)
    grids = list(OrgNode.objects.exclude(grid_kind="").filter(households__isnull=False).distinct())
    households = dict(
        Household.objects.values_list("grid_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("grid_id", "n")
    )
    covered = Counter(
        grid_id
        for grid_id, _household, n in counting_visits(start, end)
        .values_list("household__grid_id", "household_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("household__grid_id", "household_id", "n")
        if n >= target
    )
    owners = grid_owners()
    for grid in sorted(grids, key=lambda g: g.code):
        total, done = households.get(grid.pk, 0), covered[grid.pk]
        if not total or done >= total:
            continue
        share = round(done * 100 / total)
        yield Signal(
            kind="patrol.visits_overdue",
            subject=f"grid={grid.code};month={day:%Y-%m}",
            node_code=grid.code,
            title=f"{grid.name}入户走访未达标",
            reason=(
                f"本月每户至少走访 {target} 次，截至 {day:%m月%d日} 已覆盖 {done}/{total} 户"
                f"（{share}%），还有 {total - done} 户未走访，距月底 {days_left} 天"
            ),
            evidence_url=reverse("patrol:visits_todo") + f"?grid={grid.code}",
            owner_id=owners.get(grid.pk),
            severity="red" if days_left == 0 else "yellow",
            figures={
                "households": total,
                "covered": done,
                "target": target,
                "days_left": days_left,
            },
        )
