"""Every action form on a volunteer order's page (``participation/detail.html``), sent on a
390×844 phone: the volunteer takes an order there, gives it back (退回), takes it again and
completes it; the community confirms fewer hours than reported; a second order is
cancelled by the community."""

import re

import pytest

from org.models import User
from participation.actions import do_post_order
from participation.models import OrderStatus, ServiceOrder
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _act(page, action, **fields):
    """Unfold the action's form, fill it by its labels and press its button (the page asks
    before 退回 and 取消: the test says yes)."""
    form = page.locator(f"details.action--{action}")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for label, value in fields.items():
        form.get_by_label(re.compile(re.escape(label))).fill(value)
    fits_the_phone(page)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_an_order_is_taken_released_taken_completed_confirmed_and_another_cancelled(
    live_city, open_phone
):
    base = live_city
    secretary_user = User.objects.get(username="demo-community")
    grid = User.objects.get(username="demo-volunteer").resident.household.grid
    order, other = (
        do_post_order(actor=secretary_user, kind="order", title=title, grid_code=grid.code)
        for title in ("陪老人去医院复查", "帮忙搬运旧家具")
    )
    volunteer = open_phone()
    volunteer.on("dialog", lambda dialog: dialog.accept())
    log_in(volunteer, base, "demo-volunteer")
    volunteer.goto(f"{base}/volunteer/{order.pk}/")
    fits_the_phone(volunteer)
    _act(volunteer, "take")
    order.refresh_from_db()
    assert order.status == OrderStatus.TAKEN and order.taker.username == "demo-volunteer"
    _act(volunteer, "release", 备注="临时有事，请其他志愿者接")
    assert ServiceOrder.objects.get(pk=order.pk).status == OrderStatus.OPEN
    _act(volunteer, "take")
    _act(volunteer, "complete", 服务时长="2")
    order.refresh_from_db()
    assert (order.status, order.hours) == (OrderStatus.DONE, 2)

    secretary = open_phone()
    secretary.on("dialog", lambda dialog: dialog.accept())
    log_in(secretary, base, "demo-community")
    secretary.goto(f"{base}/volunteer/{order.pk}/")
    _act(secretary, "confirm", 确认服务时长="1.5", 备注="按实际陪诊时间")
    order.refresh_from_db()
    assert (order.status, order.hours) == (OrderStatus.CONFIRMED, 1.5)
    assert "已确认完成" in secretary.locator(".messages").inner_text()

    secretary.goto(f"{base}/volunteer/{other.pk}/")
    _act(secretary, "cancel", 备注="居民已自行解决")
    assert ServiceOrder.objects.get(pk=other.pk).status == OrderStatus.CANCELLED
    fits_the_phone(secretary)
    for page in (volunteer, secretary):
        assert page.errors == []
