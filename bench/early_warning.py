"""The daily early-warning job (每日研判) over one generated year, as cases per second,
beside one plain SQL query over the same cases table in the same run (issue 13).

    make_city --preset jizhou --scale county --seed 1                       (once per database)
    DATABASE_URL=sqlite:///var/bench-early-warning.sqlite3 \\
        .venv/bin/python bench/early_warning.py --cases 100000

1. Cases: ``--cases`` over the twelve months before ``--before``, written in bulk by
   ``simulate.historygen`` (as ``bench/kpis.py``); a database already holding at least
   90 % of that is reused.
2. The rules alone: each registered rule (``gridgov.early_warning.rules()``) called for
   every day of the year in one ``one_run()`` as the job does (the sliding windows of
   hotspots and repeats read each day once), its signals counted, and its queries per
   day (the mean of the year: a few queries per day whatever the number of cases).
3. The job: ``alerts.warnings.job.run_days`` over the year on an empty warnings table
   (rules + upserts, one transaction per rule and day), then again (a rerun: it must
   create nothing). **Cases per second = the year's cases ÷ the job's wall time.**
4. References, on the same table in the same run: (a) a plain full scan with the same
   filters, one query (the year's cases with a grid and a category, counted by grid,
   catalogue group and channel); (b) the reverse comparison itself in one SQL query (the
   year's hotline cases with NOT EXISTS a field report of the grid and group in the
   lookback before them): its count must equal the sum of the blind-spot rule's
   uncovered hotline cases over the year before any time is reported.

Prints Markdown for bench/REPORT.md.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Exists, OuterRef  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from alerts.models import Warning  # noqa: E402
from alerts.warnings.common import day_bounds  # noqa: E402
from alerts.warnings.job import morning_after, run_days  # noqa: E402
from alerts.warnings.settings import warning_settings  # noqa: E402
from cases.models import Case  # noqa: E402
from gridgov.early_warning import one_run, rules  # noqa: E402
from org.models import OrgNode  # noqa: E402
from simulate.historygen import HistoryGenerator  # noqa: E402

BEFORE = dt.date(2026, 11, 1)


def generate(total: int, seed: int, before: dt.date) -> dict:
    started = time.perf_counter()
    generator = HistoryGenerator(
        months=12, per_day=1, seed=seed, before=before, progress=print, report_every=50_000
    )
    generator.per_day = generator.per_day_for(total)
    summary = generator.run()
    return {"cases": summary["cases"], "wall_s": time.perf_counter() - started}


def rules_alone(days: list[dt.date]) -> list[dict]:
    rows = []
    for rule in rules():
        signals = uncovered = 0
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries, one_run():
            for day in days:
                found = list(rule.run(day))
                signals += len(found)
                if rule.key == "alerts.blind_spot":
                    uncovered += sum(s.figures["hotline_cases"] for s in found)
        rows.append(
            {
                "key": rule.key,
                "label": str(rule.label),
                "seconds": time.perf_counter() - started,
                "signals": signals,
                "queries_per_day": len(queries) / len(days),
                "uncovered": uncovered,
            }
        )
    return rows


def reference_scan(start, end) -> tuple[float, int]:
    started = time.perf_counter()
    rows = list(
        Case.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            grid__isnull=False,
            category__isnull=False,
            merged_into__isnull=True,
        )
        .values("grid_id", "category__group", "channel")
        .annotate(n=Count("pk"))
    )
    return time.perf_counter() - started, sum(row["n"] for row in rows)


def reference_reverse(start, end) -> tuple[float, int]:
    """The year's uncovered hotline cases in one query (NOT EXISTS)."""
    ew = warning_settings()
    lookback = dt.timedelta(days=ew.lookback_days)
    seen = Case.objects.filter(
        channel__in=ew.field_channels,
        grid_id=OuterRef("grid_id"),
        category__group=OuterRef("category__group"),
        created_at__lt=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - lookback,
    )
    query = Case.objects.filter(
        channel__in=ew.hotlines,
        created_at__gte=start,
        created_at__lt=end,
        grid__isnull=False,
        category__isnull=False,
        merged_into__isnull=True,
    ).filter(~Exists(seen))
    started = time.perf_counter()
    count = query.count()
    return time.perf_counter() - started, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--before", type=dt.date.fromisoformat, default=BEFORE)
    args = parser.parse_args()

    grids = OrgNode.objects.exclude(grid_kind="").count()
    if not grids:
        sys.exit("no city: run make_city first (see the docstring)")
    made = None
    if Case.objects.count() < 0.9 * args.cases:
        made = generate(args.cases - Case.objects.count(), args.seed, args.before)
    last = args.before - dt.timedelta(days=1)
    first = last - dt.timedelta(days=364)
    days = [first + dt.timedelta(days=n) for n in range(365)]
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    year_cases = Case.objects.filter(created_at__gte=start, created_at__lt=end).count()
    ew = warning_settings()
    hotline = Case.objects.filter(
        created_at__gte=start, created_at__lt=end, channel__in=ew.hotlines
    ).count()

    alone = rules_alone(days)
    scan_s, scanned = reference_scan(start, end)
    reverse_s, reverse_count = reference_reverse(start, end)
    uncovered = next(row["uncovered"] for row in alone if row["key"] == "alerts.blind_spot")
    assert uncovered == reverse_count, (uncovered, reverse_count)

    Warning.objects.all().delete()  # a fresh table (the timeline rows go with it)
    job = run_days(first, last, notify_owners=False, at_for=morning_after)
    assert not job.failed, job.failed
    rerun = run_days(first, last, notify_owners=False, at_for=morning_after)
    assert rerun.created == 0, rerun.created

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"\n## Daily early-warning job over a year (`bench/early_warning.py`, {engine})\n")
    print(
        f"{grids:,} grids; {year_cases:,} cases from {first} to {last} ({hotline:,} on the "
        f"hotline channels {', '.join(ew.hotlines)}; field channels "
        f"{', '.join(ew.field_channels)}; lookback {ew.lookback_days} days)."
    )
    if made:
        print(f"Generated now: {made['cases']:,} cases in {made['wall_s']:.1f} s.")
    print("\n| rule | signals over the year | queries per day | time, rule alone |")
    print("|---|---:|---:|---:|")
    for row in alone:
        print(
            f"| {row['label']} (`{row['key']}`) | {row['signals']:,} | "
            f"{row['queries_per_day']:.1f} | {row['seconds']:.1f} s |"
        )
    rate = year_cases / job.seconds
    print(
        f"\n| | wall time | cases per second |\n|---|---:|---:|\n"
        f"| **the job** (365 days, every rule, upserts: {job.created:,} warnings) | "
        f"{job.seconds:.1f} s | **{rate:,.0f}** |\n"
        f"| rerun of the same year (created {rerun.created}, updated {rerun.updated:,}) | "
        f"{rerun.seconds:.1f} s | {year_cases / rerun.seconds:,.0f} |\n"
        f"| reference (a): one full-scan query, same filters ({scanned:,} rows counted) | "
        f"{scan_s:.2f} s | {year_cases / scan_s:,.0f} |\n"
        f"| reference (b): the reverse comparison as one NOT EXISTS query "
        f"({reverse_count:,} uncovered = the rule's {uncovered:,}) | {reverse_s:.2f} s | "
        f"{year_cases / reverse_s:,.0f} |"
    )
    print(
        f"\nThe job takes {job.seconds / scan_s:.1f}× the plain scan and "
        f"{job.seconds / reverse_s:.1f}× the one-query reverse comparison; a day's run "
        f"(what the 05:30 task does) takes {1000 * job.seconds / 365:.0f} ms on average."
    )


if __name__ == "__main__":
    main()
