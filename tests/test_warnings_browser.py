"""The early warning on a phone (390×844): a community worker finds the warnings on the
home page, opens 预警研判, acknowledges a grid's blind spot and deals with it."""

import datetime as dt
import os

import pytest

from alerts.models import Warning, WarningStatus
from alerts.tests.factories import at
from alerts.warnings.job import keep_signals
from gridgov.early_warning import Signal
from org.models import User
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


def test_a_community_worker_acknowledges_and_deals_with_a_warning(live_city, open_phone):
    base = live_city
    grid = User.objects.get(username="demo-grid").assignments.get().node
    day = dt.date.today() - dt.timedelta(days=1)
    keep_signals(
        [
            Signal(
                kind="alerts.blind_spot",
                subject=f"grid={grid.code};group=市容环境",
                node_code=grid.code,
                title=f"巡查盲区：{grid.name} · 市容环境",
                reason=(
                    "热线反映「市容环境」问题 2 件，"
                    "此前 14 天本网格巡查、走访和网格员上报均未发现同类问题"
                ),
                evidence_url="/cases/",
                owner_id=User.objects.get(username="demo-grid").pk,
            )
        ],
        day,
        at=at(day, 23),
        notify_owners=True,
    )
    warning = Warning.objects.get(kind="alerts.blind_spot")

    page = open_phone()
    log_in(page, base, "demo-community")
    panel = page.locator("[data-panel=warnings]")
    assert panel.locator("[data-count]").inner_text() == "1"
    panel.get_by_role("link", name="查看预警").click()
    page.wait_for_load_state()
    item = page.locator(f"[data-warning='{warning.pk}']")
    assert "巡查盲区" in item.inner_text() and "热线反映" in item.inner_text()
    assert page.locator("#patrol-quality").is_visible()
    fits_the_phone(page)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "gridgov-warnings-list.png"), full_page=True)

    item.get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert "已签收" in page.locator(".messages").inner_text()
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.ACKNOWLEDGED

    item = page.locator(f"[data-warning='{warning.pk}']")
    item.locator("details.action--deal summary").click()
    item.locator("textarea[name=note]").fill("已到现场核实，纳入每日巡查重点")
    with page.expect_navigation():  # the same URL again: wait for the new page
        item.get_by_role("button", name="提交处置").click()
    assert "已处置" in page.locator(".messages").inner_text()
    warning.refresh_from_db()
    assert (warning.status, warning.dealt_note) == ("dealt", "已到现场核实，纳入每日巡查重点")
    fits_the_phone(page)
    assert page.errors == []


def test_a_grid_worker_deals_with_their_warning_on_its_page(live_city, open_phone):
    base = live_city
    worker = User.objects.get(username="demo-grid")
    grid = worker.assignments.get().node
    day = dt.date.today() - dt.timedelta(days=1)
    keep_signals(
        [
            Signal(
                kind="alerts.repeat",
                subject="phone=0123456789abcdef",
                node_code=grid.code,
                title="重复投诉：电话 138****8000",
                reason="同一电话（138****8000）近30天反映 3 次",
                owner_id=worker.pk,
            )
        ],
        day,
        at=at(day, 23),
        notify_owners=True,
    )
    warning = Warning.objects.get(kind="alerts.repeat")

    page = open_phone()
    log_in(page, base, "demo-grid")
    page.locator("[data-panel=warnings]").get_by_role(
        "link", name="重复投诉：电话 138****8000"
    ).click()
    page.wait_for_url(f"{base}/warnings/{warning.pk}/")
    page.get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert "已签收" in page.locator(".messages").inner_text()
    page.locator("textarea[name=note]").fill("已电话回访，约定周三上门")
    page.get_by_role("button", name="提交处置").click()
    page.wait_for_load_state()
    assert "已处置" in page.locator(".messages").inner_text()
    assert [item.inner_text().split("\n")[0] for item in page.locator(".timeline__item").all()] == [
        "发现",
        "签收",
        "处置",
    ]
    fits_the_phone(page)
    assert Warning.objects.get(pk=warning.pk).status == WarningStatus.DEALT
    assert page.errors == []
