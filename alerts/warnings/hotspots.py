"""Hotspots: a grid × catalogue group whose cases of the last 7 days are well above its own
recent baseline (issue 13: 「a grid × category count well above its own recent baseline
(say why it is a hotspot)」).

The baseline is the grid and group's weekly mean over the 8 weeks before the 7 days
(``HOTSPOT_BASELINE_WEEKS``), floored at ``FLOOR`` cases a week so that a quiet cell is not
a hotspot at its second case. The last 7 days' count is a hotspot when it is at least
``MIN_CASES`` and a Poisson count with the baseline's mean would reach it with a
probability below ``ALPHA`` (the upper tail, ``poisson_tail``). A cell is only signalled on
a day that brought one of its cases, so a warning dealt with is not reopened the next
morning by the same week's cases. All channels count; cases without a grid or a category,
and merged duplicates, do not.

One aggregate query per day.
"""

import datetime as dt
import math
from collections.abc import Iterable

from django.db.models import Count, Max, Q
from django.urls import reverse

from alerts.warnings.common import day_bounds, grid_codes, grid_names, grid_owners
from alerts.warnings.settings import HOTSPOT_BASELINE_WEEKS, HOTSPOT_DAYS
from cases.models import Case
from gridgov.early_warning import Signal

KIND = "alerts.hotspot"
MIN_CASES = 3
ALPHA = 0.01
FLOOR = 0.25  # cases a week


def poisson_tail(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


def hotspots(day: dt.date) -> Iterable[Signal]:
    """The rule (``register_rule("alerts.hotspot", …)``)."""
    day_start, end = day_bounds(day)
    recent_start, _ = day_bounds(day, days=HOTSPOT_DAYS)
    base_start = recent_start - dt.timedelta(weeks=HOTSPOT_BASELINE_WEEKS)
    live = Q(merged_into__isnull=True)
    cells = (
        Case.objects.filter(
            created_at__gte=base_start,
            created_at__lt=end,
            grid__isnull=False,
            category__isnull=False,
        )
        .values("grid_id", "category__group")
        .annotate(
            # Merged duplicates are left out in the counts, not the WHERE clause (SQLite
            # would seek the merged_into index for NULL: every case of the table).
            recent=Count("pk", filter=Q(created_at__gte=recent_start) & live),
            base=Count("pk", filter=Q(created_at__lt=recent_start) & live),
            today=Count("pk", filter=Q(created_at__gte=day_start) & live),
            latest=Max("pk"),
        )
        .filter(today__gt=0, recent__gte=MIN_CASES)
    )
    hot = []
    for cell in cells:
        mean = cell["base"] / HOTSPOT_BASELINE_WEEKS
        p = poisson_tail(cell["recent"], max(mean, FLOOR))
        if p < ALPHA:
            hot.append((cell, mean, p))
    if not hot:
        return []
    grids = {cell["grid_id"] for cell, _, _ in hot}
    codes, names, owners = grid_codes(grids), grid_names(grids), grid_owners(grids)
    signals = []
    for cell, mean, p in sorted(
        hot, key=lambda h: (codes[h[0]["grid_id"]], h[0]["category__group"])
    ):
        grid_id, group, recent = cell["grid_id"], cell["category__group"], cell["recent"]
        signals.append(
            Signal(
                kind=KIND,
                subject=f"grid={codes[grid_id]};group={group}",
                node_code=codes[grid_id],
                title=f"热点：{names[grid_id]} · {group}",
                reason=(
                    f"近{HOTSPOT_DAYS}天 {recent} 件，前{HOTSPOT_BASELINE_WEEKS}周平均每周 "
                    f"{mean:.1f} 件（按以往水平，出现这么多的可能不到 {max(p, 0.0001):.2%}）"
                ),
                evidence_url=reverse("cases:detail", args=[cell["latest"]]),
                owner_id=owners.get(grid_id),
                severity="red"
                if recent >= 2 * MIN_CASES and recent >= 4 * max(mean, 1)
                else "yellow",
                figures={
                    "day": day.isoformat(),
                    "group": group,
                    "recent": recent,
                    "recent_days": HOTSPOT_DAYS,
                    "baseline_weekly": round(mean, 2),
                    "baseline_weeks": HOTSPOT_BASELINE_WEEKS,
                    "p": round(p, 6),
                },
            )
        )
    return signals
