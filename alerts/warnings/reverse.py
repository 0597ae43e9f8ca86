"""反向比对 (荣成: 「建立“反向比对+分析研判”网格预警机制。推行“每日研判会”,将12345民生诉求事件
反向与网格巡查事件进行比对,通过比对研判,倒查网格巡查工作质量并及时发出预警」).

A hotline case (the hotline channels, ``alerts.warnings.settings``) is **covered** when a
field report of the same grid and the same catalogue group (``MatterCategory.group``) was
filed before it, within ``lookback_days``: a patrol finding, a home visit's need, or the
grid worker's own report (the field channels). A hotline case that nobody in the field had
reported marks a **blind spot** of that grid and group: one warning per (grid, group),
owned by the grid's worker, updated while it stays open.

The **patrol-quality score** of a grid for a week (Monday–Sunday, local days) is the share
of that week's hotline cases in the grid that were covered, in per cent: 100 means the
field work had seen every problem the residents later phoned in; a grid without hotline
cases that week has no score (shown as "—"). Cases without a grid or a category are left
out of both (they cannot be compared).

Set-based: two queries per day (the day's hotline cases, the field reports of their grids
in the window), whatever the number of cases.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from alerts.warnings.common import day_bounds, grid_codes, grid_names, grid_owners
from alerts.warnings.settings import warning_settings
from cases.models import Case
from gridgov.early_warning import Signal
from org.models import OrgNode

KIND = "alerts.blind_spot"


def _hotline_rows(settings, start, end, **where) -> list[dict]:
    rows = (
        Case.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            grid__isnull=False,
            category__isnull=False,
            **where,
        )
        .order_by("created_at", "pk")
        .values(
            "pk", "number", "grid_id", "category__group", "created_at", "merged_into_id", "channel"
        )
    )
    # The channels and merged duplicates are picked here rather than in SQL: SQLite would
    # otherwise seek the channel index (half the table is hotline cases) or the merged_into
    # index for NULL (all of it) instead of the day's range (bench/early_warning.py).
    hotlines = set(settings.hotlines)
    return [row for row in rows if row["merged_into_id"] is None and row["channel"] in hotlines]


def _field_times(settings, grid_ids, start, end) -> dict[tuple[int, str], list]:
    """``{(grid id, group): sorted creation times}`` of the field reports in ``[start, end)``."""
    times: dict[tuple[int, str], list] = defaultdict(list)
    grid_ids = set(grid_ids)
    # The grids and channels are picked here, not in SQL (see _hotline_rows): given them,
    # SQLite seeks the grid or channel index and reads whole histories.
    rows = (
        Case.objects.filter(created_at__gte=start, created_at__lt=end, category__isnull=False)
        .order_by("created_at")
        .values_list("grid_id", "category__group", "created_at", "channel")
    )
    field = set(settings.field_channels)
    for grid_id, group, created_at, channel in rows:
        if grid_id in grid_ids and channel in field:
            times[(grid_id, group)].append(created_at)
    return times


def covered(rows: list[dict], field: dict, lookback: dt.timedelta) -> list[bool]:
    """For each hotline row, whether a field report of its grid and group came before it
    within ``lookback``."""
    found = []
    for row in rows:
        times = field.get((row["grid_id"], row["category__group"]), ())
        at = row["created_at"]
        # the last report strictly before the hotline case
        index = bisect_left(times, at)
        found.append(index > 0 and times[index - 1] >= at - lookback)
    return found


def blind_spots(day: dt.date) -> Iterable[Signal]:
    """The rule (``register_rule("alerts.blind_spot", …)``): one signal per grid and group
    with an uncovered hotline case created on ``day``."""
    settings = warning_settings()
    start, end = day_bounds(day)
    rows = _hotline_rows(settings, start, end)
    if not rows:
        return []
    lookback = dt.timedelta(days=settings.lookback_days)
    grid_ids = {row["grid_id"] for row in rows}
    field = _field_times(settings, grid_ids, start - lookback, end)
    missed: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row, seen in zip(rows, covered(rows, field, lookback), strict=True):
        if not seen:
            missed[(row["grid_id"], row["category__group"])].append(row)
    if not missed:
        return []
    grids = {grid_id for grid_id, _ in missed}
    codes, names, owners = grid_codes(grids), grid_names(grids), grid_owners(grids)
    signals = []
    for (grid_id, group), cases in sorted(
        missed.items(), key=lambda item: (codes[item[0][0]], item[0][1])
    ):
        numbers = [case["number"] for case in cases]
        shown = "、".join(numbers[:3]) + ("等" if len(numbers) > 3 else "")
        signals.append(
            Signal(
                kind=KIND,
                subject=f"grid={codes[grid_id]};group={group}",
                node_code=codes[grid_id],
                title=f"巡查盲区：{names[grid_id]} · {group}",
                reason=(
                    f"{day:%m月%d日}热线反映「{group}」问题 {len(cases)} 件（{shown}），"
                    f"此前 {settings.lookback_days} 天本网格巡查、走访和网格员上报均未发现同类问题"
                ),
                evidence_url=reverse("cases:detail", args=[cases[0]["pk"]]),
                owner_id=owners.get(grid_id),
                severity="red" if len(cases) >= 3 else "yellow",
                figures={
                    "day": day.isoformat(),
                    "group": group,
                    "hotline_cases": len(cases),
                    "numbers": numbers[:20],
                    "lookback_days": settings.lookback_days,
                },
            )
        )
    return signals


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# A leader's subtree may hold thousands of grids: the table shows the lowest scores first,
# at most this many.
QUALITY_ROWS = 200


def patrol_quality(node_code: str, week: dt.date, limit: int = QUALITY_ROWS) -> list[dict]:
    """The week's patrol-quality score of the grids under ``node_code`` (see the module's
    docstring). ``week``: any day of the week (Monday–Sunday). Rows ``{"grid_code",
    "grid_name", "hotline", "covered", "score"}`` (score: int per cent, or None), lowest
    score first, then the grids without hotline cases, by code; at most ``limit``."""
    settings = warning_settings()
    monday = week_start(week)
    start, end = day_bounds(monday + dt.timedelta(days=6), days=7)
    rows = _hotline_rows(settings, start, end, org_code__startswith=node_code)
    lookback = dt.timedelta(days=settings.lookback_days)
    grid_ids = {row["grid_id"] for row in rows}
    field = _field_times(settings, grid_ids, start - lookback, end)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row, seen in zip(rows, covered(rows, field, lookback), strict=True):
        counts[row["grid_id"]][0] += 1
        counts[row["grid_id"]][1] += int(seen)
    grids = OrgNode.objects.filter(code__startswith=node_code).exclude(grid_kind="")
    scored = [
        {
            "grid_code": code,
            "grid_name": name,
            "hotline": counts[pk][0],
            "covered": counts[pk][1],
            "score": round(100 * counts[pk][1] / counts[pk][0]),
        }
        for pk, code, name in grids.filter(pk__in=list(counts)).values_list("pk", "code", "name")
    ]
    scored.sort(key=lambda row: (row["score"], row["grid_code"]))
    if len(scored) < limit:
        rest = grids.exclude(pk__in=list(counts)).order_by("code")[: limit - len(scored)]
        scored += [
            {"grid_code": code, "grid_name": name, "hotline": 0, "covered": 0, "score": None}
            for code, name in rest.values_list("code", "name")
        ]
    return scored[:limit]


def quality_by_child(node, week: dt.date) -> tuple[bool, list[dict]]:
    """The page's patrol-quality table at ``node`` (an ``OrgNode``): above the community
    level one row per child (street or community: its grids' hotline cases and how many a
    patrol had seen first, summed), lowest score first, so a leader's phone shows a dozen
    rows rather than a card per grid of the whole city; where the children are grids, the
    grids themselves (``patrol_quality``). Returns ``(by_child, rows)``; rows
    ``{"code", "name", "hotline", "covered", "score", "grids"}`` (``grids``: how many
    grids the row sums, 1 for a grid)."""
    children = list(OrgNode.objects.filter(parent=node).order_by("code"))
    if not children or all(child.grid_kind for child in children):
        rows = patrol_quality(node.code, week)
        return False, [
            {
                "code": r["grid_code"],
                "name": r["grid_name"],
                "hotline": r["hotline"],
                "covered": r["covered"],
                "score": r["score"],
                "grids": 1,
            }
            for r in rows
        ]
    limit = OrgNode.objects.filter(code__startswith=node.code).exclude(grid_kind="").count()
    totals = {
        c.code: {"code": c.code, "name": c.name, "hotline": 0, "covered": 0, "grids": 0}
        for c in children
    }
    for row in patrol_quality(node.code, week, limit=limit):
        child = next((c for c in totals if row["grid_code"].startswith(c)), None)
        if child is None:
            continue
        totals[child]["hotline"] += row["hotline"]
        totals[child]["covered"] += row["covered"]
        totals[child]["grids"] += 1
    rows = list(totals.values())
    for row in rows:
        row["score"] = round(100 * row["covered"] / row["hotline"]) if row["hotline"] else None
    rows.sort(key=lambda r: (r["score"] is None, r["score"] or 0, r["code"]))
    return True, rows
