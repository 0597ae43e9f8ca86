"""The hotline's column mapping and an imported long text in a real browser on a phone: a
person switches a column off and sets the time zone, and opens a case's whole text."""

import datetime as dt

import pytest
from django.utils import timezone

from exchange.actions import HotlineOrder, do_import_hotline_order
from exchange.models import HotlineSystem
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def test_the_leader_switches_a_column_off_and_sets_the_time_zone(live_city, open_phone):
    system = HotlineSystem.objects.get(slug="hotline-12345")
    page = open_phone()
    log_in(page, live_city, "demo-leader")
    page.goto(f"{live_city}/exchange/hotline/{system.slug}/mapping/")
    fits_the_phone(page)
    page.get_by_label("经度", exact=True).fill("-")
    page.get_by_label("纬度", exact=True).fill("-")
    page.get_by_label("时区").fill("Asia/Urumqi")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    system.refresh_from_db()
    assert system.mapping["lng"] == "" and system.mapping["lat"] == ""
    assert system.time_zone == "Asia/Urumqi"
    assert not page.errors


def test_a_long_imported_text_opens_whole_on_the_case_page(live_city, open_phone):
    system = HotlineSystem.objects.get(slug="hotline-12345")
    text = ("楼上漏水已经半年，物业多次推诿。" * 500)[:6999]
    case, _ = do_import_hotline_order(
        HotlineOrder(
            ticket_no="LONG1",
            received_at=timezone.now() - dt.timedelta(hours=1),
            content=text,
            address="桂梅家园1栋",
        ),
        system=system,
        actor=None,
        grid_code="360802001001001",
    )
    page = open_phone()
    log_in(page, live_city, "demo-leader")
    page.goto(f"{live_city}/cases/{case.pk}/")
    fits_the_phone(page)
    page.get_by_text("全文(6999 字)").click()
    whole = page.locator("#full-text .prose")
    assert whole.is_visible()
    assert len(whole.inner_text().replace("\n", "")) == 6999
    assert not page.errors
