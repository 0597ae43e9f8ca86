"""The case loop through the pages in a real browser (Debian's Chromium, phone screen):
a resident's QR report runs to a rated, closed and published case."""

import os
import re

import pytest
from PIL import Image

from cases.models import Assignment, Case, Status
from org.locator import locator
from org.models import OrgNode, User
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser

CITY_MANAGEMENT = "360802-city_management"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "street-light.jpg"
    Image.new("RGB", (1200, 900), (60, 90, 140)).save(photo, format="JPEG")
    return photo


def _shot(page, name):
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"gridgov-case-{name}.png"), full_page=True)


def _act(page, action, button, **fields):
    """Unfold an action's form on the page, fill it and send it."""
    form = page.locator(f"details.action--{action}")
    form.locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if name == "satisfaction":
            form.locator(f"input[name=satisfaction][value={value}]").check()
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_a_qr_report_runs_to_a_rated_closed_and_published_case(live_city, open_phone, media):
    base = live_city
    locator._version = None
    grid = OrgNode.objects.filter(
        pk=User.objects.get(username="demo-grid").assignments.get().node_id
    ).get()

    # A resident scans the grid's code and reports, with a photo.
    resident = open_phone()
    resident.goto(f"{base}/r/{grid.code}/")
    assert grid.name in resident.locator(".page-head").inner_text()
    resident.get_by_label("反映什么问题").fill("小区门口路灯不亮")
    resident.get_by_label("详细情况").fill("东门的路灯坏了一个星期，晚上很黑")
    resident.locator("#id_photos").set_input_files(str(media))
    assert "1" in resident.locator("#photo-count").inner_text()
    resident.get_by_label("姓名").fill("李秀兰")
    resident.get_by_label("电话").fill("13907960001")
    fits_the_phone(resident)
    _shot(resident, "report")
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r"/t/[\w-]+/$"))
    number = resident.locator("#case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.channel == "qr_code" and case.grid == grid and case.photos.count() == 1
    assert number in resident.locator(".messages").inner_text()
    track_url = resident.url

    # The community secretary finds it in triage and dispatches it to 城市管理局.
    secretary = open_phone()
    log_in(secretary, base, "demo-community")
    secretary.get_by_role("link", name="分拨").click()
    secretary.wait_for_url(f"{base}/cases/triage/")
    card = secretary.locator(f"#case-{case.pk}")
    assert number in card.inner_text()
    fits_the_phone(secretary)
    _shot(secretary, "triage")
    card.locator("details.action--dispatch summary").click()
    card.locator("select[name=lead]").select_option(f"department:{CITY_MANAGEMENT}")
    card.get_by_role("button", name="确认派单").click()
    secretary.wait_for_url(f"{base}/cases/triage/")
    assert "已派单" in secretary.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert Assignment.objects.get(case=case, role="lead").department.code == CITY_MANAGEMENT

    # The department accepts it from its inbox and resolves it with a result.
    department = open_phone()
    log_in(department, base, "demo-dept")
    department.get_by_role("link", name="部门待办").click()
    department.wait_for_url(f"{base}/cases/inbox/")
    item = department.locator(".case-item", has_text=number)
    item.get_by_role("button", name="签收").click()
    department.wait_for_url(f"{base}/cases/{case.pk}/")
    assert department.locator(".page-head .status").inner_text() == "办理中"
    _act(department, "resolve", "确认办结", result="已更换东门路灯灯泡，恢复照明")
    assert department.locator(".page-head .status").inner_text() == "已办结"

    # The secretary calls the resident back: satisfied.
    secretary.goto(f"{base}/cases/{case.pk}/")
    _act(secretary, "callback", "确认回访", satisfaction="satisfied", note="电话回访，群众满意")
    assert "已回访" in secretary.locator(".messages").inner_text()

    # The resident sees the result on the track page and rates it.
    resident.goto(track_url)
    assert "已更换东门路灯灯泡" in resident.locator("#result").inner_text()
    resident.locator("label.choice", has_text="满意").first.click()
    resident.get_by_label("意见建议").fill("修得很快，谢谢")
    _shot(resident, "track")
    resident.get_by_role("button", name="提交评价").click()
    resident.wait_for_url(track_url)
    assert "感谢您的评价" in resident.locator(".messages").inner_text()
    assert resident.locator("#rate").count() == 0
    case.refresh_from_db()
    assert case.satisfaction == "satisfied" and case.status == Status.RESOLVED

    # The secretary closes (销号) and publishes (公示) it.
    secretary.goto(f"{base}/cases/{case.pk}/")
    _act(secretary, "close", "确认销号")
    assert secretary.locator(".page-head .status").inner_text() == "已销号"
    secretary.wait_for_selector("#case-map[data-ready='1']")
    _act(secretary, "publish", "确认公示")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.is_published
    secretary.wait_for_selector("#case-map[data-ready='1']")
    fits_the_phone(secretary)
    _shot(secretary, "detail")

    # The community's public page shows the summary and nothing personal.
    resident.goto(f"{base}/p/{grid.parent.code}/")
    body = resident.locator("main").inner_text()
    assert case.public_summary in body and "路灯" in body
    assert "李秀兰" not in body and "13907960001" not in body and "0001" not in body
    resident.goto(track_url)
    assert "已在社区公示" in resident.locator(".timeline").inner_text()
    fits_the_phone(resident)

    for page in (resident, secretary, department):
        assert page.errors == []


def test_the_community_enters_a_hotline_case_at_one_of_its_grids_on_a_phone(
    live_city, open_phone, media
):
    """/cases/new/: the grid list holds the grids where the person files cases
    (cases.report), and the form files the case there."""
    page = open_phone()
    log_in(page, live_city, "demo-community")
    community = User.objects.get(username="demo-community").assignments.get().node
    grid = OrgNode.objects.filter(parent=community).exclude(grid_kind="").order_by("code").last()
    page.goto(live_city + "/cases/new/")
    fits_the_phone(page)
    offered = page.locator("select[name=grid] option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )
    assert offered and all(code.startswith(community.code) for code in offered)
    page.locator("select[name=channel]").select_option("hotline_12345")
    page.locator("select[name=grid]").select_option(grid.code)
    page.fill("#id_title", "小区门口积水严重")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(title="小区门口积水严重")
    assert (case.grid, case.channel, case.created_by.username) == (
        grid,
        "hotline_12345",
        "demo-community",
    )
    assert not page.errors


def test_a_resident_reports_from_home_and_finds_it_in_plain_words(live_city, open_phone, media):
    resident = open_phone()
    log_in(resident, live_city, "demo-resident")
    fits_the_phone(resident)
    resident.locator(".resident-home").get_by_role("link", name="反映问题").click()
    resident.wait_for_url(f"{live_city}/cases/new/")
    assert resident.locator("[name=channel]").count() == 0  # the channel is who they are
    resident.get_by_label("反映什么问题").fill("单元门禁坏了")
    resident.get_by_label("详细情况").fill("刷卡没反应，老人进不去")
    resident.locator("#id_photos").set_input_files(str(media))
    fits_the_phone(resident)
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r"/t/[^/]+/$"))
    case = Case.objects.get(title="单元门禁坏了")
    assert case.channel == "resident"
    assert case.number in resident.locator(".messages").inner_text()
    assert resident.locator(".status").inner_text() == "已提交，等待受理"
    assert resident.locator("#report-photos img").count() == 1
    resident.wait_for_function(
        "document.querySelector('#report-photos img').naturalWidth > 0"
    )  # the photo opens without staff rights
    fits_the_phone(resident)
    _shot(resident, "resident-track")

    resident.locator("#site-nav").get_by_role("link", name="我的诉求").click()
    item = resident.locator(".case-item", has_text="单元门禁坏了")
    assert "已提交，等待受理" in item.inner_text()
    assert case.tier.name not in item.inner_text()
    assert resident.errors == []


def test_a_grid_worker_resolves_on_the_spot_in_one_tap(live_city, open_phone):
    worker = open_phone()
    log_in(worker, live_city, "demo-grid")
    worker.locator("#site-nav").get_by_role("link", name="网格待办").click()
    worker.locator("#quick-report summary").click()
    worker.get_by_label("反映什么问题").fill("楼道杂物堆放")
    worker.get_by_label("处理结果").fill("已和住户一起清理")
    fits_the_phone(worker)
    worker.get_by_role("button", name="当场办结（即办）").click()
    worker.wait_for_url(f"{live_city}/cases/queue/")
    assert "已当场办结" in worker.locator(".messages").inner_text()
    case = Case.objects.get(title="楼道杂物堆放")
    assert (case.status, case.result) == (Status.RESOLVED, "已和住户一起清理")
    assert worker.errors == []


def test_a_reporter_finds_their_case_by_number_and_phone_on_a_phone(live_city, open_phone):
    grid = OrgNode.objects.filter(grid_kind="residential").order_by("code").first()
    from cases.actions import Report, do_create_case

    case = do_create_case(
        Report(
            title="广场灯坏了", channel="qr_code", grid_code=grid.code, reporter_phone="13912345678"
        ),
        as_public=True,
    )
    page = open_phone()
    page.goto(f"{live_city}/t/")
    page.get_by_label("诉求编号").fill(case.number.lower())
    page.get_by_label("电话").fill("139 1234 5678")
    fits_the_phone(page)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"{live_city}/t/{case.tracking_token}/")
    assert "13912345678" not in page.url
    assert page.locator("#case-number").inner_text() == case.number
    assert page.errors == []
