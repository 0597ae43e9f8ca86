"""What patrols offer other pages without being imported by them: the home panel of
whoever patrols (``org.panels``) or oversees patrols, and the dashboards' figures
(``gridgov.figures``)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from org.codes import subtree_q
from org.models import OrgNode
from org.permissions import codes_with
from patrol.models.patrols import Patrol, PatrolStatus
from patrol.patrols import VERB, effective_end, open_patrol
from patrol.standards import (
    day_start,
    grid_hours,
    local_day,
    standard_hours,
    worker_hours,
)


def home_panel(user) -> dict | None:
    """For a person holding ``patrol.patrol``: today's patrol (open or not), today's hours
    against the standard and the way to 今日巡查. For one who oversees a subtree
    (``analytics.view`` above the grids): the way to its week of patrols. None else."""
    if not user.is_authenticated:
        return None
    if codes_with(user, VERB):
        today = local_day(timezone.now())
        hours = worker_hours(user, today, today)[today]
        standard = standard_hours()
        return {
            "patrol_home": {
                "open": open_patrol(user),
                "hours": round(hours, 1),
                "standard": standard,
                "met": hours >= standard,
                "url": reverse("patrol:today"),
            }
        }
    codes = codes_with(user, "analytics.view")
    if codes is None:
        codes = list(OrgNode.objects.filter(parent=None).values_list("code", flat=True))
    tops = [code for code in sorted(codes or [], key=len)]
    node = OrgNode.objects.filter(code__in=tops[:1], grid_kind="").first()
    if node is None:
        return None
    return {"patrol_home": {"oversee": node, "url": reverse("patrol:week", args=[node.code])}}


def hours_this_month(node_code: str) -> int:
    """Patrol hours in the subtree this month (whole hours, summed over workers)."""
    now = timezone.now()
    today = local_day(now)
    since = day_start(today.replace(day=1))
    rows = (
        Patrol.objects.filter(subtree_q(node_code, "grid__code"), started_at__gte=since)
        .exclude(status=PatrolStatus.CANCELLED)
        .values_list("started_at", "ended_at")
    )
    seconds = sum((effective_end(start, end, now) - start).total_seconds() for start, end in rows)
    return int(seconds // 3600)


def grids_below_yesterday(node_code: str) -> int | None:
    """Grids of the subtree patrolled fewer hours yesterday than the standard (None
    where the subtree has no grid)."""
    grids = list(
        OrgNode.objects.filter(subtree_q(node_code))
        .exclude(grid_kind="")
        .values_list("pk", flat=True)
    )
    if not grids:
        return None
    yesterday = local_day(timezone.now()) - timedelta(days=1)
    standard = standard_hours()
    hours = grid_hours(grids, yesterday, yesterday)
    return sum(1 for by_day in hours.values() if by_day[yesterday] < standard)
