"""One-click SOS on a phone (390×844, Debian's Chromium): a press arrives through the
vendors' API; the grid worker sees it on the home page, acknowledges it in the list, marks
the arrival on its page and turns it into a case. The community creates a vendor (its key
shown once) and binds a wristband by Excel; the vendor's press with that key reaches the
list."""

import os
import tempfile

import pytest
from django.utils import timezone
from openpyxl import Workbook

from alerts.models import Alarm, Device
from alerts.tests.sos_factories import bound_device, demo_grid, resident_of, vendor_with_key
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in
from tests.conftest import Http

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"gridgov-sos-{name}.png"), full_page=True)


def press(base, key, device_id):
    return Http(base).post(
        "/api/v1/sos/",
        {"device_id": device_id, "pressed_at": timezone.now().isoformat(), "lat": 27.1, "lng": 115},
        headers={"X-Vendor-Key": key},
    )


def test_a_grid_worker_acknowledges_an_alarm_arrives_and_files_a_case(live_city, open_phone):
    base = live_city
    vendor, key = vendor_with_key()
    bound_device(vendor, resident_of(demo_grid()))
    status, answer = press(base, key, "WB-0001")
    assert status == 201
    alarm = Alarm.objects.get(pk=answer["alarm"])

    worker = open_phone()
    log_in(worker, base, "demo-grid")
    panel = worker.locator("[data-panel='alerts-sos']")
    assert "1 条求助待响应" in panel.inner_text()
    panel.get_by_role("link", name="去响应").click()
    worker.wait_for_url(f"{base}/sos/")
    card = worker.locator(f"[data-alarm='{alarm.pk}']")
    assert alarm.resident.name not in card.inner_text()  # masked
    fits_the_phone(worker)
    _shot(worker, "list")
    card.get_by_role("button", name="响应").click()
    # The form is sent by the offline queue (fetch), then the page opens its answer.
    worker.locator(".messages", has_text="已响应").wait_for()
    assert Alarm.objects.get(pk=alarm.pk).status == "acknowledged"

    worker.locator(f"[data-alarm='{alarm.pk}'] a.case-item__title").click()
    worker.wait_for_url(f"{base}/sos/{alarm.pk}/")
    worker.get_by_role("button", name="已到场").click()
    worker.locator("[data-field=status]", has_text="已到场").wait_for()
    assert worker.locator("[data-field=status]").inner_text() == "已到场"
    assert "分钟" in worker.locator("[data-field=arrive]").inner_text()
    worker.get_by_role("button", name="转为案件").click()
    worker.locator(".timeline", has_text="转为案件").wait_for()
    alarm.refresh_from_db()
    assert alarm.case is not None and alarm.case.number in worker.content()
    timeline = worker.locator(".timeline").inner_text()
    for label in ("按键求助", "通知", "响应", "已到场", "转为案件"):
        assert label in timeline
    fits_the_phone(worker)
    _shot(worker, "detail")
    assert worker.errors == []


def test_the_community_creates_a_vendor_and_binds_a_wristband_by_excel(live_city, open_phone):
    base = live_city
    resident = resident_of(demo_grid(), 2)
    community = open_phone()
    log_in(community, base, "demo-community")
    community.goto(f"{base}/sos/devices/")
    community.get_by_label("新厂商名称").fill("康养手环科技")
    community.get_by_role("button", name="创建厂商并生成密钥").click()
    key = community.locator("code.new-key").inner_text().strip()
    assert key.startswith("sos_")

    book = Workbook()
    book.active.append(["厂商", "设备号", "设备类型", "户编码", "姓名"])
    book.active.append(
        ["康养手环科技", "KY-778", "智能手环", resident.household.code, resident.name]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "设备.xlsx")
        book.save(path)
        community.goto(f"{base}/sos/devices/")
        community.get_by_label("Excel 文件").set_input_files(path)
        community.get_by_role("button", name="导入").click()
        community.wait_for_url(f"{base}/sos/devices/")
    assert "已导入 1 台设备" in community.locator(".messages").inner_text()
    assert Device.objects.get(device_id="KY-778").resident == resident
    fits_the_phone(community)
    _shot(community, "devices")

    status, answer = press(base, key, "KY-778")
    assert status == 201
    community.goto(f"{base}/sos/")
    assert community.locator(f"[data-alarm='{answer['alarm']}']").count() == 1
    button = community.get_by_role("link", name="设备管理").bounding_box()
    assert button["width"] > button["height"]  # one line, not a character per line
    assert community.errors == []
