"""Point→grid lookups against a generated city, beside raw shapely in the same run.

    DATABASE_URL=sqlite:///var/demo-fuzhou-fuzhou.sqlite3 .venv/bin/python bench/locate.py

The database must hold a generated city (``make_city --preset fuzhou --scale fuzhou``
for the 29,786 Fuzhou grids). Prints a Markdown table for bench/REPORT.md.
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_DEMO", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from org.locator import GridLocator  # noqa: E402
from org.models import OrgNode  # noqa: E402

BULK_POINTS = 200_000
SINGLE_POINTS = 5_000


def best_of(runs, func):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    root = OrgNode.objects.get(parent=None)
    grids = list(
        OrgNode.objects.exclude(grid_kind="").order_by("code").values_list("code", "geometry")
    )
    x0, y0, x1, y1 = shape(root.geometry).bounds
    rng = random.Random(1)
    points = np.array([(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(BULK_POINTS)])

    started = time.perf_counter()
    reference_tree = shapely.STRtree([shape(geometry) for _, geometry in grids])
    build_raw = time.perf_counter() - started
    geoms = shapely.points(points)
    raw_bulk = best_of(3, lambda: reference_tree.query(geoms, predicate="intersects"))

    locator = GridLocator()
    started = time.perf_counter()
    locator.locate_many(points[:1])  # first call loads the grids from the database
    build_ours = time.perf_counter() - started
    ours_bulk = best_of(3, lambda: locator.locate_many(points))

    singles = points[:SINGLE_POINTS]
    raw_single = best_of(
        3, lambda: [reference_tree.query(shapely.Point(p), predicate="intersects") for p in singles]
    )
    ours_single = best_of(3, lambda: [locator.locate(*p) for p in singles])

    found = sum(code is not None for code in locator.locate_many(points))
    rows = [
        ("index build (load + STRtree)", build_ours, build_raw, None),
        (f"bulk lookup, {BULK_POINTS:,} points", ours_bulk, raw_bulk, BULK_POINTS),
        (f"one at a time, {SINGLE_POINTS:,} points", ours_single, raw_single, SINGLE_POINTS),
    ]
    print(f"Grids: {len(grids):,}; points located: {found:,}/{BULK_POINTS:,}\n")
    print("| case | gridgov | raw shapely STRtree | ratio (gridgov / raw) | gridgov points/s |")
    print("|---|---|---|---|---|")
    for name, ours, raw, count in rows:
        rate = f"{count / ours:,.0f}" if count else "—"
        print(f"| {name} | {ours:.3f} s | {raw:.3f} s | {ours / raw:.2f} | {rate} |")


if __name__ == "__main__":
    main()
