"""What a periodic report holds, and the sentences it says.

``build_content(node, rhythm, period, preset)`` asks ``analytics.kpis.kpis()`` (the only
source of figures; no case is read here) for the period and the one before it, the
children, the catalogue groups, the channels, the units and the trend, sets the preset's
``[targets]`` that name a KPI against the actuals, and writes the sentences. It returns a
plain JSON-able dict, frozen into ``Report.content``::

    {"version": 1, "rhythm": "dispatch", "rhythm_name": "调度",
     "node": {"code", "name", "level"},
     "period": {"key", "label", "start", "end", "months", "noun"},   # ISO dates, end inclusive
     "previous": {"key", "label", "start", "end"},
     "fields": [[field, 中文名], …],            # the headline KPIs, in order
     "current": {kpi row}, "prior": {kpi row},  # kpis(group_by=None)[0]
     "children": [rows], "groups": [rows], "channels": [rows], "units": [rows],
     "trend": [rows], "trend_by": "day" | "month",
     "best": {"key", "name", "value"} | None,     # the child with the highest score
     "slowest": {"key", "name", "value"} | None,  # the child with the longest handling (workdays)
     "targets": [{"key", "field", "name", "target", "actual", "met"}],  # percent figures
     "sentences": ["本月接收诉求 N 件…", …]}

A KPI row is the contract's: ``key``, ``name`` and ``KPI_FIELDS`` (rates as fractions 0–1
or None, times in seconds or working days).
"""

from analytics.rhythm import Period

CONTENT_VERSION = 1

# The KPIs a report shows first, in this order.
HEADLINE = (
    "received",
    "accepted",
    "closed",
    "overdue_open",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "score",
    "closure_rate",
    "on_time_resolution_rate",
    "avg_handling_workdays",
    "whistles",
    "extensions",
    "escalations",
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

# [targets] keys that name a KPI, with the KPI they are set against; figures in percent.
# 吉州: 「辦結率均達99%」 (closure_rate_percent = 99); 福州: 「“12345”熱線滿意率達99.68%」.
# Any other ``<rate field>_percent`` key matches its field too.
TARGET_KPIS = {
    "closure_rate_percent": "closure_rate",
    "hotline_12345_satisfaction": "satisfaction_rate",
}


def _row(rows: list[dict]) -> dict:
    return rows[0] if rows else {}


def build_content(node, rhythm, period: Period, targets: dict | None = None) -> dict:
    """The report of ``rhythm`` (a preset ``Rhythm``: key, name) on ``node`` (an
    ``org.OrgNode`` with its level) for ``period``; ``targets`` is the preset's
    ``[targets]``. Calls ``kpis()`` seven or eight times; reads no case."""
    from analytics.kpis import KPI_NAMES, kpis  # analytics.kpis is the kpi part's: loaded late

    code, start, end = node.code, period.start, period.end
    previous = period.previous()
    current = _row(kpis(code, start, end))
    prior = _row(kpis(code, previous.start, previous.end))
    has_children = node.children.exists()
    children = kpis(code, start, end, group_by="child") if has_children else []
    trend_by = "day" if period.months == 1 else "month"
    content = {
        "version": CONTENT_VERSION,
        "rhythm": rhythm.key,
        "rhythm_name": rhythm.name,
        "node": {"code": code, "name": node.name, "level": node.level.name},
        "period": {
            "key": period.key,
            "label": period.label,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "months": period.months,
            "noun": period.noun,
            "previous_noun": period.previous_noun,
        },
        "previous": {
            "key": previous.key,
            "label": previous.label,
            "start": previous.start.isoformat(),
            "end": previous.end.isoformat(),
        },
        "fields": [[field, str(KPI_NAMES[field])] for field in HEADLINE],
        "current": current,
        "prior": prior,
        "children": children,
        "groups": kpis(code, start, end, group_by="group"),
        "channels": kpis(code, start, end, group_by="channel"),
        "units": kpis(code, start, end, group_by="unit"),
        "trend": kpis(code, start, end, group_by=trend_by),
        "trend_by": trend_by,
        # The children's ranking leaves out kpis' 「本级（未落到下级）」 row (key = the node's
        # code): it is no child; the table keeps it so the rows add up.
        "best": _extreme(_real(children, code), "score", highest=True),
        "slowest": _extreme(_real(children, code), "avg_handling_workdays", highest=True),
        "targets": match_targets(targets or {}, current),
    }
    content["sentences"] = sentences(content)
    return content


def _real(children: list[dict], code: str) -> list[dict]:
    return [row for row in children if row["key"] != code]


def _extreme(rows, field: str, *, highest: bool) -> dict | None:
    """The row with the highest (or lowest) ``field`` among those that have it; ties go
    to the first in the kpis() order (by key)."""
    rows = [row for row in rows if row.get(field) is not None]
    if len(rows) < 2:  # a best of one is no ranking
        return None
    pick = (max if highest else min)(rows, key=lambda row: row[field])
    return {"key": pick["key"], "name": pick["name"], "value": pick[field]}


def match_targets(targets: dict, current: dict) -> list[dict]:
    """The targets that name a KPI, with the period's actual in percent (one decimal) and
    whether it is met (actual ≥ target); a target without an actual has ``met`` None."""
    from analytics.kpis import KPI_NAMES

    matched = []
    for key, target in targets.items():
        field = TARGET_KPIS.get(key)
        if field is None and key.endswith("_percent") and key[: -len("_percent")] in RATES:
            field = key[: -len("_percent")]
        if field is None or not isinstance(target, int | float):
            continue
        value = current.get(field)
        actual = None if value is None else round(value * 100, 1)
        matched.append(
            {
                "key": key,
                "field": field,
                "name": str(KPI_NAMES[field]),
                "target": target,
                "actual": actual,
                "met": None if actual is None else actual >= target,
            }
        )
    return matched


# -- the sentences ----------------------------------------------------------------------


def percent(value) -> str:
    """0.953 -> '95.3%'; None -> '—'."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _rate(value) -> str:
    """A rate in a sentence: 95.3%, or 暂无 when there was nothing to count."""
    return "暂无" if value is None else percent(value)


def number(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else str(round(value))


def _points(now, before) -> str:
    """The change of a rate in percentage points: 上升 2.3 个百分点 / 下降… / 持平."""
    delta = round((now - before) * 100, 1)
    if delta > 0:
        return f"上升 {number(delta)} 个百分点"
    if delta < 0:
        return f"下降 {number(-delta)} 个百分点"
    return "持平"


def sentences(content: dict) -> list[str]:
    """The report's sentences in Chinese, written from its figures only (``content`` as
    ``build_content`` returns it, before ``sentences`` is set)."""
    period, now, before = content["period"], content["current"], content["prior"]
    noun, previous_noun = period["noun"], period["previous_noun"]
    received = now.get("received") or 0
    said = []
    if not received:
        said.append(f"{noun}未接收诉求。")
    else:
        satisfaction = now.get("satisfaction_rate")
        rated = "暂无满意度评价" if satisfaction is None else f"满意率 {percent(satisfaction)}"
        said.append(
            f"{noun}接收诉求 {received} 件，受理 {now.get('accepted') or 0} 件，"
            f"办结 {now.get('closed') or 0} 件，办结率 {_rate(now.get('closure_rate'))}，"
            f"{rated}。"
        )
        score = now.get("score")
        said.append(
            f"三率：响应率 {_rate(now.get('response_rate'))}，"
            f"解决率 {_rate(now.get('resolution_rate'))}，"
            f"满意率 {_rate(satisfaction)}"
            + (f"，综合得分 {number(score)} 分。" if score is not None else "。")
        )
    said.append(_change(now, before, previous_noun))
    said.append(_overdue(content))
    top = max(content["groups"], key=lambda row: row.get("received") or 0, default=None)
    if received and top and top.get("received"):
        share = top["received"] / received
        said.append(f"诉求最多的类别是{top['name']}（{top['received']} 件，占 {percent(share)}）。")
    best, slowest = content["best"], content["slowest"]
    if best:
        worst = _lowest(_real(content["children"], content["node"]["code"]), "score")
        line = f"下级中综合得分最高的是{best['name']}（{number(best['value'])} 分）"
        if worst and worst["key"] != best["key"]:
            line += f"，最低的是{worst['name']}（{number(worst['value'])} 分）"
        said.append(line + "。")
    if slowest:
        said.append(
            f"平均办理用时最长的是{slowest['name']}（{number(slowest['value'])} 个工作日）。"
        )
    # 「无牵头部门」 (key "") is no unit to name as the slowest; the tables keep it.
    units = [row for row in content["units"] if row.get("key")]
    unit = _extreme(units, "avg_handling_workdays", highest=True)
    if unit:
        said.append(
            f"承办部门中平均办理用时最长的是{unit['name']}（{number(unit['value'])} 个工作日）。"
        )
    for target in content["targets"]:
        said.append(_target(target))
    return [line for line in said if line]


def _lowest(rows, field):
    return _extreme(rows, field, highest=False)


def _change(now: dict, before: dict, previous_noun: str) -> str:
    """较上月…: the count's change and the rates' change in points."""
    was = before.get("received") or 0
    if not was:
        return f"{previous_noun}无诉求，暂无环比。"
    received = now.get("received") or 0
    delta = received - was
    if delta:
        verb = "增加" if delta > 0 else "减少"
        sign = "+" if delta > 0 else "-"
        parts = [f"接收量{verb} {abs(delta)} 件（{sign}{percent(abs(delta) / was)}）"]
    else:
        parts = ["接收量持平"]
    for field, name in (("closure_rate", "办结率"), ("satisfaction_rate", "满意率")):
        if now.get(field) is not None and before.get(field) is not None:
            parts.append(f"{name}{_points(now[field], before[field])}")
    return f"较{previous_noun}，" + "，".join(parts) + "。"


def _overdue(content: dict) -> str:
    """超期未办 K 件，主要集中在…: the child and the group with the most overdue open cases."""
    overdue = content["current"].get("overdue_open") or 0
    if not overdue:
        return "无超期未办件。" if content["current"].get("received") else ""
    where = []
    for rows in (content["children"], content["groups"]):
        top = max(rows, key=lambda row: row.get("overdue_open") or 0, default=None)
        if top and top.get("overdue_open"):
            where.append(f"{top['name']}（{top['overdue_open']} 件）")
    tail = f"，主要集中在{'、'.join(where)}" if where else ""
    return f"超期未办 {overdue} 件{tail}，请督促办理。"


def _target(target: dict) -> str:
    head = f"{target['name']}目标 {number(target['target'])}%"
    if target["actual"] is None:
        return f"{head}，本期无可计算的实际值。"
    gap = round(target["target"] - target["actual"], 1)
    verdict = "已达标" if target["met"] else f"未达标（差 {number(gap)} 个百分点）"
    return f"{head}，实际 {number(target['actual'])}%，{verdict}。"
