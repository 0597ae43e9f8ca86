"""The credit store's forms on a 390×844 phone: the secretary lists an item and restocks
it, records points on a person's page, redeems for them there and hands it out; the
volunteer redeems and cancels their own; the counter cancels one and refunds it."""

import pytest

from credit.models import CreditAccount, Redemption, RedemptionStatus, StoreItem
from org.models import User
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_the_store_lists_restocks_awards_redeems_hands_out_and_cancels(live_city, open_phone):
    base = live_city
    secretary = open_phone()
    _accept_dialogs(secretary)
    log_in(secretary, base, "demo-community")

    # 上架商品, then 库存增减 +4.
    secretary.goto(base + "/credit/")
    fits_the_phone(secretary)
    secretary.locator("#store summary", has_text="上架商品").click()
    secretary.get_by_label("名称").fill("洗衣液一瓶")
    secretary.get_by_label("所需积分").fill("2")
    secretary.get_by_label("库存", exact=True).fill("1")
    secretary.get_by_role("button", name="上架").click()
    secretary.wait_for_load_state()
    item = StoreItem.objects.get(name="洗衣液一瓶")
    assert (item.cost, item.stock) == (2, 1)
    store = User.objects.get(username="demo-community").assignments.get().node.code
    secretary.goto(f"{base}/credit/?store={store}")
    row = secretary.locator(f"#item-{item.pk}")
    row.get_by_label("库存增减").fill("4")
    row.get_by_role("button", name="调整").click()
    secretary.wait_for_load_state()
    item.refresh_from_db()
    assert item.stock == 5
    fits_the_phone(secretary)

    # On the volunteer's page: 记积分 ×3 (at least 2 points), 代为兑换, then 发放.
    resident = User.objects.get(username="demo-volunteer").resident
    secretary.goto(f"{base}/person/{resident.pk}/")
    credit = secretary.locator("#credit")
    credit.locator("summary", has_text="记积分").click()
    credit.get_by_label("次数或小时").fill("3")
    credit.get_by_label("说明").fill("清理楼道")
    credit.get_by_role("button", name="记积分").click()
    secretary.wait_for_load_state()
    account = CreditAccount.objects.get(resident=resident)
    assert account.balance >= 6, account.balance
    before = account.balance
    assert str(before) == secretary.locator("#credit [data-balance]").inner_text()
    fits_the_phone(secretary)

    credit.locator("summary", has_text="代为兑换").click()
    credit.get_by_label("商品").select_option(str(item.pk))
    credit.get_by_role("button", name="兑换", exact=True).click()
    secretary.wait_for_load_state()
    redemption = Redemption.objects.get(item=item)
    assert redemption.status == RedemptionStatus.PLACED
    credit.get_by_role("button", name="发放").click()
    secretary.wait_for_load_state()
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.FULFILLED
    account.refresh_from_db()
    assert account.balance == before - 2

    # The volunteer redeems on their phone and changes their mind: 取消兑换 refunds it.
    volunteer = open_phone()
    _accept_dialogs(volunteer)
    log_in(volunteer, base, "demo-volunteer")
    volunteer.goto(f"{base}/credit/?store={store}")
    volunteer.locator(f"#item-{item.pk}").get_by_role("button", name="用 2 积分兑换").click()
    volunteer.wait_for_load_state()
    mine = Redemption.objects.filter(item=item, status=RedemptionStatus.PLACED).get()
    volunteer.locator("#mine").get_by_role("button", name="取消兑换").click()
    volunteer.wait_for_load_state()
    mine.refresh_from_db()
    assert mine.status == RedemptionStatus.CANCELLED
    account.refresh_from_db()
    assert account.balance == before - 2
    fits_the_phone(volunteer)

    # Once more, and this time the counter cancels it and refunds the points.
    volunteer.locator(f"#item-{item.pk}").get_by_role("button", name="用 2 积分兑换").click()
    volunteer.wait_for_load_state()
    again = Redemption.objects.filter(item=item, status=RedemptionStatus.PLACED).get()
    secretary.goto(base + "/credit/#counter")
    secretary.locator("#counter").get_by_role("button", name="取消并退回积分").click()
    secretary.wait_for_load_state()
    again.refresh_from_db()
    assert again.status == RedemptionStatus.CANCELLED
    account.refresh_from_db()
    assert account.balance == before - 2
    item.refresh_from_db()
    assert item.stock == 4  # one handed out; the two cancelled came back
    fits_the_phone(secretary)
    for page in (secretary, volunteer):
        assert page.errors == []
