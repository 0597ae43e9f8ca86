"""The exchange forms the other browser tests leave out, on a 390×844 phone: a register
import from a file made from the page's own export (upload, preview, 取消; upload again,
import), the staff, partner and catalogue registers exported as Excel and imported back
unchanged, and a boundary upload cancelled at its preview; the hotline export's days and
statuses, and an unmasked residents export."""

import csv
import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case, Status
from exchange.actions import HotlineOrder, do_import_hotline_order
from exchange.models import BoundaryImport, HotlineSystem, ImportJob, JobStatus
from org.models import OrgNode, User
from residents.models import AccessLog, Resident
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def test_the_community_reimports_its_residents_from_its_own_export(
    live_city, open_phone, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = open_phone()
    log_in(page, live_city, "demo-community")
    page.goto(live_city + "/exchange/registers/residents/export/")
    page.get_by_label("CSV (UTF-8)").check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    with open(caught.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    header, name = rows[0], rows[0].index("姓名")
    people = [row for row in rows[1:] if row[name]][:3]
    # A new member of the first one's household (a masked row keeps its person as is).
    newcomer = dict.fromkeys(header, "") | dict(zip(header[:8], people[0][:8], strict=True))
    newcomer |= {"姓名": "欧阳新居", "性别": "女", "出生年份": "1980", "户主": "否"}
    people.append([newcomer[column] for column in header])
    upload = tmp_path / "居民.csv"
    with upload.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows([header, *people])

    # Upload and preview, then think better of it: 取消 leaves nothing behind.
    page.get_by_role("link", name="导入户和居民").click()
    page.wait_for_url("**/exchange/registers/residents/import/")
    fits_the_phone(page)
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/exchange/jobs/\d+/$"))
    fits_the_phone(page)
    assert "欧阳新居" in page.locator("main").inner_text()
    page.get_by_role("button", name="取消", exact=True).click()
    page.wait_for_url(live_city + "/exchange/")
    assert "已取消导入" in page.locator(".messages").inner_text()
    assert not ImportJob.objects.exists()
    assert not Resident.objects.filter(name="欧阳新居").exists()

    # Again, and this time import the 4 rows.
    page.goto(live_city + "/exchange/registers/residents/import/")
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/exchange/jobs/\d+/$"))
    page.get_by_role("button", name="第 3 步：导入全部 4 行").click()
    page.wait_for_selector("text=用时")
    fits_the_phone(page)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE, job.status
    newcomer = Resident.objects.get(name="欧阳新居")
    assert newcomer.household.code == people[0][header.index("户编码")]
    assert page.errors == []


def test_a_street_cancels_a_boundary_upload_at_its_preview(live_city, open_phone, tmp_path):
    street = User.objects.get(username="demo-street").assignments.get().node
    grid = OrgNode.objects.filter(code__startswith=street.code).exclude(grid_kind="").first()
    path = tmp_path / "边界.geojson"
    feature = {"type": "Feature", "properties": {"code": grid.code}, "geometry": grid.geometry}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    page = open_phone()
    log_in(page, live_city, "demo-street")
    page.goto(live_city + "/exchange/boundaries/")
    page.get_by_label("边界文件").set_input_files(str(path))
    page.get_by_label("层级").select_option(label=grid.level.name)
    page.get_by_label("上级节点编码").fill(street.code)
    page.get_by_label("按编码").check()
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("#matched")
    assert BoundaryImport.objects.count() == 1
    fits_the_phone(page)
    page.get_by_role("button", name="取消", exact=True).click()
    page.wait_for_url(live_city + "/exchange/boundaries/")
    assert "已取消导入" in page.locator(".messages").inner_text()
    assert not BoundaryImport.objects.exists()
    assert OrgNode.objects.get(pk=grid.pk).geometry == grid.geometry
    assert page.errors == []


@pytest.mark.parametrize(
    ("kind", "title", "username"),
    [
        ("staff", "工作人员名册", "demo-street"),
        ("partners", "共建单位", "demo-community"),
        ("catalogue", "事项清单", "demo-leader"),
    ],
    ids=["staff", "partners", "catalogue"],
)
def test_a_register_exported_as_excel_imports_back_unchanged(
    live_city, open_phone, tmp_path, settings, kind, title, username
):
    """Export → import of the same file: the page's promise that an exported file can be
    imported as it is (the rows are updated in place, none fails)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    page = open_phone()
    log_in(page, live_city, username)
    page.goto(f"{live_city}/exchange/registers/{kind}/export/")
    fits_the_phone(page)
    page.get_by_label("Excel (.xlsx)").check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    upload = tmp_path / f"{kind}.xlsx"
    caught.value.save_as(upload)
    rows = list(load_workbook(upload, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) > 1, rows

    page.get_by_role("link", name=f"导入{title}").click()
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/exchange/jobs/\d+/$"))
    fits_the_phone(page)
    page.get_by_role("button", name=re.compile("^第 3 步：导入全部")).click()
    page.wait_for_selector("text=用时")
    job = ImportJob.objects.get()
    assert (job.status, job.failed) == (JobStatus.DONE, 0), page.locator("main").inner_text()
    assert page.errors == []


def test_the_hotline_export_keeps_to_the_chosen_days_and_statuses(live_city, open_phone):
    """受理日期从 … 到（含） are whole local days, and the statuses narrow the rows."""
    system = HotlineSystem.objects.get(slug="hotline-12345")
    today = timezone.localdate()
    for ticket, days_ago in (("OLD", 10), ("IN1", 3), ("IN2", 2), ("NEW", 0)):
        received = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9, 30))
        )
        do_import_hotline_order(
            HotlineOrder(ticket_no=ticket, received_at=received, content=f"工单{ticket}"),
            system=system,
            actor=None,
            grid_code="360802001001001",
        )
    Case.objects.filter(external_ref="IN2").update(status=Status.CLOSED)
    page = open_phone()
    log_in(page, live_city, "demo-leader")
    page.goto(live_city + "/exchange/hotline/export/")
    page.get_by_label("受理日期从").fill(str(today - dt.timedelta(days=4)))
    page.get_by_label("到（含）").fill(str(today - dt.timedelta(days=2)))
    page.get_by_label("CSV (UTF-8)").check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    with open(caught.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    text = "\n".join(",".join(row) for row in rows[1:])
    assert "IN1" in text and "IN2" in text and "OLD" not in text and "NEW" not in text

    page.get_by_label(str(Status.CLOSED.label), exact=True).check()
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    with open(caught.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    text = "\n".join(",".join(row) for row in rows[1:])
    assert "IN2" in text and "IN1" not in text
    fits_the_phone(page)
    assert page.errors == []


def test_the_secretary_exports_unmasked_residents_and_each_is_logged(live_city, open_phone):
    page = open_phone()
    log_in(page, live_city, "demo-community")
    page.goto(live_city + "/exchange/registers/residents/export/")
    page.get_by_label("CSV (UTF-8)").check()
    page.get_by_label("导出完整手机号和身份证号").check()
    fits_the_phone(page)
    with page.expect_download() as caught:
        page.get_by_role("button", name="导出").click()
    with open(caught.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    numbers = [row[rows[0].index("身份证号")] for row in rows[1:]]
    shown = [number for number in numbers if number]
    assert shown and not any("*" in number for number in shown)
    assert Resident.objects.filter(id_number=shown[0]).exists()
    assert AccessLog.objects.filter(resident__id_number=shown[0]).exists()
    assert page.errors == []
