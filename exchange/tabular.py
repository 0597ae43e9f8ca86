"""Reading and writing tables: CSV (UTF-8 with or without BOM, UTF-16, GBK/GB18030) and
XLSX (openpyxl, read-only / write-only so 100,000 rows stay cheap).

A ``Table`` is a header row and numbered data rows. Row numbers are the ones a person
sees when opening the file in a spreadsheet (the header is row 1 unless blank rows come
first), so an error file can point at them. Blank rows are skipped.

A CSV cell we write that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
return) gets a leading ``'`` (``neutralise``) so no spreadsheet runs it as a formula
(CSV/formula injection); an XLSX text cell is written as a text cell (data type ``s``),
which no spreadsheet evaluates, so it needs no guard. Reading takes the guard off again
(``unguard``), so export → re-import gives back the same values (room ``-1-102``, phone
``+8613800138000``).
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMNS = 200
CSV_DELIMITERS = ",\t;|"


class TableError(ValueError):
    """The file cannot be read as a table at all (not a row-level problem)."""


@dataclass
class Table:
    headers: list[str]
    header_line: int
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    total: int = 0
    _rows: object = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, cells) for every non-blank row after the header."""
        return self._rows()


def neutralise(value):
    """A cell value safe to open in a spreadsheet: text that would start a formula gets
    a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unguard(value):
    """A cell as read: the guard ``neutralise`` (or a person, the same way) put before
    text that would start a formula is taken off; other values pass unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _clean_header(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("\ufeff", "").replace("\n", " ").strip()


# -- reading ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: a BOM decides; otherwise strict
    UTF-8, else GBK, else GB18030 (which every byte sequence GBK allows also is)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码(支持 UTF-8、GBK、GB18030)")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    delimiter = _delimiter(text)

    def records() -> Iterator[tuple[int, list]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            yield from enumerate(reader, 1)
        except csv.Error as error:  # e.g. a cell over the csv module's 128 KB limit
            raise TableError(f"第 {reader.line_num} 行无法读取（{error}）") from None

    header_line, headers = 0, []
    for number, cells in records():
        if not _blank(cells):
            header_line, headers = number, [_clean_header(c) for c in cells]
            break
    if not headers:
        raise TableError("文件是空的")

    def rows():
        for number, cells in records():
            if number > header_line and not _blank(cells):
                yield number, [unguard(cell) for cell in cells]

    total = sum(1 for _ in rows())
    return Table(headers[:MAX_COLUMNS], header_line, "csv", encoding, total, rows)


class _Book:
    """A read-only workbook with the file it reads from, closed together."""

    def __init__(self, workbook, handle):
        self.workbook, self.handle = workbook, handle

    def close(self):
        self.workbook.close()
        self.handle.close()


_VALUE_TAGS = (b"<v>", b"<v ", b"<is>", b"<is ")


def _count_xml_rows(sheet) -> int | None:
    """How many rows of a read-only sheet hold a value (``<v>`` or an inline string), read
    from the raw XML — ten times faster than reading the cells. Rows that only carry a
    format (``<row r="9"><c r="A9" s="3"/></row>``, what ``max_row`` also counts) are not
    counted. None when the XML is not reachable."""
    try:
        stream = sheet.parent._archive.open(sheet._worksheet_path)
    except (AttributeError, KeyError, OSError):
        return None
    count, rest = 0, b""
    with stream:
        while chunk := stream.read(1 << 20):
            # Every complete row of this chunk; what follows the last one waits.
            *complete, rest = (rest + chunk).split(b"</row>")
            count += sum(1 for row in complete if any(tag in row for tag in _VALUE_TAGS))
    return count


def read_xlsx(path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def open_sheet():
        # A file object, not the path: openpyxl refuses paths not named .xlsx.
        handle = open(path, "rb")  # noqa: SIM115 (closed with the workbook)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as error:
            handle.close()
            raise TableError(f"不是有效的 Excel 文件(.xlsx): {error}") from None
        if not workbook.worksheets:
            handle.close()
            raise TableError("Excel 文件里没有工作表")
        return _Book(workbook, handle), workbook.worksheets[0]

    def records(sheet) -> Iterator[tuple[int, list]]:
        # Read-only sheets yield blank rows for gaps, so the position is the row number.
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(cells[:MAX_COLUMNS])

    workbook, sheet = open_sheet()
    try:
        header_line, headers = 0, []
        for number, cells in records(sheet):
            if not _blank(cells):
                header_line, headers = number, [_clean_header(c) for c in cells]
                break
        if not headers:
            raise TableError("工作表是空的")
        while headers and not headers[-1]:
            headers.pop()
        # Rows with a value, counted in the raw XML (the declared size, max_row, also
        # counts rows that only carry a format: 65,202 for a 495-row sheet).
        with_values = _count_xml_rows(sheet)
    finally:
        workbook.close()

    def rows():
        book, ws = open_sheet()
        try:
            for number, cells in records(ws):
                if number > header_line and not _blank(cells):
                    yield number, [unguard(cell) for cell in cells]
        finally:
            book.close()

    # The header row is one of the rows with values.
    total = with_values - 1 if with_values else sum(1 for _ in rows())
    return Table(headers, header_line, "xlsx", "", total, rows)


def open_table(path, name: str | None = None) -> Table:
    """Read a CSV or XLSX file by its name's extension (or its content when unclear)."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(4)
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return read_xlsx(path)
    if suffix == ".xls":
        raise TableError("不支持旧版 .xls 文件, 请在 Excel 中另存为 .xlsx 或 CSV")
    return read_csv(path.read_bytes())


# -- cell values -------------------------------------------------------------------------


def text(value) -> str:
    """A cell as trimmed text: numbers without a spurious '.0', dates as ISO text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def plain(value):
    """A value as we write it: aware datetimes in local time as text."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


# -- writing -----------------------------------------------------------------------------


def write_csv(stream, headers: list[str], rows: Iterable[list]) -> int:
    """CSV in UTF-8 with a BOM (so Excel opens it as UTF-8); returns the row count."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([neutralise(plain(v)) for v in row])
        count += 1
    return count


def _xlsx_value(sheet, value):
    """A value openpyxl accepts: numbers, and text as a text cell (openpyxl would make
    text starting with ``=`` a formula); control characters XML cannot hold are dropped;
    anything else (lazy translations…) as text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = plain(value)
    if isinstance(value, bool | int | float):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not value.startswith("="):
        return value  # a str is a text cell already
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def write_xlsx(target, sheets: list[tuple[str, list[str], Iterable[list]]]) -> int:
    """A write-only workbook with one sheet per (title, headers, rows); returns the
    total row count. ``target`` is a path or a binary stream."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    count = 0
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers, 1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                10, min(40, 2 * len(header) + 4)
            )
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=str(header))
            cell.data_type = "s"
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_value(sheet, v) for v in row])
            count += 1
    workbook.save(target)
    return count


ERROR_COLUMNS = ("行号", "错误原因")


class ErrorSink:
    """The rows an import could not take: their own cells, then 行号 and 错误原因, in
    the format of the file they came from."""

    def __init__(self, headers: list[str], file_format: str):
        headers = list(headers)
        # An error file fixed and imported again: its own 行号 and 错误原因 are replaced.
        if headers[-len(ERROR_COLUMNS) :] == list(ERROR_COLUMNS):
            headers = headers[: -len(ERROR_COLUMNS)]
        self.headers = [*headers, *ERROR_COLUMNS]
        self.file_format = file_format
        self.rows: list[list] = []

    def add(self, line: int, cells: list, reason: str) -> None:
        width = len(self.headers) - 2
        padded = (list(cells) + [None] * width)[:width]
        self.rows.append([*(plain(c) for c in padded), line, reason])

    def __len__(self):
        return len(self.rows)

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.file_format == "xlsx" else ".csv"

    def write(self, stream) -> None:
        """Write to a binary stream."""
        if self.file_format == "xlsx":
            write_xlsx(stream, [("错误行", self.headers, self.rows)])
        else:
            wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="")
            write_csv(wrapper, self.headers, self.rows)
            wrapper.flush()
            wrapper.detach()
