"""The header on a phone and on a desktop, in a real browser: each person's daily work
pages stay in the row, the field apps' pages (org.nav) open under 外勤 for those who hold
their verbs, the rest under 更多, and the unread count is always on the screen (it ran off
a 390 px screen at 560 px for every staff role)."""

import pytest

from org.models import User
from outbox.models import Channel, InboxMessage, Outbox
from tests.browser import CONTEXT, PHONE, close_context, fits_the_phone, log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}

# Each demo account's daily entries, in the order they show on a phone.
# Whoever may see statistics (analytics.view) has the dashboards (看板) among them.
DAILY = {
    "demo-grid": ["网格待办", "督办", "看板"],
    "demo-community": ["分拨", "督办", "看板"],
    "demo-dept": ["部门待办", "诉求", "志愿服务"],
    "demo-leader": ["分拨", "督办", "看板"],
    "demo-resident": ["我的诉求", "志愿服务", "信用积分"],
}
# The field apps' pages under 外勤, by the verb each needs (patrol.patrol, patrol.visit,
# patrol.plan_care, alerts.respond, alerts.handle, emergency.switch/command).
FIELD = {
    "demo-grid": ["今日巡查", "走访", "关爱", "求助", "预警"],
    "demo-community": ["关爱", "求助", "预警", "平急转换"],
    "demo-resident": [],
}


def _unread(username, count=12):
    user = User.objects.get(username=username)
    for number in range(count):
        outbox = Outbox.objects.create(channel=Channel.INBOX, recipient=user, event="test")
        InboxMessage.objects.create(user=user, outbox=outbox, title=f"第 {number + 1} 条消息")


def _row_links(page) -> list[str]:
    links = page.locator("#site-nav .site-nav__links a:visible")
    return [text.strip() for text in links.all_inner_texts()]


@pytest.mark.parametrize("username", sorted(DAILY))
def test_a_phone_keeps_the_daily_entries_and_the_unread_count_on_screen(
    live_city, open_phone, username
):
    _unread(username)
    page = open_phone()
    log_in(page, live_city, username)
    assert _row_links(page) == DAILY[username]
    badge = page.locator("#site-nav .site-nav__messages .count")
    assert badge.inner_text() == "12"
    box = badge.bounding_box()
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    fits_the_phone(page)

    if username in FIELD:
        field = page.locator("#site-nav .site-nav__field")
        assert field.count() == (1 if FIELD[username] else 0)
        if FIELD[username]:
            field.locator("summary").click()
            links = field.locator(".site-nav__menu a")
            assert links.all_inner_texts() == FIELD[username]
            fits_the_phone(page)
            # One menu at a time: opening 更多 closes 外勤, and back.
            more = page.locator("#site-nav details:not(.site-nav__field)")
            more.locator("summary").click()
            assert more.evaluate("d => d.open") and not field.evaluate("d => d.open")
            field.locator("summary").click()
            assert field.evaluate("d => d.open") and not more.evaluate("d => d.open")
            links.first.click()  # a page they may use
            page.wait_for_load_state()
            assert page.locator("h1").count() >= 1 and page.errors == []

    if username == "demo-resident":
        # Their three entries are all there is: home is behind the site title, no 更多.
        assert page.locator("#site-nav summary").count() == 0
        assert page.errors == []
        return
    # 更多 opens the rest, home first; a tap there goes to the page.
    page.goto(live_city + "/credit/")
    page.locator("#site-nav summary", has_text="更多").click()
    menu = page.locator("#site-nav details:not(.site-nav__field) .site-nav__menu a")
    assert menu.all_inner_texts()[0] == "首页"
    assert set(menu.all_inner_texts()) | set(DAILY[username]) >= {"志愿服务", "信用积分"}
    fits_the_phone(page)
    menu.first.click()
    page.wait_for_url(live_city + "/")
    assert page.errors == []


def test_a_desktop_shows_every_link_in_one_row(live_city, browser):
    context = browser.new_context(viewport=DESKTOP, **CONTEXT)
    try:
        page = context.new_page()
        log_in(page, live_city, "demo-community")
        every = ["首页", "分拨", "督办", "看板", *FIELD["demo-community"]]
        every += ["诉求", "志愿服务", "信用积分", "数据交换"]
        assert _row_links(page) == every
        assert page.locator("#site-nav summary:visible").count() == 0
    finally:
        close_context(context)
