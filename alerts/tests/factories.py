"""Generated hotline and field cases for the early-warning tests, written in bulk.

``seed_month(grids, categories, first_day, seed)`` writes a month of cases: in each
(grid, group) cell a few field reports (patrol, home_visit, grid_report) and hotline cases;
most hotline cases come a few days after a field report of their cell (covered), and a
known set of cells gets hotline cases with no field report before them within the lookback
(the seeded blind spots). Returns those blind spots as ``{(day, grid code, group)}``.
"""

import datetime as dt
import itertools
import random

from django.utils import timezone

from cases.models import Case, Status

_numbers = itertools.count(1)
FIELD = ("patrol", "home_visit", "grid_report")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def case(grid, category, channel, when, **extra) -> Case:
    n = next(_numbers)
    return Case(
        number=f"EW-{n:07d}",
        title=extra.pop("title", f"{category.name}问题"),
        channel=channel,
        status=extra.pop("status", Status.SUBMITTED),
        grid=grid,
        org_code=grid.code,
        category=category,
        tracking_token=f"ew{n:012d}",
        created_at=when,
        **extra,
    )


def seed_month(grids, categories, first_day: dt.date, seed: int = 1, days: int = 28):
    """See the module's docstring. ``categories``: one per group, at least three groups."""
    rng = random.Random(seed)
    rows, blind = [], set()
    weekly, extra = categories[:2], categories[2]
    for gi, grid in enumerate(grids):
        for ci, category in enumerate(weekly):
            blind_cell = (gi + ci) % 4 == 1  # a quarter of the cells: the field never sees them
            for week in range(days // 7):
                report_day = first_day + dt.timedelta(days=7 * week + rng.randrange(0, 2))
                if not blind_cell:
                    rows.append(case(grid, category, rng.choice(FIELD), at(report_day, 9)))
                hotline_day = report_day + dt.timedelta(days=rng.randrange(1, 5))
                rows.append(case(grid, category, "hotline_12345", at(hotline_day, 15)))
                if blind_cell:
                    blind.add((hotline_day, grid.code, category.group))
        # The third group, at the month's end: a report after the hotline case, a report
        # older than the lookback (14 days), and one inside it (covered).
        late = first_day + dt.timedelta(days=days - 1)
        if gi % 3 == 0:
            rows.append(case(grid, extra, "hotline_12343", at(late, 8)))
            rows.append(case(grid, extra, "patrol", at(late, 10)))
            blind.add((late, grid.code, extra.group))
        elif gi % 3 == 1:
            rows.append(case(grid, extra, "patrol", at(late - dt.timedelta(days=15), 10)))
            rows.append(case(grid, extra, "hotline_12345", at(late, 11)))
            blind.add((late, grid.code, extra.group))
        else:
            rows.append(case(grid, extra, "home_visit", at(late - dt.timedelta(days=13), 10)))
            rows.append(case(grid, extra, "hotline_12345", at(late, 11)))
    Case.objects.bulk_create(rows)
    return blind
