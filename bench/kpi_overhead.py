"""What keeping the KPI facts and cells costs each case action, in-process: the same
intakes and actions timed with the analytics receiver connected and disconnected, in
alternating rounds. CPU time of this process (SQLite in memory runs in it), so the other
work on a shared machine counts less than in wall time.

    GRIDGOV_DEMO=1 .venv/bin/python bench/kpi_overhead.py [--rounds 6] [--cases 40]

A fresh test database (SQLite in memory, as the tests use) with the tiny Jizhou city;
each round files ``--cases`` cases in demo-grid's grid through ``do_create_case`` and
takes each through handle → resolve → callback with ``do_case_action``. Prints
the median milliseconds per intake and per action, with and without the receiver.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_TESTING", "1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--cases", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)

    from analytics import signals
    from cases.actions import Report, do_case_action, do_create_case
    from org.models import User
    from tests.conftest import build_city

    build_city()
    grid = User.objects.get(username="demo-grid")
    code = grid.assignments.get().node.code
    timings = {True: {"intake": [], "action": []}, False: {"intake": [], "action": []}}

    def one_round(connected: bool):
        if connected:
            signals.connect()
        else:
            signals.disconnect()
        for _ in range(args.cases):
            began = time.process_time()
            case = do_create_case(
                Report(title="小区门口路灯不亮", channel="grid_report", grid_code=code),
                actor=grid,
            )
            timings[connected]["intake"].append(time.process_time() - began)
            for action, data in (
                ("handle", {}),
                ("resolve", {"result": "已修复"}),
                ("callback", {"satisfaction": "satisfied"}),
            ):
                began = time.process_time()
                case = do_case_action(case.pk, action, actor=grid, version=case.version, data=data)
                timings[connected]["action"].append(time.process_time() - began)

    one_round(True)  # warm-up: imports, caches, the classifier's index
    one_round(False)
    timings = {True: {"intake": [], "action": []}, False: {"intake": [], "action": []}}
    for _ in range(args.rounds):
        one_round(False)
        one_round(True)
    signals.connect()

    print("| what | without receiver, ms | with receiver, ms | extra |")
    print("|---|---|---|---|")
    for what in ("intake", "action"):
        off = statistics.median(timings[False][what]) * 1000
        on = statistics.median(timings[True][what]) * 1000
        print(
            f"| {what} (median of {len(timings[True][what])}) | {off:.2f} | {on:.2f} | "
            f"{on - off:+.2f} ms ({(on - off) / off:+.0%}) |"
        )


if __name__ == "__main__":
    main()
