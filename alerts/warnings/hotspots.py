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

One query per day (in a run over many days, only the days not read yet).
"""

import datetime as dt
import math
from collections.abc import Iterable

from django.urls import reverse

from alerts.warnings.common import (
    grid_codes,
    grid_names,
    grid_owners,
    held_days,
    local_day,
)
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


Cells = dict[tuple[int, str], list[int]]  # (grid id, group) → pks of the day's cases


def _read(start, end, cells_by_day) -> None:
    """The cases of ``[start, end)`` by local day and cell."""
    rows = Case.objects.filter(
        created_at__gte=start, created_at__lt=end, grid__isnull=False, category__isnull=False
    ).values_list("pk", "grid_id", "category__group", "created_at", "merged_into_id")
    for pk, grid_id, group, created_at, merged_into in rows:
        cells = cells_by_day.get(local_day(created_at))
        # Merged duplicates are picked here, not in SQL (SQLite would seek the
        # merged_into index for NULL: every case of the table).
        if merged_into is None and cells is not None:
            cells[(grid_id, group)].append(pk)


def hotspots(day: dt.date) -> Iterable[Signal]:
    """The rule (``register_rule("alerts.hotspot", …)``)."""
    window: list[Cells] = held_days(KIND, day, HOTSPOT_BASELINE_WEEKS * 7 + HOTSPOT_DAYS, _read)
    base_days, recent_days = window[:-HOTSPOT_DAYS], window[-HOTSPOT_DAYS:]
    hot = []
    for (grid_id, group), pks in window[-1].items():
        recent = sum(len(held.get((grid_id, group), ())) for held in recent_days)
        if recent < MIN_CASES:
            continue
        base = sum(len(held.get((grid_id, group), ())) for held in base_days)
        mean = base / HOTSPOT_BASELINE_WEEKS
        p = poisson_tail(recent, max(mean, FLOOR))
        if p < ALPHA:
            # The evidence: the cell's latest case of the day.
            cell = {"grid_id": grid_id, "category__group": group, "recent": recent}
            hot.append(({**cell, "latest": max(pks)}, mean, p))
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
