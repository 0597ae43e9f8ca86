"""Facts and cells kept in step with the cases.

- ``refresh(case_ids)``: re-derive those cases' facts and apply the difference to the cells
  (new contribution minus old) in one additive upsert; the ``CaseEvent`` receiver calls it
  in the case action's own transaction (``analytics.signals``).
- ``sync()``: the same for every case whose fact is missing or older than the case (bulk
  writers skip signals); idempotent, batched, a huey periodic task.
- ``rebuild()``: every fact and cell from scratch: facts derived in batches and inserted in
  bulk, cells by ``INSERT … SELECT … GROUP BY`` over the facts, one statement per
  (node level, period, dimension).
- ``recomputed_cells()``: the cells as the facts say they should be (check_aggregates).

A case counts in the cells of every ancestor of its node (its grid, community, street,
district, city: the node codes that are prefixes of ``Case.org_code``), per day and per
month of its local date of receipt, overall (dim '') and per dimension value.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import F, Q

from analytics.facts import derive
from analytics.models.facts import BINS, CELL_MEASURES, DIMENSIONS, MEASURES, CaseFact, KpiCell
from analytics.preset import KpiSettings
from catalog.models import CalendarDay
from org.codes import ancestor_prefixes
from org.models import OrgNode
from presets.loader import PresetError, active_preset

BATCH = 1000
# Rows per upsert statement: 5 key columns and every measure are parameters each, well
# under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
UPSERT_ROWS = 400
# Only these events change a fact (the others are read from the case and assignments).
FACT_EVENTS = ("callback", "approve_extension", "escalate")
# What analytics.facts.derive reads of a case and an assignment.
CASE_FIELDS = (
    "version",
    "org_code",
    "created_at",
    "category",
    "tier",
    "channel",
    "status",
    "merged_into",
    "responded_at",
    "response_due_at",
    "resolved_at",
    "due_at",
    "satisfaction",
    "reopen_count",
)
ASSIGNMENT_FIELDS = ("case", "department", "role", "status", "created_at", "answered_at")
KEY = ("node_code", "period", "start", "dim", "value")
FACT_FIELDS = (
    "version",
    "node_code",
    "day",
    "month",
    *DIMENSIONS,
    "handling_bin",
    *MEASURES,
)


def kpi_settings() -> KpiSettings:
    try:
        return active_preset().kpi
    except PresetError:  # no preset loaded yet: the platform's definitions
        return KpiSettings()


class Calendar:
    """Working days between two dates from the stored calendar (Monday–Friday where it
    says nothing), loaded in one query per window; counted from a running total over the
    window (a day-by-day walk per case was a fifth of a rebuild's derivation)."""

    def __init__(self):
        self._loaded: tuple[date, date] | None = None
        self._running: list[int] = [0]  # workdays before each day of the window

    def _load(self, first: date, last: date) -> None:
        if self._loaded and self._loaded[0] <= first and last <= self._loaded[1]:
            return
        if self._loaded:
            first, last = min(first, self._loaded[0]), max(last, self._loaded[1])
        overrides = dict(
            CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
        )
        running, day = [0], first
        while day <= last:
            running.append(running[-1] + bool(overrides.get(day, day.weekday() < 5)))
            day += timedelta(days=1)
        self._loaded, self._running = (first, last), running

    def workdays(self, first: date, last: date) -> int:
        """Working days in [first, last] (0 when last is before first)."""
        if last < first:
            return 0
        self._load(first, last)
        origin = self._loaded[0]
        return self._running[(last - origin).days + 1] - self._running[(first - origin).days]


# -- contributions --------------------------------------------------------------------


def _vector(fact: dict) -> tuple[int, ...]:
    bins = [0] * len(BINS)
    if fact["handling_bin"] is not None:
        bins[fact["handling_bin"]] = 1
    return (*(fact[name] for name in MEASURES), *bins)


def cell_keys(fact: dict, ancestors: list[str]) -> list[tuple]:
    """The cells a fact adds to: keys (node, period, start, dim, value)."""
    keys = []
    for node in ancestors:
        for period, start in (("d", fact["day"]), ("m", fact["month"])):
            keys.append((node, period, start, "", ""))
            keys.extend((node, period, start, dim, fact[dim]) for dim in DIMENSIONS)
    return keys


def contribution(fact: dict, ancestors: list[str]) -> dict[tuple, tuple[int, ...]]:
    """The cells a fact adds to: key → its measures (the same for every cell)."""
    vector = _vector(fact)
    return dict.fromkeys(cell_keys(fact, ancestors), vector)


def ancestors_of(codes) -> dict[str, list[str]]:
    """For each code, the node codes that are its prefixes (itself included)."""
    codes = set(codes)
    nodes = set(
        OrgNode.objects.filter(code__in=ancestor_prefixes(codes)).values_list("code", flat=True)
    )
    return {
        code: [code[:n] for n in range(1, len(code) + 1) if code[:n] in nodes] for code in codes
    }


def add_to_cells(deltas: dict[tuple, list[int]]) -> int:
    """Add ``deltas`` (cell key → measures) to the cells, creating missing ones.

    Raw SQL because the ORM has no additive upsert: ``INSERT … ON CONFLICT (key) DO UPDATE
    SET x = cell.x + excluded.x`` is one statement for many cells, atomic per row under
    concurrent writers, and the same text on SQLite (≥ 3.24) and PostgreSQL."""
    # One statement per set of changed measures (one or two per case action: its 60
    # cells change the same measures), naming only those: a delta is mostly zeros.
    by_columns: dict[tuple[int, ...], list[tuple]] = defaultdict(list)
    for key, vector in deltas.items():
        changed = tuple(index for index, value in enumerate(vector) if value)
        if changed:
            by_columns[changed].append((*key, *(vector[index] for index in changed)))
    q = connection.ops.quote_name
    table = q(KpiCell._meta.db_table)
    with connection.cursor() as cursor:
        for changed, rows in by_columns.items():
            measures = [CELL_MEASURES[index] for index in changed]
            columns = ", ".join(q(c) for c in (*KEY, *measures))
            placeholder = "(" + ", ".join(["%s"] * (len(KEY) + len(measures))) + ")"
            updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in measures)
            for index in range(0, len(rows), UPSERT_ROWS):
                chunk = rows[index : index + UPSERT_ROWS]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "
                    f"VALUES {', '.join([placeholder] * len(chunk))} "
                    f"ON CONFLICT ({', '.join(q(c) for c in KEY)}) DO UPDATE SET {updates}",
                    [value for row in chunk for value in row],
                )
    return sum(len(rows) for rows in by_columns.values())


def write_facts(facts: dict[int, dict]) -> None:
    """Insert or update facts (case id → fields) in one statement per chunk. Raw SQL for
    the same reason as ``add_to_cells``, and because the ORM's ``bulk_update`` builds a
    CASE per column that costs more than the rest of a refresh (bench/kpi_overhead.py);
    updated in place, never deleted and created, since a deleted fact takes its
    contribution out of the cells (``signals.on_fact_deleted``)."""
    if not facts:
        return
    q = connection.ops.quote_name
    table = q(CaseFact._meta.db_table)
    columns = ("case_id", *FACT_FIELDS)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in FACT_FIELDS)
    rows = [(pk, *(fact[name] for name in FACT_FIELDS)) for pk, fact in facts.items()]
    with connection.cursor() as cursor:
        for index in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[index : index + UPSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
                f"VALUES {', '.join([placeholder] * len(chunk))} "
                f"ON CONFLICT ({q('case_id')}) DO UPDATE SET {updates}",
                [value for row in chunk for value in row],
            )


def _fact_dict(fact: CaseFact) -> dict:
    return {name: getattr(fact, name) for name in FACT_FIELDS}


# -- deriving in batches ---------------------------------------------------------------


def derive_many(case_ids, settings=None, calendar=None) -> dict[int, dict]:
    """Facts (dicts, ``analytics.facts.derive``) of the cases ``case_ids``, in four
    queries: cases, the events that matter, assignments."""
    from cases.models import Assignment, Case, CaseEvent

    settings = settings or kpi_settings()
    calendar = calendar or Calendar()
    cases = list(
        Case.objects.filter(pk__in=case_ids)
        .select_related("category", "tier")
        .only(*CASE_FIELDS, "category__code", "category__group", "tier__code")
    )
    events, assignments = defaultdict(list), defaultdict(list)
    for event in CaseEvent.objects.filter(case_id__in=case_ids, action__in=FACT_EVENTS).only(
        "case_id", "action", "data"
    ):
        events[event.case_id].append(event)
    for assignment in (
        Assignment.objects.filter(case_id__in=case_ids)
        .select_related("department")
        .only(*ASSIGNMENT_FIELDS, "department__code")
    ):
        assignments[assignment.case_id].append(assignment)
    return {
        case.pk: derive(case, events[case.pk], assignments[case.pk], settings, calendar.workdays)
        for case in cases
    }


def refresh(case_ids, settings=None, calendar=None) -> int:
    """Bring the facts of ``case_ids`` up to date and apply the difference to the cells.
    Runs in the caller's transaction (or its own). Returns the number of facts changed."""
    case_ids = list(case_ids)
    if not case_ids:
        return 0
    with transaction.atomic():
        new = derive_many(case_ids, settings, calendar)
        old = {f.case_id: _fact_dict(f) for f in CaseFact.objects.filter(case_id__in=case_ids)}
        changed = [pk for pk in case_ids if new.get(pk) != old.get(pk)]
        if not changed:
            return 0
        codes = {f["node_code"] for pk in changed for f in (new.get(pk), old.get(pk)) if f}
        ancestors = ancestors_of(codes)
        deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CELL_MEASURES))
        for pk in changed:
            for fact, sign in ((old.get(pk), -1), (new.get(pk), 1)):
                if fact is None:
                    continue
                nonzero = [(i, sign * v) for i, v in enumerate(_vector(fact)) if v]
                for key in cell_keys(fact, ancestors[fact["node_code"]]):
                    cell = deltas[key]
                    for index, value in nonzero:
                        cell[index] += value
        add_to_cells(deltas)
        write_facts({pk: new[pk] for pk in changed if pk in new})
        gone = [pk for pk in changed if pk not in new]
        if gone:  # cases no longer there: their contribution is out, so are their facts
            q = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {q(CaseFact._meta.db_table)} WHERE case_id IN "
                    f"({', '.join(['%s'] * len(gone))})",
                    gone,
                )
        return len(changed)


def add_new_case(case) -> None:
    """The fact of a case just filed, from the intake's own case object: a new case has
    no fact, no assignment and no event that counts yet, so nothing is read back (the
    intake's share of the upkeep; ``refresh`` does the same from the rows)."""
    fact = derive(case, [], [], kpi_settings(), Calendar().workdays)
    ancestors = ancestors_of([fact["node_code"]])[fact["node_code"]]
    add_to_cells(contribution(fact, ancestors))
    write_facts({case.pk: fact})


def subtract_fact(fact: CaseFact) -> None:
    """Take a deleted fact's contribution out of the cells (its case was deleted)."""
    values = _fact_dict(fact)
    ancestors = ancestors_of([values["node_code"]])[values["node_code"]]
    add_to_cells(
        {key: [-v for v in vector] for key, vector in contribution(values, ancestors).items()}
    )


def stale_cases():
    """Cases whose fact is missing or was derived from an older version of the case."""
    from cases.models import Case

    return Case.objects.filter(Q(fact__isnull=True) | ~Q(fact__version=F("version")))


def sync(batch: int = BATCH) -> dict:
    """Refresh every case whose fact is missing or stale, ``batch`` cases per transaction.
    Idempotent. Returns {"checked": cases looked at, "changed": facts written}."""
    settings, calendar = kpi_settings(), Calendar()
    checked = changed = 0
    last = 0
    while True:
        ids = list(
            stale_cases().filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return {"checked": checked, "changed": changed}
        changed += refresh(ids, settings, calendar)
        checked += len(ids)
        last = ids[-1]


# -- from scratch ----------------------------------------------------------------------


def _node_lengths() -> list[int]:
    return sorted({len(code) for code in OrgNode.objects.values_list("code", flat=True)})


def cells_select(length: int, period: str, dim: str) -> tuple[str, list]:
    """SELECT of the cells of one (node code length, period, dimension) from the facts:
    the rollup ``rebuild`` inserts and ``check_aggregates`` compares."""
    q = connection.ops.quote_name
    facts, nodes = q(CaseFact._meta.db_table), q(OrgNode._meta.db_table)
    start = "day" if period == "d" else "month"
    value = f"f.{q(dim)}" if dim else "''"
    sums = [f"SUM(f.{q(m)})" for m in MEASURES]
    sums += [
        f"SUM(CASE WHEN f.handling_bin = {index} THEN 1 ELSE 0 END)" for index in range(len(BINS))
    ]
    sql = (
        f"SELECT SUBSTR(f.node_code, 1, {length}), '{period}', f.{q(start)}, '{dim}', {value}, "
        f"{', '.join(sums)} FROM {facts} f "
        f"WHERE LENGTH(f.node_code) >= {length} AND SUBSTR(f.node_code, 1, {length}) IN "
        f"(SELECT code FROM {nodes} WHERE LENGTH(code) = {length}) "
        f"GROUP BY SUBSTR(f.node_code, 1, {length}), f.{q(start)}{', ' + value if dim else ''}"
    )
    return sql, []


def _rollups():
    for length in _node_lengths():
        for period in ("d", "m"):
            for dim in ("", *DIMENSIONS):
                yield cells_select(length, period, dim)


def rebuild(batch: int = 2000) -> dict:
    """Every fact and cell from scratch, in one transaction (readers see the old figures
    until it commits; on SQLite other writers wait for it). Returns
    {"facts": facts written, "cells": cells written}."""
    from cases.models import Case

    settings, calendar = kpi_settings(), Calendar()
    q = connection.ops.quote_name
    with transaction.atomic():
        # Plain DELETEs: the ORM's would send a post_delete per fact (subtracting it).
        with connection.cursor() as cursor:
            for model in (KpiCell, CaseFact):
                cursor.execute(f"DELETE FROM {q(model._meta.db_table)}")
        facts = 0
        last = 0
        while True:
            ids = list(
                Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            derived = derive_many(ids, settings, calendar)
            write_facts(derived)  # raw: the ORM's bulk_create spent most of the time
            facts += len(derived)
            last = ids[-1]
        table = q(KpiCell._meta.db_table)
        columns = ", ".join(q(c) for c in (*KEY, *CELL_MEASURES))
        with connection.cursor() as cursor:
            for sql, params in _rollups():
                cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return {"facts": facts, "cells": KpiCell.objects.count()}


def recomputed_cells():
    """Yield (key, measures) of every cell as the stored facts sum up (zero cells are
    not produced: compare against stored cells with any non-zero measure)."""
    with connection.cursor() as cursor:
        for sql, params in _rollups():
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                key = (row[0], row[1], _as_date(row[2]), row[3], row[4])
                yield key, tuple(int(v) for v in row[5:])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# -- checking --------------------------------------------------------------------------


def fact_differences(batch: int = BATCH):
    """Yield (case id, field, stored, recomputed) for every fact that differs from what
    the case's rows say now (a missing fact is stored None)."""
    from cases.models import Case

    settings, calendar = kpi_settings(), Calendar()
    last = 0
    while True:
        ids = list(
            Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        derived = derive_many(ids, settings, calendar)
        stored = {f.case_id: _fact_dict(f) for f in CaseFact.objects.filter(case_id__in=ids)}
        for pk in ids:
            new, old = derived.get(pk), stored.get(pk)
            if old is None:
                yield pk, "*", None, "fact"
                continue
            for name in FACT_FIELDS:
                if new[name] != old[name]:
                    yield pk, name, old[name], new[name]
        last = ids[-1]
    orphans = CaseFact.objects.exclude(case_id__in=Case.objects.values("pk"))
    for pk in orphans.values_list("case_id", flat=True):
        yield pk, "*", "fact", None


def cell_differences():
    """Yield (key, measure, stored, recomputed) for every cell whose stored sums differ
    from the stored facts' (``recomputed_cells``); a cell that should not exist is
    compared with zeros."""
    expected = dict(recomputed_cells())
    zero = (0,) * len(CELL_MEASURES)
    seen = set()
    for row in KpiCell.objects.values_list(*KEY, *CELL_MEASURES).iterator(chunk_size=5000):
        key, stored = tuple(row[:5]), tuple(row[5:])
        seen.add(key)
        want = expected.get(key, zero)
        for name, have, should in zip(CELL_MEASURES, stored, want, strict=True):
            if have != should:
                yield key, name, have, should
    for key, want in expected.items():
        if key not in seen and any(want):
            for name, should in zip(CELL_MEASURES, want, strict=True):
                if should:
                    yield key, name, 0, should
