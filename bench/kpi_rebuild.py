"""How long the KPI aggregates take to rebuild, check and read, over generated history.

    GRIDGOV_DEMO=1 .venv/bin/python bench/kpi_rebuild.py [--days 60] [--per-day 40]

A fresh test database (SQLite in memory) with the tiny Jizhou city and ``--days`` of
cases made by ``simulate.casegen`` through the real actions (so facts and cells are kept
by the receiver as they go); then times ``rebuild()``, ``sync()`` (nothing to do),
``check_aggregates``' two comparisons, and ``kpis()`` at the root over the whole span,
headline and by child. Prints a Markdown table.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_TESTING", "1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-day", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from analytics.aggregates import cell_differences, fact_differences, rebuild, sync
    from analytics.kpis import kpis
    from analytics.models import CaseFact, KpiCell
    from cases.models import Case
    from org.models import OrgNode
    from tests.conftest import build_city

    build_city()
    began = time.perf_counter()
    call_command("make_cases", days=args.days, per_day=args.per_day, verbosity=0)
    made = time.perf_counter() - began
    cases = Case.objects.count()
    root = OrgNode.objects.get(parent__isnull=True).code
    first = Case.objects.order_by("created_at").first().created_at.date()
    last = Case.objects.order_by("-created_at").first().created_at.date()

    rows = [(f"make_cases ({cases} cases, upkeep on)", made)]

    def timed(name, call):
        began = time.perf_counter()
        result = call()
        rows.append((name, time.perf_counter() - began))
        return result

    counts = timed("rebuild()", rebuild)
    timed("sync() with nothing stale", sync)
    facts = timed("facts recomputed and compared", lambda: list(fact_differences()))
    cells = timed("cells recomputed and compared", lambda: list(cell_differences()))
    timed("kpis(root, whole span)", lambda: kpis(root, first, last))
    timed("kpis(root, whole span, child)", lambda: kpis(root, first, last, "child"))
    timed("kpis(root, whole span, category)", lambda: kpis(root, first, last, "category"))
    print(
        f"{counts}; {CaseFact.objects.count()} facts, {KpiCell.objects.count()} cells; "
        f"differences: {len(facts)} facts, {len(cells)} cells"
    )
    print("| step | seconds |")
    print("|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
