"""The pages in a real browser: Debian's Chromium driven by Playwright, on a phone screen."""

import os
import re

import pytest

from org.models import GridKind, Household, OrgNode
from residents.models import AccessLog, Resident
from tests.browser import CONTEXT, PHONE, SCREENSHOT_DIR, close_context, log_in, watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, **CONTEXT)
    page = context.new_page()
    watch_errors(page)
    yield page
    close_context(context)


def _open_child(page, node):
    page.locator("table.nodes").get_by_role("link", name=node.name, exact=True).click()
    page.wait_for_url(re.compile(f"/org/{node.code}/$"))
    assert page.locator("h1").inner_text() == node.name


def test_leader_drills_down_from_the_district_to_a_household_on_a_phone(live_city, phone):
    page = phone
    log_in(page, live_city, "demo-leader")

    district = OrgNode.objects.get(parent=None)
    town = district.children.order_by("code").first()
    community = town.children.order_by("code").first()
    grid = (
        community.children.filter(grid_kind=GridKind.RESIDENTIAL, households__isnull=False)
        .distinct()
        .order_by("code")
        .first()
    )
    household = Household.objects.filter(grid=grid).order_by("code").first()

    for node in (district, town, community, grid):
        _open_child(page, node)

    # The grid page: its map drawn from the GeoJSON boundary, and its households.
    grid_map = page.locator("#grid-map")
    grid_map.wait_for()
    page.wait_for_selector("#grid-map[data-ready='1'] path.leaflet-interactive")
    box = grid_map.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    # A neutral attribution: no library banner or flag on a government map.
    attribution = page.locator("#grid-map .leaflet-control-attribution")
    assert "Leaflet" not in attribution.inner_html()
    households = page.locator("ul.households li")
    assert households.count() == Household.objects.filter(grid=grid).count()
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "gridgov-grid.png"), full_page=True)

    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name=household.address, exact=True).click()
    page.wait_for_url(re.compile(f"/household/{household.code}/$"))
    assert page.locator("h1").inner_text() == household.address
    phones = page.locator("ul.residents dd.masked").all_inner_texts()
    assert any("****" in text for text in phones)
    for resident in Resident.objects.filter(household=household).exclude(phone=""):
        assert resident.phone not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "gridgov-household.png"), full_page=True)
    assert page.errors == []


def test_community_secretary_reveals_a_phone_number_in_the_browser(live_city, phone):
    page = phone
    log_in(page, live_city, "demo-community")
    resident = Resident.objects.exclude(phone="").order_by("household__code", "pk").first()
    page.goto(f"{live_city}/person/{resident.pk}/")
    assert resident.phone not in page.content()
    page.locator(".personal-field", has_text="手机号").get_by_role("button", name="显示").click()
    page.wait_for_selector("#revealed-phone")
    assert page.locator("#revealed-phone").inner_text() == resident.phone
    assert "已记录" in page.locator("[role=status]").inner_text()
    assert AccessLog.objects.filter(resident=resident, field="phone", channel="page").count() == 1
    # The number is a tap to call; the address is the person's page, so a reload shows it
    # masked again and logs nothing more (it used to stay on /reveal/ and reveal again).
    assert page.locator("#revealed-phone").get_attribute("href") == f"tel:{resident.phone}"
    assert page.url == f"{live_city}/person/{resident.pk}/#revealed-phone"
    page.reload()
    assert resident.phone not in page.content()
    assert AccessLog.objects.filter(resident=resident, field="phone", channel="page").count() == 1
    assert page.errors == []


def test_a_callback_by_phone_reveals_the_reporter_on_the_case_page(live_city, phone):
    from audit.models import AuditLog
    from cases.actions import Report, do_create_case

    grid = OrgNode.objects.filter(grid_kind=GridKind.RESIDENTIAL).order_by("code").first()
    case = do_create_case(
        Report(
            title="楼道灯坏了",
            channel="hotline_12345",
            grid_code=grid.code,
            reporter_name="王秀英",
            reporter_phone="13912345678",
        )
    )
    page = phone
    log_in(page, live_city, "demo-community")
    page.goto(f"{live_city}/cases/{case.pk}/")
    reporter = page.locator("#reporter")
    assert "139****5678" in reporter.inner_text() and "13912345678" not in page.content()
    reporter.get_by_role("button", name="显示").click()
    page.wait_for_url(f"{live_city}/cases/{case.pk}/#reporter")
    call = page.locator("#reporter a.revealed")
    assert call.inner_text() == "王秀英 13912345678"
    assert call.get_attribute("href") == "tel:13912345678"
    assert AuditLog.objects.filter(action="reveal_reporter", object_id=str(case.pk)).count() == 1
    page.reload()
    assert "13912345678" not in page.content()

    # Who may not reveal sees no button (a leader oversees; residents.reveal is not theirs).
    worker = page.context.browser.new_context(viewport=PHONE, **CONTEXT).new_page()
    log_in(worker, live_city, "demo-leader")
    worker.goto(f"{live_city}/cases/{case.pk}/")
    assert worker.locator("#reporter button").count() == 0
    close_context(worker.context)
    assert page.errors == []
