"""The export forms in a real browser on a phone: a person picks a format, presses 导出 and
gets the file (the test client alone had let a form through that no browser could send)."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from cases.models import Case
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


def test_the_leader_imports_a_hotline_file_on_a_phone(live_city, open_phone, tmp_path, settings):
    from exchange.models import HotlineSystem, ImportJob
    from simulate.hotlinegen import HotlineFileGenerator

    settings.MEDIA_ROOT = tmp_path / "media"
    system = HotlineSystem.objects.get(slug="hotline-12345")
    path = tmp_path / "orders.csv"
    HotlineFileGenerator(12, seed=3, system=system).write(path, encoding="utf-8-sig")
    page = open_phone()
    log_in(page, live_city, "demo-leader")
    page.goto(live_city + "/exchange/hotline/import/")
    page.get_by_label("文件").set_input_files(str(path))
    fits_the_phone(page)
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/exchange/jobs/\d+/$"))
    # The preview is one card per row on a phone: nothing wider than the screen.
    rows = page.locator("table.grid-table--cards")
    assert rows.count() == 1
    assert rows.evaluate("table => table.scrollWidth") <= 390
    fits_the_phone(page)
    page.get_by_role("button", name="第 3 步：导入全部 12 行").click()
    page.wait_for_selector("text=用时")
    job = ImportJob.objects.get()
    assert job.created + job.failed == 12 and job.created >= 10
    assert Case.objects.filter(source_system=system.slug).count() == job.created
    page.goto(live_city + "/exchange/")
    jobs = page.locator("table.jobs")
    assert jobs.evaluate("table => table.scrollWidth") <= 390
    fits_the_phone(page)
    assert page.errors == []
