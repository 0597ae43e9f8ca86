"""What a node's dashboard shows, as one JSON-ready dict (the page embeds it, its JSON
endpoint and the 大屏 fetch it again): the 三率 and composite score, headline KPIs,
the charts' series, the children coloured by a chosen KPI, the live supervision lists and
the figures other apps offer (``gridgov.figures``).

Every figure comes from ``analytics.kpis.kpis()``; only the supervision lists read cases
(open cases yellow or red now, supervised cases), through ``restrict(…, "analytics.view")``.
The caller has checked ``has(user, "analytics.view", node.code)``.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.kpis import KPI_NAMES, THREE_RATES, kpis
from cases.models import OPEN_STATUSES, Case, Light, light_q
from gridgov.figures import WHEN_LABEL, figures, watch_lists
from org.codes import subtree_q
from org.models import OrgNode
from org.permissions import restrict

# The KPIs a leader may colour the map and sort the children by, and which way is good:
# +1 higher is better, -1 lower is better, 0 neither (a volume).
CHOICES = {
    "score": +1,
    "response_rate": +1,
    "resolution_rate": +1,
    "satisfaction_rate": +1,
    "closure_rate": +1,
    "on_time_resolution_rate": +1,
    "received": 0,
    "overdue_open": -1,
    "avg_handling_workdays": -1,
}
DEFAULT_KPI = "score"
# The live count of every overdue open case in the subtree (the red list's number), shown
# beside overdue_open (which counts only the period's cohort).
OVERDUE_NOW = "overdue_now"
OVERDUE_NOW_LABEL = "当前超期（全部）"
# The headline cards after the 三率, in order (OVERDUE_NOW goes right after overdue_open).
HEADLINE = (
    "received",
    "accepted",
    "closed",
    "closure_rate",
    "overdue_open",
    "avg_handling_workdays",
    "on_time_resolution_rate",
    "callback_rate",
    "whistles",
)
RATES = {
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "closure_rate",
    "on_time_response_rate",
    "on_time_resolution_rate",
    "callback_rate",
    "reopen_rate",
}
# Five steps from bad to good (red → green), and a blue ramp for volumes.
GOOD_RAMP = ("#c62828", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32")
VOLUME_RAMP = ("#e3f2fd", "#90caf9", "#42a5f5", "#1e88e5", "#0d47a1")
NO_DATA = "#cfd8dc"
SLOWEST = 10  # units in the slowest-units chart
# The series the charts draw (their names come with the data, from KPI_NAMES).
CHART_FIELDS = ("received", "closed", "satisfaction_rate", "avg_handling_workdays")
WATCH_ROWS = 8  # rows per supervision list


def label(field: str) -> str:
    return str(KPI_NAMES[field])


def display(field: str, value) -> str:
    """A KPI as a page shows it: rates in per cent with one decimal, the score with one
    decimal, working days with one, counts as integers; "—" when there is nothing to count."""
    if value is None:
        return "—"
    if field in RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def card(row: dict, field: str) -> dict:
    return {
        "field": field,
        "label": label(field),
        "value": row.get(field),
        "display": display(field, row.get(field)),
    }


def _edge(field: str, value: float) -> str:
    return f"{value * 100:.0f}%" if field in RATES else f"{value:.3g}"


def colour_scale(field: str, values: list, direction: int) -> tuple[list[str], list[dict]]:
    """A colour for each value and the legend: five equal steps between the smallest and
    largest value, red (bad) to green (good) by ``direction``, blues for a volume; the
    middle step when all values are alike; grey for None.
    ``([colour per value], [{"colour", "label"}])``."""
    known = [v for v in values if v is not None]
    ramp = VOLUME_RAMP if direction == 0 else GOOD_RAMP
    if direction < 0:
        ramp = tuple(reversed(ramp))
    if not known:
        return [NO_DATA] * len(values), []
    low, high = min(known), max(known)
    width = (high - low) / len(ramp)

    def step(value):
        # All alike: the middle colour (nothing is better or worse than the rest).
        return min(int((value - low) / width), len(ramp) - 1) if width else len(ramp) // 2

    colours = [NO_DATA if v is None else ramp[step(v)] for v in values]
    legend = [{"colour": ramp[step(low)], "label": _edge(field, low)}]
    if width:
        legend = [
            {
                "colour": ramp[i],
                "label": f"{_edge(field, low + i * width)}–{_edge(field, low + (i + 1) * width)}",
            }
            for i in range(len(ramp))
        ]
    return colours, legend


def _series(rows: list[dict], *fields: str) -> dict:
    return {
        "keys": [row["key"] for row in rows],
        "names": [row["name"] for row in rows],
        **{field: [row.get(field) for row in rows] for field in fields},
    }


def charts(code: str, period) -> dict:
    """The charts' series: trend (day or month), by catalogue group, channel and tier
    (received and satisfaction), and the slowest units by average working days."""
    trend = kpis(code, period.start, period.end, group_by=period.trend_by)
    by = {g: kpis(code, period.start, period.end, group_by=g) for g in ("group", "channel", "tier")}
    # 「无牵头部门」 (key "") is no unit: left out of the slowest units (tables keep it).
    units = [
        row
        for row in kpis(code, period.start, period.end, group_by="unit")
        if row.get("avg_handling_workdays") is not None and row["key"]
    ]
    units.sort(key=lambda row: row["avg_handling_workdays"], reverse=True)
    return {
        "trend": _series(trend, "received", "closed", *THREE_RATES),
        **{
            g: _series(
                sorted(rows, key=lambda r: r["received"], reverse=True),
                "received",
                "satisfaction_rate",
            )
            for g, rows in by.items()
        },
        "slowest": _series(units[:SLOWEST], "avg_handling_workdays", "received"),
    }


def children(node: OrgNode, period, kpi: str, query: str) -> list[dict]:
    """The node's children (a grid: none) with their KPIs, sorted by ``kpi`` (best first;
    no value last), each coloured by it."""
    if node.is_grid:
        return []
    rows = kpis(node.code, period.start, period.end, group_by="child")
    direction = CHOICES[kpi]
    rows.sort(key=lambda row: (row.get(kpi) is None, -(row.get(kpi) or 0) * (direction or 1)))
    colours, _legend = colour_scale(kpi, [row.get(kpi) for row in rows], direction)
    return [
        {
            "code": row["key"],
            "name": row["name"],
            # The cases at the node itself (kpis' 「本级（未落到下级）」 row): no area, no link.
            "here": row["key"] == node.code,
            "value": row.get(kpi),
            "display": display(kpi, row.get(kpi)),
            "colour": colour,
            "url": ""
            if row["key"] == node.code
            else reverse("analytics:dashboard", args=[row["key"]]) + query,
            "cells": [
                card(row, field) for field in ("score", *THREE_RATES, "received", "overdue_open")
            ],
        }
        for row, colour in zip(rows, colours, strict=True)
    ]


def supervision(user, code: str) -> list[dict]:
    """Open cases red and yellow now and supervised open cases in the subtree, most urgent
    first, then the apps' watch lists (``gridgov.figures``): ``[{"key", "label", "count",
    "rows": [{"title", "number", "url", "when", "when_label", "tone"}]}]``; ``when_label``
    says what ``when`` is (the cases': 时限, their deadline).
    Cases are read here (not from the aggregates) because a light is live."""
    now = timezone.now()
    cases = restrict(Case.objects.all(), user, "analytics.view").filter(subtree_q(code, "org_code"))
    lists = [
        ("red", _("红灯（已超期）"), cases.filter(light_q(Light.RED, now)), "red"),
        ("yellow", _("黄灯（即将到期）"), cases.filter(light_q(Light.YELLOW, now)), "yellow"),
        ("supervised", _("督办件"), cases.filter(is_supervised=True, status__in=OPEN_STATUSES), ""),
    ]
    found = []
    for key, title, queryset, tone in lists:
        if key != "supervised":
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        rows = queryset.order_by("due_at", "pk").values("pk", "number", "title", "due_at")[
            :WATCH_ROWS
        ]
        found.append(
            {
                "key": key,
                "label": title,
                "count": queryset.count(),
                "rows": [
                    {
                        "title": row["title"],
                        "number": row["number"],
                        "url": reverse("cases:detail", args=[row["pk"]]),
                        "when": timezone.localtime(row["due_at"]).strftime("%m-%d %H:%M")
                        if row["due_at"]
                        else "",
                        "when_label": str(WHEN_LABEL),
                        "tone": tone,
                    }
                    for row in rows
                ],
            }
        )
    # Warnings, SOS… from the apps that have them (none yet: the lists appear when they land).
    for item in watch_lists(code, WATCH_ROWS):
        found.append(
            {
                "key": item["key"],
                "label": item["label"],
                "count": len(item["rows"]),
                "rows": [
                    {
                        **row,
                        "when": timezone.localtime(row["when"]).strftime("%m-%d %H:%M")
                        if row.get("when")
                        else "",
                    }
                    for row in item["rows"]
                ],
            }
        )
    return found


def headline(head: dict, watch: list[dict]) -> list[dict]:
    """The headline cards, with the live overdue count (the red list's) after overdue_open."""
    cards = []
    red = next((item["count"] for item in watch if item["key"] == "red"), 0)
    for field in HEADLINE:
        cards.append(card(head, field))
        if field == "overdue_open":
            live = {"field": OVERDUE_NOW, "label": OVERDUE_NOW_LABEL, "value": red}
            cards.append({**live, "display": str(red)})
    return cards


def payload(user, node: OrgNode, period, kpi: str) -> dict:
    """Everything the dashboard of ``node`` shows for ``period``, coloured by ``kpi``."""
    query = "?" + urlencode({**period.query(), "kpi": kpi})
    head = kpis(node.code, period.start, period.end)[0]
    rows = children(node, period, kpi, query)
    _colours, legend = colour_scale(kpi, [row["value"] for row in rows], CHOICES[kpi])
    own, own_legend = colour_scale(kpi, [head.get(kpi)], CHOICES[kpi])
    watch = supervision(user, node.code)
    return {
        "query": query,
        "node": {
            "code": node.code,
            "name": node.name,
            "is_grid": node.is_grid,
            "url": reverse("analytics:dashboard", args=[node.code]) + query,
            "screen_url": reverse("analytics:screen", args=[node.code]) + query,
        },
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "preset": period.preset,
            "label": period.label,
        },
        "kpi": {"field": kpi, "label": label(kpi), "direction": CHOICES[kpi]},
        "three": [card(head, field) for field in (*THREE_RATES, "score")],
        "headline": headline(head, watch),
        "charts": charts(node.code, period),
        "labels": {field: label(field) for field in CHART_FIELDS},
        "children": rows,
        # A grid's own area (nothing compared): the neutral middle colour.
        "own_colour": own[0],
        "legend": legend if rows else own_legend,
        "supervision": watch,
        "figures": figures(node.code),
        "updated": timezone.localtime().strftime("%H:%M:%S"),
    }
