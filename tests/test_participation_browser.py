"""Volunteering and credit through the pages in a real browser (Debian's Chromium, phone
screen): a resident's micro-wish is taken and done by a volunteer; the resident confirms
the hours, which become the volunteer's points, spent in the community's credit store and
handed out at its counter."""

import os

import pytest

from credit.actions import do_add_store_item
from credit.models import CreditAccount, Redemption, RedemptionStatus
from org.models import User
from participation.models import OrderStatus, ServiceOrder
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in, open_nav

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(
        path=os.path.join(SCREENSHOT_DIR, f"gridgov-volunteer-{name}.png"), full_page=True
    )


def test_a_wish_is_taken_done_paid_and_spent(live_city, open_phone):
    base = live_city
    community = User.objects.get(username="demo-community")
    do_add_store_item(
        community.assignments.get().node, actor=community, name="理发券一张", cost=3, stock=2
    )

    # The resident makes a wish from their phone.
    resident = open_phone()
    log_in(resident, base, "demo-resident")
    resident.get_by_role("link", name="志愿服务").click()
    resident.get_by_role("link", name="点单 / 许心愿").click()
    resident.get_by_label("微心愿").check()
    resident.get_by_label("需求").fill("想学用智能手机视频通话")
    fits_the_phone(resident)
    resident.get_by_role("button", name="发布").click()
    resident.wait_for_url(f"{base}/volunteer/*/")
    assert "等待志愿者接单" in resident.locator(".messages").inner_text()
    order = ServiceOrder.objects.get(title="想学用智能手机视频通话")

    # The grid's volunteer finds it in the market, takes it, and later records 1.5 hours.
    volunteer = open_phone()
    log_in(volunteer, base, "demo-volunteer")
    volunteer.goto(f"{base}/volunteer/")
    card = volunteer.locator(f"[data-order='{order.pk}']")
    assert "想学用智能手机视频通话" in card.inner_text()
    fits_the_phone(volunteer)
    _shot(volunteer, "market")
    card.get_by_role("button", name="接单").click()
    volunteer.wait_for_url(f"{base}/volunteer/")
    assert "已接单" in volunteer.locator(".messages").inner_text()
    volunteer.goto(f"{base}/volunteer/{order.pk}/")
    form = volunteer.locator("details.action--complete")  # the taker's next step, unfolded
    assert form.get_attribute("open") is not None
    form.locator("[name=hours]").fill("1.5")
    form.get_by_role("button", name="完成").click()
    volunteer.wait_for_load_state()
    assert "已完成" in volunteer.locator(".messages").inner_text()
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.DONE
    _shot(volunteer, "done")

    # The resident confirms the hours on their own orders' tab; that pays the volunteer.
    open_nav(resident, "志愿服务")
    resident.locator(f"[data-order='{order.pk}'] a").first.click()
    confirm = resident.locator("details.action--confirm")
    confirm.get_by_role("button", name="确认完成").click()
    resident.wait_for_load_state()
    assert "已确认完成" in resident.locator(".messages").inner_text()
    order.refresh_from_db()
    assert (order.status, order.points) == (OrderStatus.CONFIRMED, 3)

    # Their 3 points buy a haircut voucher in the community's credit store.
    open_nav(volunteer, "信用积分")
    assert volunteer.locator("#mine [data-balance]").inner_text() == "3"
    item = volunteer.locator(".store-item", has_text="理发券一张")
    volunteer.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="用 3 积分兑换").click()
    volunteer.wait_for_load_state()
    assert "兑换成功" in volunteer.locator(".messages").inner_text()
    assert volunteer.locator("#mine [data-balance]").inner_text() == "0"
    fits_the_phone(volunteer)
    _shot(volunteer, "credit")

    # The community secretary hands it out at the counter.
    secretary = open_phone()
    log_in(secretary, base, "demo-community")
    secretary.goto(f"{base}/credit/")
    secretary.locator("#counter").get_by_role("button", name="发放").click()
    secretary.wait_for_load_state()
    assert "已发放" in secretary.locator(".messages").inner_text()
    volunteer_resident = User.objects.get(username="demo-volunteer").resident
    assert Redemption.objects.get().status == RedemptionStatus.FULFILLED
    assert CreditAccount.objects.get(resident=volunteer_resident).balance == 0
    for page in (resident, volunteer, secretary):
        assert page.errors == []
