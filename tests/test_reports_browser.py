"""The report archive on a phone: a leader generates last month's report on demand, reads
the printable page (and prints it to an A4 PDF), and downloads the Excel file, which opens
with its sentences and charts."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from analytics.models import Report
from analytics.rhythm import last_ended
from cases.actions import Report as CaseReport
from cases.actions import do_create_case
from org.models import OrgNode, User
from outbox.models import Outbox
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _cases_last_month(count: int) -> None:
    """Cases received on the 3rd of last month (local), in the demo grid worker's grid."""
    month = last_ended(1)
    at = timezone.make_aware(dt.datetime.combine(month.start + dt.timedelta(days=2), dt.time(10)))
    grid = User.objects.get(username="demo-grid").assignments.get().node
    admin = User.objects.get(username="demo-admin")
    for number in range(count):
        do_create_case(
            CaseReport(title=f"路灯不亮 {number}", channel="api", grid_code=grid.code),
            actor=admin,
            at=at,
        )


def test_the_leader_generates_last_month_s_report_prints_it_and_downloads_the_excel(
    live_city, open_phone
):
    _cases_last_month(5)
    month = last_ended(1)
    root = OrgNode.objects.get(parent=None)
    page = open_phone()
    log_in(page, live_city, "demo-leader")

    page.goto(live_city + "/reports/")
    page.wait_for_url(re.compile(rf"/reports/{root.code}/$"))
    fits_the_phone(page)
    page.get_by_role("link", name="生成报告").click()
    page.get_by_label("报告类型").select_option("dispatch")
    page.get_by_label("报告期").select_option(month.key)
    fits_the_phone(page)
    page.screenshot(path=f"{SCREENSHOT_DIR}/report-new-phone.png", full_page=True)
    page.get_by_role("button", name="生成").click()
    page.wait_for_url(re.compile(r"/reports/r/\d+/$"))

    report = Report.objects.get()
    assert (report.rhythm, report.period_key, report.node) == ("dispatch", month.key, root)
    first = report.content["sentences"][0]
    assert first.startswith("本月接收诉求 5 件")
    assert page.get_by_text(first).is_visible()
    assert page.get_by_role("heading", name=f"{root.name}{month.label}调度报告").is_visible()
    fits_the_phone(page)
    page.screenshot(path=f"{SCREENSHOT_DIR}/report-phone.png", full_page=True)
    # The leaders were told, with a link to this page.
    assert Outbox.objects.about(report).filter(channel="inbox").exists()

    # Printed: the header and the buttons are gone, the sentences stay, A4.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    assert page.get_by_text(first).is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    page.emulate_media(media="screen")

    with page.expect_download() as caught:
        page.get_by_role("link", name="下载 Excel").click()
    download = caught.value
    assert download.suggested_filename == f"{root.name}{month.label}调度报告.xlsx"
    with open(download.path(), "rb") as file:
        data = file.read()
    book = load_workbook(io.BytesIO(data))
    assert book["概况"]["A5"].value == first
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist())

    # The archive lists it, filtered by rhythm and month.
    page.goto(live_city + f"/reports/{root.code}/")
    page.get_by_label("报告类型").select_option("dispatch")
    page.get_by_role("button", name="筛选").click()
    assert page.get_by_role("link", name=f"{month.label} · 调度").is_visible()
    fits_the_phone(page)
    page.screenshot(path=f"{SCREENSHOT_DIR}/report-archive-phone.png", full_page=True)
    assert page.errors == []
