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
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_DEMO", "1")

import django  # noqa: E402

django.setup()

import duckdb  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analytics.aggregates import kpi_settings, rebuild, sync  # noqa: E402
from analytics.kpis import kpis  # noqa: E402
from analytics.models import CaseFact  # noqa: E402
from cases.models import Case  # noqa: E402
from org.models import OrgNode  # noqa: E402
from simulate.historygen import HistoryGenerator  # noqa: E402

BEFORE = dt.date(2026, 11, 1)
COLUMNS = (
    "org_code",
    "created_at",
    "status",
    "responded_at",
    "response_due_at",
    "satisfaction",
    "merged_into_id",
)
# The figures compared, then timed.
COMPARED = ("received", "accepted", "closed", *("response_rate", "resolution_rate"))
COMPARED += ("satisfaction_rate",)


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
    parser.add_argument(
        "--prepare-only", action="store_true", help="stop once the aggregates are built"
    )
    parser.add_argument(
        "--copy-from",
        type=Path,
        default=None,
        help="PostgreSQL: copy the cases of this SQLite bench database (same city, same ids) "
        "instead of generating them again",
    )
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
    elif args.copy_from:
        started = time.perf_counter()
        copied = copy_cases(args.copy_from)
        print(f"copied {copied} from {args.copy_from} in {time.perf_counter() - started:.1f} s")
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
    start, end = args.before.replace(year=args.before.year - 1), args.before - dt.timedelta(1)
    started = time.perf_counter()
    if CaseFact.objects.exists():
        how, done = "sync()", sync()
    else:  # from scratch: one pass over the cases, the cells by SQL rollups
        how, done = "rebuild()", rebuild()
    print(f"aggregates: {how} {done} in {time.perf_counter() - started:.1f} s")
    run_sql("ANALYZE")  # the planner's statistics after the bulk writes
    if args.prepare_only:
        return
    db, export_s, load_s = load_duckdb()
    print(f"DuckDB {duckdb.__version__}: exported in {export_s:.1f} s, loaded in {load_s:.1f} s")
    rows = []
    for label, code in nodes(db):
        for group_by in (None, "child"):
            sql, params = duck_query(code, start, end, group_by)
            ours = kpis(code, start, end, group_by)
            agree(ours, db.execute(sql, params).fetchall(), label, group_by)
            ours_t, duck_t = timed(
                args.reps,
                lambda: kpis(code, start, end, group_by),  # noqa: B023
                lambda: db.execute(sql, params).fetchall(),  # noqa: B023
            )
            received = sum(r["received"] for r in ours)
            live = live_read_ms(lambda: kpis(code, start, end, group_by))  # noqa: B023
            rows.append((label, code, group_by, len(ours), received, ours_t, duck_t, live))
    print_table(rows, args, vendor)


def copy_cases(path: Path) -> dict:
    """Copy the cases, their events, assignments and number counters of a SQLite bench
    database into this PostgreSQL one with COPY. Both must hold the same generated city
    (``make_city`` with the same preset, scale and seed gives the same ids: checked)."""
    import sqlite3

    from django.apps import apps

    assert connection.vendor == "postgresql", "--copy-from copies into PostgreSQL"
    source = sqlite3.connect(path)
    for label in ("org.OrgNode", "org.Department", "catalog.MatterCategory", "catalog.Tier"):
        table = apps.get_model(label)._meta.db_table
        sql = f"SELECT count(*), sum(id) FROM {table}"
        with connection.cursor() as cursor:
            cursor.execute(sql)
            mine = tuple(int(v or 0) for v in cursor.fetchone())
        theirs = tuple(int(v or 0) for v in source.execute(sql).fetchone())
        assert mine == theirs, f"{label} differs ({mine} here, {theirs} there): not the same city"
    with transaction.atomic():
        copied = _copy_tables(source)
    from simulate.bulkrows import reset_sequences

    reset_sequences(*(apps.get_model(f"cases.{name}") for name in CASE_TABLES))
    return copied


CASE_TABLES = ("Case", "CaseEvent", "Assignment", "CaseCounter")


def _copy_tables(source) -> dict:
    from django.apps import apps

    q = connection.ops.quote_name
    copied = {}
    for name in CASE_TABLES:
        model = apps.get_model(f"cases.{name}")
        columns = [f.column for f in model._meta.concrete_fields]
        names = ", ".join(q(c) for c in columns)
        rows = source.execute(f"SELECT {names} FROM {model._meta.db_table} ORDER BY id")
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {q(model._meta.db_table)} ({names}) FROM STDIN") as copy,
        ):
            while chunk := rows.fetchmany(50_000):
                for row in chunk:
                    copy.write_row(row)
                count += len(chunk)
        copied[model._meta.model_name] = count
    return copied


def run_sql(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _utc(value) -> str:
    """A stored datetime as naive UTC text (DuckDB's TIMESTAMP), '' for none."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def load_duckdb():
    """The raw cases table, as stored, in an in-memory DuckDB (via CSV)."""
    path = Path(tempfile.mkdtemp()) / "cases.csv"
    started = time.perf_counter()
    q = connection.ops.quote_name
    with connection.cursor() as cursor, path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        cursor.execute(f"SELECT {', '.join(q(c) for c in COLUMNS)} FROM {q(Case._meta.db_table)}")
        while chunk := cursor.fetchmany(50_000):
            writer.writerows(
                (code, _utc(at), status, _utc(resp), _utc(due), sat, merged or "")
                for code, at, status, resp, due, sat, merged in chunk
            )
    export_s = time.perf_counter() - started
    started = time.perf_counter()
    db = duckdb.connect()
    db.execute(
        "CREATE TABLE cases AS SELECT * FROM read_csv(?, header=true, columns={"
        "'org_code': 'VARCHAR', 'created_at': 'TIMESTAMP', 'status': 'VARCHAR', "
        "'responded_at': 'TIMESTAMP', 'response_due_at': 'TIMESTAMP', "
        "'satisfaction': 'VARCHAR', 'merged_into_id': 'BIGINT'})",
        [str(path)],
    )
    load_s = time.perf_counter() - started
    path.unlink()
    return db, export_s, load_s


def duck_query(code: str, start: dt.date, end: dt.date, group_by: str | None):
    """The SQL (and parameters) computing the compared figures from the raw table, by the
    preset's ``[kpi]`` definitions (analytics.facts)."""
    definitions = kpi_settings()
    excluded = ["merged_into_id IS NOT NULL"]
    if "rejected" in definitions.exclude:
        excluded.append("status = 'rejected'")
    counted = f"NOT ({' OR '.join(excluded)})"
    finished = "status IN ('resolved', 'closed')"
    responded = "responded_at IS NOT NULL"
    if definitions.responded == "on_time":
        responded += " AND (response_due_at IS NULL OR responded_at <= response_due_at)"
    satisfied = ", ".join(f"'{s}'" for s in definitions.satisfied)
    resolved = {
        "finished": finished,
        "not_unsatisfied": f"{finished} AND COALESCE(satisfaction, '') <> 'unsatisfied'",
        "satisfied": f"{finished} AND satisfaction IN ({satisfied})",
    }[definitions.resolved]
    offset = local_offset_hours(start, end)
    if group_by == "child":
        lengths = {
            len(c) for c in OrgNode.objects.filter(parent__code=code).values_list("code", flat=True)
        } or {len(code)}
        assert len(lengths) == 1, f"children of {code} have codes of lengths {lengths}"
        key = f"substr(org_code, 1, {lengths.pop()})"
    else:
        key = "?"
    sql = f"""
        SELECT {key} AS key,
            count(*) FILTER (WHERE {counted}) AS received,
            count(*) FILTER (WHERE {counted} AND status NOT IN ('submitted', 'rejected')),
            count(*) FILTER (WHERE {counted} AND {finished}),
            count(*) FILTER (WHERE {counted} AND {responded}),
            count(*) FILTER (WHERE {counted} AND {resolved}),
            count(*) FILTER (WHERE {counted} AND COALESCE(satisfaction, '') <> ''),
            count(*) FILTER (WHERE {counted} AND satisfaction IN ({satisfied}))
        FROM cases
        WHERE org_code >= ? AND org_code < ?
          AND CAST(created_at + INTERVAL {offset} HOUR AS DATE) BETWEEN ? AND ?
        GROUP BY 1
    """
    params = ([code] if group_by is None else []) + [code, code + ":", start, end]
    return sql, params


def local_offset_hours(start: dt.date, end: dt.date) -> int:
    """TIME_ZONE's offset from UTC over the period, in whole hours (Asia/Shanghai: 8, no
    daylight saving since 1991); refused if it changes within the period."""
    zone = ZoneInfo(settings.TIME_ZONE)
    offsets = {
        dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
        for day in (start, end, start + (end - start) / 2)
    }
    assert len(offsets) == 1, f"{settings.TIME_ZONE} changes its offset in the period"
    hours = offsets.pop().total_seconds() / 3600
    assert hours == int(hours)
    return int(hours)


def _rate(part, whole):
    return part / whole if whole else None


def agree(ours: list[dict], duck: list[tuple], label: str, group_by) -> None:
    """Refuse to report a time unless both give the same figures for every row."""
    theirs = {}
    for key, received, accepted, closed, responded, resolved, rated, satisfied in duck:
        theirs[key] = {
            "received": received,
            "accepted": accepted,
            "closed": closed,
            "response_rate": _rate(responded, received),
            "resolution_rate": _rate(resolved, accepted),
            "satisfaction_rate": _rate(satisfied, rated),
        }
    empty = dict.fromkeys(COMPARED[:3], 0) | dict.fromkeys(COMPARED[3:])
    for row in ours:
        other = theirs.pop(row["key"], empty)
        for name in COMPARED:
            a, b = row[name], other[name]
            same = a == b if a is None or b is None else abs(a - b) < 1e-12
            assert same, f"{label} {group_by} {row['key']} {name}: kpis {a} != DuckDB {b}"
    assert not theirs, f"{label} {group_by}: DuckDB has rows kpis() lacks: {sorted(theirs)[:5]}"


def live_read_ms(call) -> float:
    """Milliseconds one call spends in queries on the cases table (``overdue_open``, read
    live), the median of five calls."""
    spent = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            call()
        table = Case._meta.db_table
        spent.append(sum(float(q["time"]) for q in queries if f'"{table}"' in q["sql"]) * 1000)
    return statistics.median(spent)


def timed(reps: int, *calls) -> list[list[float]]:
    """Seconds of each call, ``reps`` times after two warm-ups, the calls taking turns so
    a change in the machine's load falls on both."""
    for call in calls:
        call()
        call()
    times = [[] for _ in calls]
    for _ in range(reps):
        for call, spent in zip(calls, times, strict=True):
            started = time.perf_counter()
            call()
            spent.append(time.perf_counter() - started)
    return times


def nodes(db) -> list[tuple[str, str]]:
    """The root, then the street, community and grid (the three deepest levels) with the
    most cases."""
    root = OrgNode.objects.get(parent=None)
    found = [("root", root.code)]
    lengths = sorted({len(c) for c in OrgNode.objects.values_list("code", flat=True)})
    for label, length in zip(("street", "community", "grid"), lengths[-3:], strict=True):
        codes = db.execute(
            f"SELECT substr(org_code, 1, {length}) AS code, count(*) AS n FROM cases "
            "GROUP BY 1 ORDER BY n DESC, code LIMIT 20"
        ).fetchall()
        code = next(c for c, _ in codes if OrgNode.objects.filter(code=c).exists())
        found.append((label, code))
    return found


def _ms(times, q):
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] * 1000


def print_table(rows, args, vendor) -> None:
    print()
    print(
        f"{vendor}, {Case.objects.count():,} cases; year {args.before.year - 1}-"
        f"{args.before:%m-%d} to {args.before:%Y-%m-%d} (exclusive); {args.reps} reps each"
    )
    print()
    print(
        "| node | group_by | rows | cases | kpis() p50 ms | kpis() p95 ms | "
        "of which cases table ms | DuckDB p50 ms | DuckDB p95 ms | ratio p50 (ours / DuckDB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, code, group_by, count, received, ours, duck, live in rows:
        print(
            f"| {label} {code} | {group_by or 'headline'} | {count} | {received:,} | "
            f"{_ms(ours, 50):.2f} | {_ms(ours, 95):.2f} | {live:.2f} | {_ms(duck, 50):.2f} | "
            f"{_ms(duck, 95):.2f} | {_ms(ours, 50) / _ms(duck, 50):.3f} |"
        )


if __name__ == "__main__":
    main()
