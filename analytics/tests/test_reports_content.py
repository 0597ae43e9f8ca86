"""A report's content and sentences against hand-computed figures, and its workbook: the
KPI rows are given by hand (``kpis()`` replaced for the test), so every number in the
expected sentences is worked out here, not read back from the code under test."""

import datetime as dt
import io
import re
import zipfile
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from analytics import kpis as kpi_module
from analytics.kpis import KPI_FIELDS, KPI_NAMES
from analytics.reports import build_content, sentences
from analytics.rhythm import Period
from analytics.workbook import workbook_bytes

OCTOBER = Period(dt.date(2026, 10, 1), 1)
SEPTEMBER = OCTOBER.previous()


def row(key, name, **figures):
    """A kpis() row: every KPI field empty unless given."""
    return {"key": key, "name": name, **dict.fromkeys(KPI_FIELDS), **figures}


CURRENT = row(
    "360803",
    "吉州区",
    received=120,
    accepted=110,
    rejected=10,
    closed=100,
    overdue_open=4,
    response_rate=0.95,
    resolution_rate=0.9,
    satisfaction_rate=0.925,
    score=92.1,
    closure_rate=100 / 110,
    avg_handling_workdays=4.5,
)
PRIOR = row("360803", "吉州区", received=100, closure_rate=0.85, satisfaction_rate=0.94)
CHILDREN = [
    row("360803001", "甲镇", received=70, overdue_open=3, score=95.0, avg_handling_workdays=3.2),
    row("360803002", "乙镇", received=50, overdue_open=1, score=88.5, avg_handling_workdays=5.5),
]
GROUPS = [
    row("env", "市容环境", received=60, overdue_open=2),
    row("road", "道路交通", received=40, overdue_open=1),
    row("other", "其他", received=20, overdue_open=1),
]
UNITS = [
    row("cg", "城管局", received=30, avg_handling_workdays=6.4),
    row("sw", "水务局", received=10, avg_handling_workdays=2.0),
]
CHANNELS = [row("hotline_12345", "12345热线", received=80), row("grid", "网格上报", received=40)]
TREND = [row(f"2026-10-{d:02d}", f"10月{d}日", received=4, closed=3) for d in range(1, 32)]


@pytest.fixture
def figures(monkeypatch):
    """kpis() answering the rows above: the period asked decides current or prior."""
    asked = []

    def fake(code, start, end, group_by=None):
        asked.append((code, start, end, group_by))
        if group_by is None:
            return [CURRENT if start == OCTOBER.start else PRIOR]
        return {
            "child": CHILDREN,
            "group": GROUPS,
            "channel": CHANNELS,
            "unit": UNITS,
            "day": TREND,
        }[group_by]

    monkeypatch.setattr(kpi_module, "kpis", fake)
    return asked


def charts(data: bytes) -> set[tuple[str, str]]:
    """(chart type, sheet its data comes from) of each chart part of an xlsx file."""
    found = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
                xml = archive.read(name).decode()
                kind = re.search(r"<(?:c:)?(barChart|pieChart|lineChart)>", xml).group(1)
                sheets = set(re.findall(r"<(?:c:)?f>'?([^'!<]+)'?!", xml))
                assert len(sheets) == 1, sheets
                found.add((kind, sheets.pop()))
    return found


def node(children=True):
    return SimpleNamespace(
        code="360803",
        name="吉州区",
        level=SimpleNamespace(name="区(总网格)"),
        children=SimpleNamespace(exists=lambda: children),
    )


RHYTHM = SimpleNamespace(key="dispatch", name="调度")


def test_the_sentences_say_the_hand_computed_figures(figures):
    content = build_content(node(), RHYTHM, OCTOBER, {"closure_rate_percent": 99, "towns": 10})
    closure = KPI_NAMES["closure_rate"]
    assert content["sentences"] == [
        "本月接收诉求 120 件，受理 110 件，办结 100 件，办结率 90.9%，满意率 92.5%。",
        "三率：响应率 95.0%，解决率 90.0%，满意率 92.5%，综合得分 92.1 分。",
        # 120 vs 100: +20 (+20.0%); 90.9% − 85.0% = 5.9 points; 92.5% − 94.0% = −1.5.
        "较上月，接收量增加 20 件（+20.0%），办结率上升 5.9 个百分点，满意率下降 1.5 个百分点。",
        "超期未办 4 件，主要集中在甲镇（3 件）、市容环境（2 件），请督促办理。",
        "诉求最多的类别是市容环境（60 件，占 50.0%）。",
        "下级中综合得分最高的是甲镇（95 分），最低的是乙镇（88.5 分）。",
        "平均办理用时最长的是乙镇（5.5 个工作日）。",
        "承办部门中平均办理用时最长的是城管局（6.4 个工作日）。",
        # 99 − 90.9 = 8.1
        f"{closure}目标 99%，实际 90.9%，未达标（差 8.1 个百分点）。",
    ]
    # Only the target naming a KPI is set against an actual (towns = 10 is not a KPI).
    assert [t["key"] for t in content["targets"]] == ["closure_rate_percent"]
    assert (content["best"]["name"], content["slowest"]["name"]) == ("甲镇", "乙镇")
    # The period and the one before, then the breakdowns of the period; a month's trend by day.
    assert {(start, group_by) for _, start, _, group_by in figures} == {
        (OCTOBER.start, None),
        (SEPTEMBER.start, None),
        *((OCTOBER.start, g) for g in ("child", "group", "channel", "unit", "day")),
    }
    assert all(
        end == dt.date(2026, 10, 31) for _, start, end, _ in figures if start == OCTOBER.start
    )


def test_a_quiet_period_says_so_and_compares_nothing():
    content = {
        "period": {"noun": "本季度", "previous_noun": "上季度"},
        "current": row("1", "某街道", received=0),
        "prior": row("1", "某街道", received=0),
        "children": [],
        "groups": [],
        "units": [],
        "best": None,
        "slowest": None,
        "targets": [],
    }
    assert sentences(content) == ["本季度未接收诉求。", "上季度无诉求，暂无环比。"]


def test_a_met_target_and_a_fall_in_cases_read_right(figures, monkeypatch):
    monkeypatch.setattr(
        kpi_module,
        "kpis",
        lambda code, start, end, group_by=None: (
            [row("1", "x", received=90, closed=90, closure_rate=1.0)]
            if group_by is None and start == OCTOBER.start
            else [row("1", "x", received=100, closure_rate=1.0)]
            if group_by is None
            else []
        ),
    )
    content = build_content(node(children=False), RHYTHM, OCTOBER, {"closure_rate_percent": 99})
    said = content["sentences"]
    assert said[0] == "本月接收诉求 90 件，受理 0 件，办结 90 件，办结率 100.0%，暂无满意度评价。"
    assert said[1] == "三率：响应率 暂无，解决率 暂无，满意率 暂无。"
    assert "较上月，接收量减少 10 件（-10.0%），办结率持平。" in said
    assert said[-1].endswith("实际 100%，已达标。")
    assert content["children"] == [] and "无超期未办件。" in said


def test_the_workbook_opens_with_its_sheets_charts_typed_cells_and_sentences(figures):
    content = build_content(node(), RHYTHM, OCTOBER, {"closure_rate_percent": 99})
    data = workbook_bytes(content)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["概况", "下级", "类别", "渠道", "承办部门", "趋势"]
    overview = book["概况"]
    assert overview["A1"].value == "吉州区2026年10月调度报告"
    texts = [c.value for c in overview["A"] if isinstance(c.value, str)]
    for line in content["sentences"]:
        assert line in texts
    # The headline table: counts as integers, rates as fractions shown as percent.
    cells = {
        r[0].value: r for r in overview.iter_rows(min_col=1, max_col=4) if r[0].value is not None
    }
    received = cells[KPI_NAMES["received"]]
    assert (received[1].value, received[2].value, received[3].value) == (120, 100, 20)
    rate = cells[KPI_NAMES["satisfaction_rate"]]
    assert rate[1].value == pytest.approx(0.925) and rate[1].number_format == "0.0%"
    # Codes stay text; the children's figures are numbers.
    children = book["下级"]
    assert children["A2"].value == "360803001" and children["A2"].data_type == "s"
    assert children["C2"].value == 70
    # Native charts, bound to the sheets' cells (openpyxl does not read charts back: the
    # file's chart parts are read as XML).
    assert charts(data) == {
        ("barChart", "概况"),
        ("barChart", "下级"),
        ("pieChart", "类别"),
        ("pieChart", "渠道"),
        ("barChart", "承办部门"),
        ("lineChart", "趋势"),
    }
    trend = book["趋势"]
    assert trend.max_row == 32 and trend["B2"].value == 4
