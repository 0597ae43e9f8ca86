"""Importing a 12345 file into a generated city, beside references measured in the same run.

    GRIDGOV_VAR_DIR=/tmp/exvar GRIDGOV_DEMO=1 .venv/bin/python bench/hotline_import.py \
        [--rows 100000] [--format csv|xlsx] [--seed 1] [--file PATH]

The database must hold a generated city (``make_city --preset jizhou --scale county``).
The file comes from ``simulate.hotlinegen`` (the generator behind ``make_hotline_file``):
addresses from the city, 5 % of rows wrong on purpose. Orders are imported as the
district leader through the same path as ``manage.py import_hotline``, under a hotline
system of their own ("bench-12345") whose earlier cases are deleted first, so every run
is a first import. Then the same file is imported again (idempotence: nothing created).

References, same rows, same run:
- raw parsing plus a bulk insert of every row into a bare SQLite table (csv module +
  ``executemany`` in one transaction; for XLSX, openpyxl's read-only reader);
- the case loop's own intake (``cases.actions.do_create_case``) called directly for a
  sample of the orders, with their grid and category already known, committed in the
  import's batches and deleted again: the floor under any importer that goes through
  the case loop.

Prints a Markdown section for bench/REPORT.md.
"""

import argparse
import csv
import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from cases.actions import Report, do_create_case  # noqa: E402
from cases.models import Case  # noqa: E402
from exchange.addresses import AddressIndex  # noqa: E402
from exchange.hotline import CategoryMatcher, order_from_values  # noqa: E402
from exchange.importing import BATCH_SIZE, RowError  # noqa: E402
from exchange.jobs import execute_job  # noqa: E402
from exchange.models import HotlineSystem, ImportJob, ImportKind, JobStatus  # noqa: E402
from exchange.progress import ProgressBar  # noqa: E402
from exchange.tabular import open_table  # noqa: E402
from org.models import Household, OrgNode, User  # noqa: E402
from simulate.hotlinegen import REJECTED_KINDS, HotlineFileGenerator  # noqa: E402

BENCH_SYSTEM = "bench-12345"
INTAKE_SAMPLE = 2_000


def reference_csv(path: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to decode, parse and bulk-insert every row into a bare SQLite
    table."""
    started, cpu = time.perf_counter(), time.process_time()
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(text.splitlines())
    header = next(reader)
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "raw.sqlite3")
        columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        db.execute(f"CREATE TABLE orders ({columns})")
        marks = ", ".join("?" * len(header))
        with db:
            db.executemany(f"INSERT INTO orders VALUES ({marks})", reader)
        db.close()
    return time.perf_counter() - started, time.process_time() - cpu


def reference_xlsx(path: Path) -> tuple[float, float]:
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert count > 1
    return time.perf_counter() - started, time.process_time() - cpu


def intake_floor(path: Path, system: HotlineSystem, leader: User) -> tuple[int, float, float]:
    """Seconds of do_create_case alone for a sample of the file's good orders, with
    grid and category precomputed."""
    table = open_table(path)
    index, categories = AddressIndex.build(), CategoryMatcher()
    mapping = {column: position for position, column in enumerate(table.headers)}
    keys = {
        "ticket_no": "工单编号",
        "received_at": "受理时间",
        "caller": "来电人",
        "phone": "联系电话",
        "address": "事发地址",
        "content": "诉求内容",
        "category": "诉求分类",
        "deadline": "办理时限",
    }
    reports, seen = [], set()
    for _, cells in table.rows():
        values = {key: cells[mapping[header]] for key, header in keys.items()}
        try:
            order = order_from_values(values)
        except RowError:  # a spoiled row: not in the sample
            continue
        if order.ticket_no in seen:
            continue
        seen.add(order.ticket_no)
        match = index.match(order.address, order.content)
        reports.append(
            (
                Report(
                    title=order.content[:30],
                    description=order.content,
                    channel=system.channel,
                    grid_code=match.grid_code if match else None,
                    address=order.address,
                    category_code=categories.match(order.category),
                    reporter_name=order.caller,
                    reporter_phone=order.phone,
                    source_system="bench-floor",
                    external_ref=order.ticket_no,
                    due_at=order.deadline,
                ),
                order.received_at,
            )
        )
        if len(reports) >= INTAKE_SAMPLE:
            break
    do_create_case(reports[0][0], actor=leader, at=reports[0][1])  # warm the caches
    Case.objects.filter(source_system="bench-floor").delete()
    # Committed in batches like the import, so the work done after each commit (the
    # notification task enqueued per case) is counted too; deleted afterwards.
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(reports), BATCH_SIZE):
        with transaction.atomic():
            for report, at in reports[start : start + BATCH_SIZE]:
                with transaction.atomic():
                    do_create_case(report, actor=leader, at=at)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    Case.objects.filter(source_system="bench-floor").delete()
    return len(reports), seconds, cpu


def import_once(path: Path, system: HotlineSystem, leader: User):
    """The job, wall seconds, CPU seconds."""
    job = ImportJob.objects.create(
        kind=ImportKind.HOTLINE,
        system=system,
        user=leader,
        source_name=str(path),
        status=JobStatus.QUEUED,
    )
    started, cpu = time.perf_counter(), time.process_time()
    job = execute_job(job.pk, progress=ProgressBar(sys.stderr), path=path)
    return job, time.perf_counter() - started, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", help="use this file instead of generating one")
    args = parser.parse_args()

    if not OrgNode.objects.exists():
        sys.exit("no city in this database: run manage.py make_city first")
    system, _ = HotlineSystem.objects.update_or_create(
        slug=BENCH_SYSTEM, defaults={"name": "12345 基准测试", "channel": "hotline_12345"}
    )
    leader = User.objects.get(username="demo-leader")
    grids = OrgNode.objects.exclude(grid_kind="").count()
    households = Household.objects.count()

    generator = None
    if args.file:
        path = Path(args.file)
        generation = 0.0
    else:
        path = Path(tempfile.gettempdir()) / f"hotline-{args.rows}-{args.seed}.{args.format}"
        started = time.perf_counter()
        generator = HotlineFileGenerator(args.rows, seed=args.seed, system=system)
        generator.write(path)
        generation = time.perf_counter() - started
    print(
        f"file {path} ({path.stat().st_size / 1e6:.1f} MB), generated in {generation:.1f} s",
        file=sys.stderr,
    )

    load_before = os.getloadavg()[0]
    raw, raw_cpu = reference_csv(path) if args.format == "csv" else reference_xlsx(path)
    started = time.perf_counter()
    deleted = Case.objects.filter(source_system=BENCH_SYSTEM).delete()[1].get("cases.Case", 0)
    print(
        f"deleted {deleted} cases of earlier runs in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    sample, floor_seconds, floor_cpu = intake_floor(path, system, leader)

    first, first_seconds, first_cpu = import_once(path, system, leader)
    load_after = os.getloadavg()[0]
    second, second_seconds, second_cpu = import_once(path, system, leader)
    assert second.created == 0, "the second import must create nothing"

    rows = first.done
    reference = (
        "raw csv parse + executemany into a bare SQLite table"
        if args.format == "csv"
        else "raw openpyxl read-only read"
    )
    spoiled = ""
    if generator is not None:
        spoiled = (
            f"; {sum(generator.counts.values()):,} rows spoiled on purpose "
            f"({sum(generator.counts[k] for k in REJECTED_KINDS):,} to be refused, "
            f"{generator.counts['unknown_address']:,} with an address not in the city)"
        )
    floor_rate = sample / floor_cpu
    first_rate = rows / first_cpu

    def line(step, count, wall, cpu):
        return (
            step,
            f"{count:,}",
            f"{wall:.1f}",
            f"{cpu:.1f}",
            f"{count / wall:,.0f}",
            f"{count / cpu:,.0f}",
        )

    table = [
        ("step", "rows", "wall s", "CPU s", "rows/s (wall)", "rows/s (CPU)"),
        ("---",) * 6,
        line(f"reference: {reference}", rows, raw, raw_cpu),
        line(
            "reference: `do_create_case` alone (grid and category known beforehand)",
            sample,
            floor_seconds,
            floor_cpu,
        ),
        line(
            "**first import** (parse, check, place, classify, create the cases)",
            rows,
            first_seconds,
            first_cpu,
        ),
        line(
            f"second import of the same file ({second.created} created)",
            second.done,
            second_seconds,
            second_cpu,
        ),
    ]
    lines = [
        "## 12345 hotline import (`bench/hotline_import.py`)",
        "",
        f"{rows:,} generated work orders ({args.format.upper()}, seed {args.seed}, "
        f"{path.stat().st_size / 1e6:.1f} MB) imported into the county demo city "
        f"(`make_city --preset jizhou --scale county --seed 1`: {grids} grids, "
        f"{households:,} households) on {connection.vendor}, as the district leader, through "
        f"the same path as `manage.py import_hotline` (Python {platform.python_version()}, "
        f"{os.cpu_count()} cores). File from `make_hotline_file --rows {args.rows} "
        f"--seed {args.seed}`{spoiled}.",
        "",
        *("| " + " | ".join(row) + " |" for row in table),
        "",
        f"First import: {first.created:,} cases created, {first.failed:,} rows refused (each "
        f"with its line and reason in the error file); **{first.located:,} of the "
        f"{first.created:,} created cases located to a grid ({first.located / first.created:.1%};"
        f" {first.located / rows:.1%} of all rows)**. First import / intake alone (CPU): "
        f"{first_rate / floor_rate:.2f}. Load average {load_before:.1f} before, "
        f"{load_after:.1f} after the first import ({os.cpu_count()} cores).",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
