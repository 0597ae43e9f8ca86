"""How long the KPI aggregates take to rebuild, check and read, over generated history.

    GRIDGOV_DEMO=1 .venv/bin/python bench/kpi_rebuild.py [--days 14] [--per-day 30] [--copies 40]

A fresh test database (SQLite in memory) with the tiny Jizhou city and ``--days`` of
cases made by ``simulate.casegen`` through the real actions (the upkeep off, as a bulk
writer would), then each case copied ``--copies`` times in bulk with its assignments and
events, spread over a year (received 0–364 days earlier). Then times ``sync()`` (every
fact missing), ``rebuild()``, ``sync()`` again (nothing to do), ``check_aggregates``' two
comparisons, and ``kpis()`` at the root over the year. Prints a Markdown table.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_TESTING", "1")


def copy_cases(copies: int) -> None:
    """Each case ``copies`` times, with its assignments and events, received 0–364 days
    earlier (the same offset for all its times), in bulk."""
    import random
    import secrets
    from datetime import timedelta

    from cases.models import Assignment, Case, CaseEvent

    rng = random.Random(1)
    originals = list(Case.objects.all())
    assignments, events = {}, {}
    for a in Assignment.objects.all():
        assignments.setdefault(a.case_id, []).append(a)
    for e in CaseEvent.objects.all():
        events.setdefault(e.case_id, []).append(e)
    times = ("created_at", "response_due_at", "due_at", "warn_at", "responded_at")
    times += ("resolved_at", "closed_at", "extension_requested_until")
    for round_ in range(copies):
        batch, children = [], []
        for case in originals:
            shift = timedelta(days=rng.randrange(365))
            copy = Case(**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields})
            copy.pk = None
            copy.number = f"{case.number}-{round_}"
            copy.tracking_token = secrets.token_hex(8)
            copy.external_ref = ""
            copy.merged_into_id = None
            for name in times:
                if getattr(copy, name) is not None:
                    setattr(copy, name, getattr(copy, name) - shift)
            batch.append(copy)
            children.append((case.pk, shift))
        Case.objects.bulk_create(batch, batch_size=1000)
        new_assignments, new_events = [], []
        for copy, (pk, shift) in zip(batch, children, strict=True):
            for a in assignments.get(pk, []):
                new_assignments.append(
                    Assignment(
                        case=copy,
                        department_id=a.department_id,
                        node_id=a.node_id,
                        role=a.role,
                        status=a.status,
                        created_at=a.created_at - shift,
                        answered_at=a.answered_at - shift if a.answered_at else None,
                    )
                )
            for e in events.get(pk, []):
                new_events.append(
                    CaseEvent(
                        case=copy,
                        action=e.action,
                        at=e.at - shift,
                        from_status=e.from_status,
                        to_status=e.to_status,
                        data=e.data,
                    )
                )
        Assignment.objects.bulk_create(new_assignments, batch_size=1000)
        CaseEvent.objects.bulk_create(new_events, batch_size=1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--per-day", type=int, default=30)
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from analytics import signals
    from analytics.aggregates import cell_differences, fact_differences, rebuild, sync
    from analytics.kpis import kpis
    from analytics.models import CaseFact, KpiCell
    from cases.models import Case
    from org.models import OrgNode
    from tests.conftest import build_city

    build_city()
    signals.disconnect()
    began = time.perf_counter()
    call_command("make_cases", days=args.days, per_day=args.per_day, verbosity=0)
    made = time.perf_counter() - began
    copy_cases(args.copies)
    cases = Case.objects.count()
    root = OrgNode.objects.get(parent__isnull=True).code
    first = Case.objects.order_by("created_at").first().created_at.date()
    last = Case.objects.order_by("-created_at").first().created_at.date()

    rows = [(f"make_cases then copies in bulk: {cases} cases", made)]

    def timed(name, call):
        began = time.perf_counter()
        result = call()
        rows.append((name, time.perf_counter() - began))
        return result

    timed("sync() with every fact missing", sync)
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
