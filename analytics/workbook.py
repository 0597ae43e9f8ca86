"""A report as an Excel workbook (openpyxl), with native charts bound to its cells.

``workbook_bytes(content) -> bytes`` draws ``Report.content`` (``analytics.reports``) as:

- 概况: the title, the sentences, the headline KPIs this period / last period / change, and
  the targets against actuals; a bar chart of the 三率 this period and last;
- 下级 (when the node has children), 类别, 渠道, 承办部门: one row per key with the headline
  KPIs; a bar chart of received and closed per child, a pie of received per group and per
  channel, a bar chart of the units' average handling working days;
- 趋势: received and closed per day (a month) or per month, with a line chart.

Cells are typed: counts are integers, rates are fractions with a percent format, times
are numbers with their unit in the header; a missing figure is an empty cell, not "—".
"""

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics.reports import RATES

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
PERCENT = "0.0%"
DECIMAL = "0.0"
TABLE_FIELDS = (
    "received",
    "closed",
    "overdue_open",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "score",
    "closure_rate",
    "avg_handling_workdays",
)


def _format(field: str) -> str:
    if field in RATES:
        return PERCENT
    if field == "score" or field.startswith("avg_") or field.startswith("p90_"):
        return DECIMAL
    return "0"


def _header(sheet, row: int, titles) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=column, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _value(cell, field: str, value) -> None:
    cell.value = value
    if value is not None:
        cell.number_format = _format(field)


def _widths(sheet, widths) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _names(content) -> dict[str, str]:
    return dict(content["fields"])


def workbook(content: dict) -> Workbook:
    book = Workbook()
    _overview(book.active, content)
    names = _names(content)
    if content["children"]:
        sheet = _table(book, "下级", "下级单位", content["children"], names)
        _bar(sheet, content["children"], ("received", "closed"), "各下级接收与办结（件）", "M2")
    for title, key_name, rows, chart in (
        ("类别", "类别", content["groups"], "pie"),
        ("渠道", "渠道", content["channels"], "pie"),
        ("承办部门", "承办部门", _units_last_unnamed(content["units"]), "units"),
    ):
        sheet = _table(book, title, key_name, rows, names)
        if not rows:
            continue
        if chart == "pie":
            _pie(sheet, rows, f"按{title}的接收量")
        else:
            # The chart leaves 「无牵头部门」 out (it is last in the table): no unit is slow.
            named = [row for row in rows if row["key"]]
            if named:
                _bar(sheet, named, ("avg_handling_workdays",), "平均办理用时（工作日）", "M2")
    _trend(book, content)
    return book


def workbook_bytes(content: dict) -> bytes:
    buffer = io.BytesIO()
    workbook(content).save(buffer)
    return buffer.getvalue()


def _overview(sheet, content: dict) -> None:
    sheet.title = "概况"
    node, period = content["node"], content["period"]
    sheet["A1"] = f"{node['name']}{period['label']}{content['rhythm_name']}报告"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"统计期：{period['start']} 至 {period['end']}（按受理日期）"
    row = 4
    sheet.cell(row=row, column=1, value="要点").font = BOLD
    for line in content["sentences"]:
        row += 1
        sheet.cell(row=row, column=1, value=line)
    row += 2
    table_top = row
    _header(sheet, row, ["指标", period["label"], content["previous"]["label"], "变化"])
    for field, name in content["fields"]:
        row += 1
        now, before = content["current"].get(field), content["prior"].get(field)
        sheet.cell(row=row, column=1, value=name)
        _value(sheet.cell(row=row, column=2), field, now)
        _value(sheet.cell(row=row, column=3), field, before)
        if now is not None and before is not None:
            _value(sheet.cell(row=row, column=4), field, now - before)
    if content["targets"]:
        row += 2
        _header(sheet, row, ["目标", "目标值(%)", "实际(%)", "是否达标"])
        for target in content["targets"]:
            row += 1
            sheet.cell(row=row, column=1, value=target["name"])
            sheet.cell(row=row, column=2, value=target["target"]).number_format = DECIMAL
            _value(sheet.cell(row=row, column=3), "avg_", target["actual"])
            met = target["met"]
            sheet.cell(row=row, column=4, value=None if met is None else ("是" if met else "否"))
    _widths(sheet, [22, 16, 16, 12])
    # The 三率, this period and last (consecutive rows of the table, HEADLINE's order).
    from analytics.kpis import THREE_RATES

    rates = [i for i, (field, _) in enumerate(content["fields"]) if field in THREE_RATES]
    if rates:
        first, last = table_top + 1 + rates[0], table_top + 1 + rates[-1]
        chart = BarChart()
        chart.title, chart.y_axis.number_format = "三率", PERCENT
        chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=first, max_row=last))
        labels = (period["label"], content["previous"]["label"])
        for series, label in zip(chart.series, labels, strict=True):
            series.tx = SeriesLabel(v=label)
        chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
        chart.height, chart.width = 7, 14
        sheet.add_chart(chart, "F4")


def _table(book, title: str, key_name: str, rows: list[dict], names: dict):
    sheet = book.create_sheet(title)
    _header(sheet, 1, ["编码", key_name, *(names.get(f, f) for f in TABLE_FIELDS)])
    for index, row in enumerate(rows, start=2):
        sheet.cell(row=index, column=1, value=str(row["key"]))  # codes stay text
        sheet.cell(row=index, column=2, value=row["name"])
        for column, field in enumerate(TABLE_FIELDS, start=3):
            _value(sheet.cell(row=index, column=column), field, row.get(field))
    if not rows:
        sheet.cell(row=2, column=1, value="本期无数据")
    _widths(sheet, [16, 20, *([11] * len(TABLE_FIELDS))])
    sheet.freeze_panes = "C2"
    return sheet


def _column(field: str) -> int:
    return 3 + TABLE_FIELDS.index(field)


def _units_last_unnamed(rows: list[dict]) -> list[dict]:
    """The units with 「无牵头部门」 (key "") moved last, so a chart can take the others."""
    return [row for row in rows if row["key"]] + [row for row in rows if not row["key"]]


def _bar(sheet, rows, fields, title: str, anchor: str) -> None:
    """Horizontal bars of ``fields`` over the first ``len(rows)`` table rows, tall enough
    for every name on the axis (a name is not cut to fit)."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    for field in fields:
        column = _column(field)
        chart.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=len(rows) + 1),
            titles_from_data=True,
        )
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=len(rows) + 1))
    chart.height, chart.width = max(8, 2 + 0.7 * len(rows)), 18
    sheet.add_chart(chart, anchor)


def _pie(sheet, rows, title: str) -> None:
    chart = PieChart()
    chart.title = title
    column = _column("received")
    chart.add_data(
        Reference(sheet, min_col=column, min_row=1, max_row=len(rows) + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=len(rows) + 1))
    chart.height, chart.width = 8, 12
    sheet.add_chart(chart, "M2")


def _trend(book, content: dict) -> None:
    sheet = book.create_sheet("趋势")
    by_day = content["trend_by"] == "day"
    _header(sheet, 1, ["日期" if by_day else "月份", "接收", "办结", "满意率"])
    rows = content["trend"]
    for index, row in enumerate(rows, start=2):
        sheet.cell(row=index, column=1, value=str(row["key"]))
        _value(sheet.cell(row=index, column=2), "received", row.get("received"))
        _value(sheet.cell(row=index, column=3), "closed", row.get("closed"))
        _value(sheet.cell(row=index, column=4), "satisfaction_rate", row.get("satisfaction_rate"))
    _widths(sheet, [12, 10, 10, 10])
    if not rows:
        sheet.cell(row=2, column=1, value="本期无数据")
        return
    chart = LineChart()
    chart.title = "每日接收与办结（件）" if by_day else "每月接收与办结（件）"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
    chart.height, chart.width = 8, 18
    sheet.add_chart(chart, "F2")
