"""The export forms in a real browser on a phone: a person picks a format, presses 导出 and
gets the file (the test client alone had let a form through that no browser could send)."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def test_the_community_exports_its_residents_as_csv_and_the_hotline_results_as_excel(
    live_city, open_phone
):
    page = open_phone()
    log_in(page, live_city, "demo-community")

    page.goto(live_city + "/exchange/registers/residents/export/")
    fits_the_phone(page)
    page.get_by_label("CSV (UTF-8)").check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    download = caught.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert "身份证号" in rows[0] and len(rows) > 1
    assert all(
        "*" in row[rows[0].index("身份证号")] for row in rows[1:] if row[rows[0].index("身份证号")]
    )

    page.goto(live_city + "/exchange/hotline/export/")
    fits_the_phone(page)
    assert page.get_by_label("Excel (.xlsx)").is_checked()  # the default
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:  # the download's temporary name has no .xlsx
        sheet = load_workbook(io.BytesIO(file.read()), read_only=True).active
    assert next(sheet.iter_rows(values_only=True))  # the hotline's header row
    assert not page.errors
