"""The KPI query every leader's page, report and assessment calls (issue 12's contract):

    rows = kpis(node_code, start, end, group_by=None)

``start``/``end`` are local (TIME_ZONE) dates, ``end`` included. Cases count in the period
they were received (受理 cohort), in ``node_code``'s subtree. Figures come from the cells
(``analytics.models.KpiCell``): whole months from month cells, the edge days from day
cells, so a year at the city root reads about 12 month rows and the edge days, never the
cases or facts. The one live figure is ``overdue_open`` (open cases of the cohort past
their deadline *now*): it is read from the cases table through its (org_code,
created_at) index, the only read of cases here.

Every row is a dict with ``key``, ``name`` (Chinese) and the ``KPI_FIELDS``: counts are
ints, rates fractions 0–1 (None when there is nothing to count), times seconds or
working days (floats, None when nothing was handled). The definitions behind each count
are ``analytics.facts``'; the ratios are:

- 响应率 ``response_rate`` = responded / received; 解决率 ``resolution_rate`` = resolved /
  accepted; 满意率 ``satisfaction_rate`` = satisfied / rated;
- ``score`` = 100 × Σ wᵢ·rateᵢ / Σ wᵢ over the 三率 that are not None (weights ``[kpi]``);
- ``closure_rate`` = closed / accepted; ``on_time_response_rate`` = responded on time /
  responded; ``on_time_resolution_rate`` = closed on time / closed; ``callback_rate`` =
  called back / closed; ``reopen_rate`` = reopened / accepted;
- ``avg_handling_seconds``/``avg_handling_workdays``: means over closed cases;
  ``p90_handling_seconds``: the upper edge of the histogram bin (``BIN_EDGES``) where the
  cumulative count of closed cases reaches 90 % (the open last bin: its lower edge);
- ``avg_report_in_seconds``: mean time from whistle to report-in.
"""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.aggregates import kpi_settings
from analytics.models.facts import BIN_EDGES, BINS, CELL_MEASURES, KpiCell, Period
from org.codes import subtree_q

KPI_FIELDS = (
    "received",
    "accepted",
    "rejected",
    "closed",
    "overdue_open",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "score",
    "closure_rate",
    "on_time_response_rate",
    "on_time_resolution_rate",
    "callback_rate",
    "reopen_rate",
    "avg_handling_seconds",
    "p90_handling_seconds",
    "avg_handling_workdays",
    "avg_report_in_seconds",
    "whistles",
    "extensions",
    "escalations",
)
THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
KPI_NAMES = {
    "received": _("收件量"),
    "accepted": _("受理量"),
    "rejected": _("不予受理"),
    "closed": _("办结量"),
    "overdue_open": _("本期受理现超期"),
    "response_rate": _("响应率"),
    "resolution_rate": _("解决率"),
    "satisfaction_rate": _("满意率"),
    "score": _("综合得分"),
    "closure_rate": _("办结率"),
    "on_time_response_rate": _("按时响应率"),
    "on_time_resolution_rate": _("按时办结率"),
    "callback_rate": _("回访率"),
    "reopen_rate": _("重办率"),
    "avg_handling_seconds": _("平均办理时长（秒）"),
    "p90_handling_seconds": _("90%办理时长（秒）"),
    "avg_handling_workdays": _("平均办理工作日"),
    "avg_report_in_seconds": _("平均报到时长（秒）"),
    "whistles": _("吹哨次数"),
    "extensions": _("延期次数"),
    "escalations": _("上报次数"),
}
GROUP_BYS = ("child", "category", "group", "channel", "tier", "unit", "worker", "day", "month")
GROUP_NAMES = {
    "child": _("下级"),
    "category": _("事项"),
    "group": _("事项大类"),
    "channel": _("渠道"),
    "tier": _("办理层级"),
    "unit": _("牵头部门"),
    "worker": _("网格员"),
    "day": _("日"),
    "month": _("月"),
}
DIMENSIONS = ("category", "group", "channel", "tier", "unit")
# The verb whose holders at a grid are its workers (the capability table decides which
# duties: grid_worker and grid_leader by default), never a role's name.
WORKER_VERB = "cases.handle"


class UnknownNode(LookupError):
    """No node has the code."""


def months_and_days(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """[start, end] as whole months (their first days) and the days outside them."""
    months, days = [], []
    day = start
    while day <= end:
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        if day == first and following - dt.timedelta(days=1) <= end:
            months.append(first)
            day = following
        else:
            days.append(day)
            day += dt.timedelta(days=1)
    return months, days


class Cells:
    """The cells of a period under some nodes and one dimension, read by ``_sums``.

    The period is one part per whole-months list and per run of edge days, each read by
    its own statement: one ``OR`` of the parts keeps SQLite's planner off the
    ``kpi_cell_read`` index (node, dim, period, start), which each part alone seeks.
    ``filter`` takes ``node_code``, ``node_code__in`` and ``dim`` (what kpis() needs)."""

    def __init__(self, parts: list[tuple[str, list]], nodes=(), dim: str = ""):
        self.parts, self.nodes, self.dim = parts, list(nodes), dim

    def filter(self, node_code=None, node_code__in=None, dim: str = "") -> "Cells":
        nodes = [node_code] if node_code is not None else list(node_code__in or [])
        return Cells(self.parts, nodes, dim)


def period_cells(start: dt.date, end: dt.date, by_day: bool = False) -> Cells:
    """The cells covering [start, end]: every day's with ``by_day``, else the whole
    months' month cells and the edge days' day cells."""
    between = '"start" BETWEEN %s AND %s'
    if by_day:
        return Cells([(f"\"period\" = '{Period.DAY}' AND {between}", [start, end])])
    months, days = months_and_days(start, end)
    parts = []
    if months:
        marks = ", ".join(["%s"] * len(months))
        parts.append((f'"period" = \'{Period.MONTH}\' AND "start" IN ({marks})', months))
    # The edge days are at most two runs: before the first whole month and after the last.
    runs: list[list[dt.date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    parts += [(f"\"period\" = '{Period.DAY}' AND {between}", [r[0], r[-1]]) for r in runs]
    return Cells(parts)


# Nodes per statement: well under SQLite's 32,766 parameters (a city has 30,000 grids).
NODES_PER_READ = 5000
_SUMS_SQL = ", ".join(f'SUM("{m}")' for m in CELL_MEASURES)


def _sums(cells: Cells, *group) -> list[dict]:
    """Summed measures (``s_<measure>``) over the cells, one dict per ``group`` value
    (``group``: cell columns, with their values in the dict); without a group one dict
    (measures 0 over no cells).

    Raw SQL: the statement is fixed text, and the ORM's building of 41 ``Sum``
    annotations per call cost more than the read itself (about 60 % of a call)."""
    totals: dict[tuple, dict] = {}
    if not group:
        totals[()] = {f"s_{m}": 0 for m in CELL_MEASURES}
    quoted = [f'"{g}"' for g in group]
    columns = "".join(f"{c}, " for c in quoted)
    grouping = f" GROUP BY {', '.join(quoted)}" if group else ""
    table = KpiCell._meta.db_table
    with connection.cursor() as cursor:
        for where, params in cells.parts:
            for index in range(0, len(cells.nodes), NODES_PER_READ):
                nodes = cells.nodes[index : index + NODES_PER_READ]
                cursor.execute(
                    f'SELECT {columns}{_SUMS_SQL} FROM "{table}" WHERE "node_code" IN '
                    f'({", ".join(["%s"] * len(nodes))}) AND "dim" = %s AND {where}{grouping}',
                    [*nodes, cells.dim, *params],
                )
                for row in cursor.fetchall():
                    key = tuple(
                        _as_date(v) if g == "start" else v
                        for g, v in zip(group, row[: len(group)], strict=True)
                    )
                    total = totals.get(key)
                    if total is None:
                        total = totals[key] = dict(zip(group, key, strict=True))
                        total.update((f"s_{m}", 0) for m in CELL_MEASURES)
                    for name, value in zip(CELL_MEASURES, row[len(group) :], strict=True):
                        total[f"s_{name}"] += int(value or 0)
    return list(totals.values())


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _strip(row: dict) -> dict[str, int]:
    return {m: int(row[f"s_{m}"] or 0) for m in CELL_MEASURES}


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for name, value in more.items():
        total[name] = total.get(name, 0) + value


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def p90(bins: list[int]) -> float | None:
    """The upper edge of the bin where the cumulative count reaches 90 % (seconds); the
    open last bin gives its lower edge. None with no count."""
    total = sum(bins)
    if not total:
        return None
    running = 0
    for index, count in enumerate(bins):
        running += count
        if running * 10 >= total * 9:
            return float(BIN_EDGES[min(index, len(BIN_EDGES) - 1)])
    return float(BIN_EDGES[-1])


def figures(sums: dict[str, int], weights=None) -> dict:
    """The KPI_FIELDS (except ``overdue_open``) from summed measures."""
    weights = weights or kpi_settings().weights
    s = defaultdict(int, sums)
    row = {
        "received": s["received"],
        "accepted": s["accepted"],
        "rejected": s["rejected"],
        "closed": s["closed"],
        "response_rate": _ratio(s["responded"], s["received"]),
        "resolution_rate": _ratio(s["resolved"], s["accepted"]),
        "satisfaction_rate": _ratio(s["satisfied"], s["rated"]),
        "closure_rate": _ratio(s["closed"], s["accepted"]),
        "on_time_response_rate": _ratio(s["responded_on_time"], s["responded_any"]),
        "on_time_resolution_rate": _ratio(s["resolved_on_time"], s["closed"]),
        "callback_rate": _ratio(s["called_back"], s["closed"]),
        "reopen_rate": _ratio(s["reopened"], s["accepted"]),
        "avg_handling_seconds": _ratio(s["handling_seconds"], s["handled"]),
        "p90_handling_seconds": p90([s[b] for b in BINS]),
        "avg_handling_workdays": _ratio(s["handling_workdays"], s["handled"]),
        "avg_report_in_seconds": _ratio(s["report_in_seconds"], s["report_ins"]),
        "whistles": s["whistles"],
        "extensions": s["extensions"],
        "escalations": s["escalations"],
    }
    weighted = [
        (getattr(weights, name), row[name]) for name in THREE_RATES if row[name] is not None
    ]
    total = sum(w for w, _rate in weighted)
    row["score"] = 100 * sum(w * r for w, r in weighted) / total if total else None
    return row


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return first, after


def _overdue(node_code: str, start: dt.date, end: dt.date, now, key=None) -> dict:
    """Open cases of the cohort past their deadline at ``now``, by ``key`` (a Case field,
    lookup or expression; None: the total under key None). Read through the
    ``case_status_org_due`` index: the open cases of the subtree, never the whole cohort."""
    from cases.models import OPEN_STATUSES, Case

    first, after = _window(start, end)
    cases = Case.objects.filter(
        subtree_q(node_code, "org_code"),
        created_at__gte=first,
        created_at__lt=after,
        status__in=OPEN_STATUSES,
        due_at__lt=now,
    )
    if key is None:
        return {None: cases.count()}
    grouped = cases.annotate(k=F(key) if isinstance(key, str) else key)
    return {row["k"]: row["n"] for row in grouped.values("k").annotate(n=Count("*")).order_by()}


def kpis(
    node_code: str,
    start: dt.date,
    end: dt.date,
    group_by: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[dict]:
    """The KPI rows of ``node_code``'s subtree for cases received from ``start`` to
    ``end`` (local dates, inclusive), one row or one per ``group_by`` value (see the
    module's docstring). Raises UnknownNode, or ValueError for a bad group_by or period."""
    from org.models import OrgNode

    if group_by is not None and group_by not in GROUP_BYS:
        raise ValueError(f"unknown group_by {group_by!r}")
    if end < start:
        raise ValueError("end before start")
    # Only what the rows need: a node's geometry (a city's outline) outweighs the rest.
    node = OrgNode.objects.filter(code=node_code).only("code", "name").first()
    if node is None:
        raise UnknownNode(node_code)
    now = now or timezone.now()
    weights = kpi_settings().weights
    cells = period_cells(start, end, by_day=group_by == "day")
    if group_by is None:
        sums = _sums(cells.filter(node_code=node_code, dim=""))
        row = figures(_strip(sums[0]) if sums else {}, weights)
        row["overdue_open"] = _overdue(node_code, start, end, now, None)[None]
        return [_row(node.code, node.name, row)]
    return GROUPERS[group_by](node, cells, start, end, now, weights)


def _row(key: str, name, figures_: dict) -> dict:
    return {"key": key, "name": str(name), **{f: figures_[f] for f in KPI_FIELDS}}


def _by_child(node, cells, start, end, now, weights):
    from org.models import OrgNode

    real = list(OrgNode.objects.filter(parent=node).only("code", "name").order_by("code"))
    children = real or [node]
    codes = [c.code for c in children]
    if real:
        codes.append(node.code)
    sums = {
        r["node_code"]: _strip(r)
        for r in _sums(cells.filter(node_code__in=codes, dim=""), "node_code")
    }
    # By the child's code (a prefix of the case's): grouped by org_code itself, SQLite
    # would walk the (org_code, created_at) index over the whole cohort for its order.
    overdue: dict[str, int] = {}
    for length in sorted({len(child.code) for child in children}):
        found = _overdue(node.code, start, end, now, Substr("org_code", 1, length))
        overdue.update((code, n) for code, n in found.items() if code)
    rows = []
    for child in children:
        row = figures(sums.get(child.code, {}), weights)
        row["overdue_open"] = overdue.get(child.code, 0)
        rows.append(_row(child.code, child.name, row))
    if real:
        here = _here(sums, [c.code for c in real], node.code)
        row = figures(here, weights)
        # A case at the node itself has a code shorter than the children's: its prefix
        # above is the node's own code.
        row["overdue_open"] = overdue.get(node.code, 0)
        if any(row[f] for f in KPI_FIELDS):
            rows.append(_row(node.code, HERE_NAME, row))
    return rows


# The row of group_by="child" for the cases at the node itself (in no child: e.g. an
# imported message without a place), so the rows add up to the node's total.
HERE_NAME = _("本级（未落到下级）")


def _here(sums: dict, children: list[str], code: str) -> dict[str, int]:
    """The node's subtree total less its children's: the measures of the cases at the
    node itself (every cell measure is a sum, so the difference is exact)."""
    here = dict(sums.get(code, {}))
    for child in children:
        for name, value in sums.get(child, {}).items():
            here[name] = here.get(name, 0) - value
    return here


def _by_dimension(dim: str):
    def group(node, cells, start, end, now, weights):
        sums = {
            r["value"]: _strip(r)
            for r in _sums(cells.filter(node_code=node.code, dim=dim), "value")
        }
        sums = {value: s for value, s in sums.items() if any(s.values())}
        overdue = _overdue(node.code, start, end, now, f"fact__{dim}")
        names = _dimension_names(dim, set(sums))
        rows = []
        for value, s in sums.items():
            row = figures(s, weights)
            row["overdue_open"] = overdue.get(value, 0)
            rows.append(_row(value, names.get(value) or value, row))
        rows.sort(key=lambda r: (-r["received"], r["key"]))
        return rows

    return group


NONE_NAMES = {
    "category": _("未分类"),
    "group": _("未分类"),
    "channel": _("未知渠道"),
    "tier": _("未定层级"),
    "unit": _("无牵头部门"),
}


def _dimension_names(dim: str, values: set[str]) -> dict[str, str]:
    from catalog.models import MatterCategory, Tier
    from org.models import Department

    if dim == "category":
        names = dict(MatterCategory.objects.filter(code__in=values).values_list("code", "name"))
    elif dim == "tier":
        names = dict(Tier.objects.filter(code__in=values).values_list("code", "name"))
    elif dim == "unit":
        names = dict(Department.objects.filter(code__in=values).values_list("code", "name"))
    elif dim == "channel":
        from cases.config import channel_names

        try:
            names = dict(channel_names())
        except Exception:  # noqa: BLE001 (no preset loaded: the codes stand)
            names = {}
    else:
        names = {v: v for v in values}
    names[""] = str(NONE_NAMES[dim])
    return {value: str(name) for value, name in names.items()}


def _by_day(node, cells, start, end, now, weights):
    sums = {
        r["start"]: _strip(r) for r in _sums(cells.filter(node_code=node.code, dim=""), "start")
    }
    overdue = _overdue(node.code, start, end, now, "fact__day")
    rows, day = [], start
    while day <= end:
        row = figures(sums.get(day, {}), weights)
        row["overdue_open"] = overdue.get(day, 0)
        rows.append(_row(day.isoformat(), f"{day.year}年{day.month}月{day.day}日", row))
        day += dt.timedelta(days=1)
    return rows


def _by_month(node, cells, start, end, now, weights):
    totals: dict[dt.date, dict[str, int]] = {}
    for r in _sums(cells.filter(node_code=node.code, dim=""), "start"):
        _add(totals.setdefault(r["start"].replace(day=1), {}), _strip(r))
    overdue = _overdue(node.code, start, end, now, "fact__month")
    rows, month = [], start.replace(day=1)
    while month <= end:
        row = figures(totals.get(month, {}), weights)
        row["overdue_open"] = overdue.get(month, 0)
        rows.append(_row(f"{month:%Y-%m}", f"{month.year}年{month.month}月", row))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


def workers(node) -> dict[str, tuple[str, list[str]]]:
    """The grid workers in ``node``'s subtree: username → (display name, codes of their
    grids; the username only when the person has no name).
    A grid's workers are the people seated at it whose duty holds ``WORKER_VERB``."""
    from org.models import RoleAssignment
    from org.models.tree import LevelKind
    from org.permissions import duties_with

    seats = (
        RoleAssignment.objects.filter(
            subtree_q(node.code, "node__code"),
            node__level__kind=LevelKind.GRID,
            department__isnull=True,
            role__duty__in=duties_with(WORKER_VERB),
        )
        .select_related("user", "node")
        .order_by("user__username", "node__code")
    )
    found: dict[str, tuple[str, list[str]]] = {}
    for seat in seats:
        user = seat.user
        name = user.display_name or user.get_full_name() or user.username
        found.setdefault(seat.user.username, (name, []))[1].append(seat.node.code)
    return found


def _by_worker(node, cells, start, end, now, weights):
    """One row per grid worker holding their grids' figures (a grid worker is assessed on
    the grid): the workers of one grid share its figures, so the rows do not add up.
    The name says so: 「姓名（网格名）」."""
    from cases.models import Case
    from org.models import OrgNode

    people = workers(node)
    grids = sorted({code for _name, codes in people.values() for code in codes})
    sums = {
        r["node_code"]: _strip(r)
        for r in _sums(cells.filter(node_code__in=grids, dim=""), "node_code")
    }
    grid_names = dict(OrgNode.objects.filter(code__in=grids).values_list("code", "name"))
    # Each overdue case once per worker with a grid that is a prefix of its org_code:
    # through the grids' codes, not every worker against every org_code (at a city's
    # root, 30,000 workers × thousands of codes took minutes).
    seated: dict[str, set[str]] = defaultdict(set)
    for username, (_name, codes) in people.items():
        for code in codes:
            seated[code].add(username)
    overdue_of: dict[str, int] = defaultdict(int)
    # Grouped by the whole code as an expression: by the bare column SQLite walks the
    # (org_code, created_at) index over the whole cohort for its order.
    whole_code = Substr("org_code", 1, Case._meta.get_field("org_code").max_length)
    for org_code, n in _overdue(node.code, start, end, now, whole_code).items():
        found = set()
        for length in range(1, len(org_code) + 1):
            found |= seated.get(org_code[:length], set())
        for username in found:
            overdue_of[username] += n
    rows = []
    for username, (name, codes) in people.items():
        total: dict[str, int] = {}
        for code in set(codes):
            _add(total, sums.get(code, {}))
        row = figures(total, weights)
        row["overdue_open"] = overdue_of[username]
        places = "、".join(grid_names.get(code, code) for code in sorted(set(codes)))
        rows.append(_row(username, f"{name}（{places}）", row))
    return rows


GROUPERS = {
    "child": _by_child,
    "day": _by_day,
    "month": _by_month,
    "worker": _by_worker,
    **{dim: _by_dimension(dim) for dim in DIMENSIONS},
}
