"""Reading CSV (UTF-8 with and without BOM, GBK, GB18030) and XLSX into numbered rows;
writing them back with formulas neutralised."""

import codecs
import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from exchange.tabular import (
    ErrorSink,
    TableError,
    neutralise,
    open_table,
    read_csv,
    text,
    write_csv,
    write_xlsx,
)

ROWS = "工单编号,诉求内容,联系电话\nA1,路灯不亮,13800000000\n\nA2,井盖丢了,0796-8123456\n"


def rows_of(table):
    return [(line, [text(c) for c in cells]) for line, cells in table.rows()]


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("utf-16", "utf-16")],
)
def test_csv_is_read_in_each_encoding_hotlines_send(encoding, expected):
    table = read_csv(ROWS.encode(encoding))
    assert table.encoding == expected
    assert table.headers == ["工单编号", "诉求内容", "联系电话"]
    # Row numbers are the spreadsheet's: the header is row 1, the blank row 3 is skipped.
    assert rows_of(table) == [
        (2, ["A1", "路灯不亮", "13800000000"]),
        (4, ["A2", "井盖丢了", "0796-8123456"]),
    ]
    assert table.total == 2


def test_a_bom_is_not_part_of_the_first_header():
    table = read_csv(codecs.BOM_UTF8 + "工单编号,内容\n1,x\n".encode())
    assert table.headers[0] == "工单编号"


def test_gb18030_characters_outside_gbk_are_read():
    data = "姓名,地址\n𠀀先生,䶮路1号\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    table = read_csv(data)
    assert table.encoding == "gb18030"
    assert rows_of(table) == [(2, ["𠀀先生", "䶮路1号"])]


def test_tab_and_semicolon_separated_files_are_recognised():
    for delimiter in ("\t", ";"):
        table = read_csv(f"a{delimiter}b\n1{delimiter}2\n".encode())
        assert table.headers == ["a", "b"]
        assert rows_of(table) == [(2, ["1", "2"])]


def test_quoted_cells_keep_commas_and_line_breaks():
    table = read_csv('编号,内容\n1,"第一行,\n第二行"\n2,x\n'.encode())
    assert rows_of(table) == [(2, ["1", "第一行,\n第二行"]), (3, ["2", "x"])]


def test_an_empty_file_is_refused():
    with pytest.raises(TableError):
        read_csv(b"\n\n")


def test_xlsx_is_read_with_its_types_and_row_numbers(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工单编号", "受理时间", "联系电话"])
    sheet.append([20261101001, datetime(2026, 11, 1, 8, 30), 13800000000])
    sheet.append([None, None, None])
    sheet.append(["A2", "2026-11-02 09:00:00", "0796-8123456"])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)

    table = open_table(path)
    assert table.file_format == "xlsx"
    assert table.headers == ["工单编号", "受理时间", "联系电话"]
    rows = list(table.rows())
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1][1] == datetime(2026, 11, 1, 8, 30)
    # Numbers come back as text without a trailing ".0".
    assert text(rows[0][1][0]) == "20261101001" and text(rows[0][1][2]) == "13800000000"


def test_an_old_xls_file_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "orders.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0not really")
    with pytest.raises(TableError, match="xlsx"):
        open_table(path)


def test_a_file_named_csv_that_is_a_workbook_is_read_as_one(tmp_path):
    workbook = Workbook()
    workbook.active.append(["a"])
    workbook.active.append(["1"])
    path = tmp_path / "really.csv"
    workbook.save(path)
    assert open_table(path).file_format == "xlsx"


@pytest.mark.parametrize("value", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\r=cmd"])
def test_text_that_would_start_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["正常文字", "138****1234", 12, None, "a=b"])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_written_csv_has_a_bom_and_no_live_formula():
    stream = io.StringIO()
    write_csv(stream, ["内容", "=header"], [['=HYPERLINK("http://x","点我")', 5]])
    written = stream.getvalue()
    assert written.startswith("\ufeff")
    assert "'=HYPERLINK" in written and "'=header" in written


def test_written_xlsx_holds_text_not_formulas(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [("表", ["内容"], [["=1+1"], ["@cmd"], ["正常"]])])
    sheet = load_workbook(path).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # Text cells: Excel never evaluates them, so the values are written as they are.
    assert [c.value for c in cells] == ["=1+1", "@cmd", "正常"]
    assert all(c.data_type == "s" for c in cells)


def test_the_error_file_repeats_the_row_and_adds_line_and_reason(tmp_path):
    sink = ErrorSink(["编号", "内容"], "xlsx")
    sink.add(7, ["A1", "=bad"], "诉求内容为空")
    sink.add(9, ["A2"], "工单编号重复")
    buffer = io.BytesIO()
    sink.write(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["编号", "内容", "行号", "错误原因"],
        ["A1", "=bad", 7, "诉求内容为空"],
        ["A2", None, 9, "工单编号重复"],
    ]


def test_a_huge_cell_is_refused_with_its_line_before_anything_is_read():
    data = ("工单号,内容\n1,正常\n2," + "很" * 200_000 + "\n").encode()
    with pytest.raises(TableError, match="第 3 行"):
        read_csv(data)
