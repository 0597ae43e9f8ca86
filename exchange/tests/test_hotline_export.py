"""Status and results back to the hotline, in its own column layout, masked, neutralised
and limited to the exporting user's part of the tree."""

import csv
import io

from django.utils import timezone
from openpyxl import load_workbook

from cases.actions import do_case_action
from exchange.actions import HotlineOrder, do_import_hotline_order
from exchange.jobs import export_hotline
from exchange.models import ExportRecord
from exchange.tests.conftest import user


def order(ticket, address, content="路灯不亮", phone="13812345678"):
    return HotlineOrder(
        ticket_no=ticket,
        received_at=timezone.now(),
        content=content,
        phone=phone,
        caller="张三",
        address=address,
    )


def place(system, ticket, address, grid_code, **kwargs):
    case, _ = do_import_hotline_order(
        order(ticket, address, **kwargs), system=system, actor=None, grid_code=grid_code
    )
    return case


def sheet_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_uses_the_hotline_headers_and_masks_phones(system):
    system.mapping = {"ticket_no": "受理单号", "status": "处理状态", "result": "处理结果"}
    system.status_names = {"resolved": "已办结待回访"}
    system.save()
    case = place(system, "E1", "桂梅家园1栋", "360802001001001")
    grid_worker = user("demo-grid")
    case = do_case_action(case.pk, "handle", actor=grid_worker, version=case.version)
    do_case_action(
        case.pk,
        "resolve",
        actor=grid_worker,
        version=case.version,
        data={"result": "已更换灯泡"},
    )
    content, content_type, filename = export_hotline(
        user("demo-leader"), system, since=None, until=None, statuses=[], file_format="xlsx"
    )
    assert filename.endswith(".xlsx") and "spreadsheetml" in content_type
    header, row = sheet_rows(content)
    assert header[:3] == ["受理单号", "受理时间", "来电人"]
    assert {"处理状态", "处理结果", "平台编号", "承办单位", "所属网格"} <= set(header)
    values = dict(zip(header, row, strict=True))
    assert values["受理单号"] == "E1"
    assert values["联系电话"] == "138****5678"
    assert values["处理状态"] == "已办结待回访"
    assert values["处理结果"] == "已更换灯泡"
    assert values["平台编号"] == case.number
    assert values["所属网格"] == "桂梅家园网格"
    record = ExportRecord.objects.get()
    assert record.rows == 1 and not record.revealed


def test_text_that_looks_like_a_formula_is_exported_as_text(system):
    place(system, "F1", '=HYPERLINK("http://evil","点我")', None, content="@SUM(1+1)")
    content, *_ = export_hotline(
        user("demo-leader"), system, since=None, until=None, statuses=[], file_format="csv"
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["事发地址"].startswith("'=HYPERLINK")
    assert values["诉求内容"] == "'@SUM(1+1)"
    xlsx, *_ = export_hotline(
        user("demo-leader"), system, since=None, until=None, statuses=[], file_format="xlsx"
    )
    # In Excel a text cell is never evaluated: the value as it is, no guard to strip.
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, sheet.max_column + 1)}
    assert cells["事发地址"].value == '=HYPERLINK("http://evil","点我")'
    assert cells["事发地址"].data_type == "s" and cells["诉求内容"].value == "@SUM(1+1)"


def test_a_community_secretary_exports_only_their_community(system):
    place(system, "C1", "桂梅家园1栋", "360802001001001")  # 东桂社区, the secretary's
    place(system, "C2", "青康公寓1栋", "360802001002001")  # 乐溪社区
    place(system, "C3", "龙凤公寓1栋", "360802002001001")  # another town
    content, *_ = export_hotline(
        user("demo-community"), system, since=None, until=None, statuses=[], file_format="csv"
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["C1"]
    everything, *_ = export_hotline(
        user("demo-leader"), system, since=None, until=None, statuses=[], file_format="csv"
    )
    assert everything.decode("utf-8-sig").count("\r\n") == 4


def test_the_status_filter_keeps_only_those_statuses(system):
    first = place(system, "S1", "桂梅家园1栋", "360802001001001")
    place(system, "S2", "桂梅家园1栋", "360802001001001")
    do_case_action(first.pk, "handle", actor=user("demo-grid"), version=first.version)
    content, *_ = export_hotline(
        user("demo-leader"),
        system,
        since=None,
        until=None,
        statuses=["in_progress"],
        file_format="csv",
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["S1"]
