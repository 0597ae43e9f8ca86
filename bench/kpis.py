"""KPI latency over a year at city scale, beside DuckDB computing the same numbers from the
raw cases table in the same run (issue 12: ours ≤ 0.25 × DuckDB's time).

    make_city --preset fuzhou --scale fuzhou --seed 1          (once per database)
    DATABASE_URL=sqlite:///var/bench-kpis.sqlite3 .venv/bin/python bench/kpis.py --cases 1000000
    DATABASE_URL=postgres:///gridgov_bench .venv/bin/python bench/kpis.py --cases 1000000

1. Cases: ``--cases`` over the year before ``--before``, written in bulk by
   ``simulate.historygen`` (timed). A database already holding at least that many cases
   is reused (its generation time was reported by the run that wrote it).
2. Aggregates: ``analytics.aggregates.sync()`` brings the KPI cells up to the rows (timed).
3. ``kpis()`` for the city root, a street, a community and a grid (each the node of its
   level with the most cases), over the year, headline and ``group_by="child"``,
   ``--reps`` times each after two warm-up calls: p50 and p95.
4. DuckDB (in memory, default threads): the cases table is exported from our database to
   CSV and loaded with DuckDB's built-in ``read_csv`` (extensions cannot be downloaded
   here; the export and the load are timed apart and not counted); then the same figures
   (received, accepted, closed and the 三率, by the preset's ``[kpi]`` definitions) are
   computed from that raw table with one SQL query, timed the same way. The numbers must
   agree with ``kpis()``'s before any time is reported.

Prints Markdown for bench/REPORT.md.
"""

import argparse
import csv
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from cases.models import Case  # noqa: E402
from org.models import OrgNode  # noqa: E402
from simulate.historygen import HistoryGenerator  # noqa: E402

BEFORE = dt.date(2026, 11, 1)


def generate(total: int, seed: int, before: dt.date) -> dict:
    """Write about ``total`` cases over the twelve months before ``before``."""
    started = time.perf_counter()
    cpu = time.process_time()
    generator = HistoryGenerator(
        months=12, per_day=1, seed=seed, before=before, progress=print, report_every=100_000
    )
    generator.per_day = generator.per_day_for(total)
    loaded = time.perf_counter() - started
    summary = generator.run()
    return {
        "cases": summary["cases"],
        "events": summary["events"],
        "assignments": summary["assignments"],
        "load_s": loaded,
        "write_s": summary["seconds"],
        "wall_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--before", type=dt.date.fromisoformat, default=BEFORE)
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    if not OrgNode.objects.exists():
        sys.exit("no city: run make_city --preset fuzhou --scale fuzhou --seed 1 first")
    vendor = f"{connection.vendor} {connection.Database.__name__}"
    print(f"# database: {vendor}")
    have = Case.objects.count()
    if have >= args.cases:
        print(f"reusing {have:,} cases already in the database")
        generated = None
    elif have:
        sys.exit(f"the database holds {have:,} cases, fewer than --cases: start from a fresh one")
    else:
        generated = generate(args.cases, args.seed, args.before)
        print(
            f"generated {generated['cases']:,} cases, {generated['events']:,} events, "
            f"{generated['assignments']:,} assignments in {generated['wall_s']:.1f} s wall "
            f"({generated['load_s']:.1f} s loading the city), {generated['cpu_s']:.1f} s CPU: "
            f"{generated['cases'] / generated['write_s']:,.0f} cases/s written"
        )
    if args.generate_only:
        return


if __name__ == "__main__":
    main()
