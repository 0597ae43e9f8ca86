"""Household visits and care through the pages on a 390×844 phone: a grid worker opens the
to-do list, records a visit with a need, turns the need into a case and sees the coverage
change; on the care list the worker records a call and the community changes a rhythm."""

import datetime as dt
import os

import pytest

from cases.models import Case
from org.models import User
from patrol.care import do_plan_default_care
from patrol.models import CareSchedule, Visit
from residents.models import Resident, Tag
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"gridgov-visits-{name}.png"), full_page=True)


def test_a_grid_worker_visits_a_household_turns_a_need_into_a_case_and_sees_coverage(
    live_city, open_phone
):
    base = live_city
    page = open_phone()
    log_in(page, base, "demo-grid")
    page.locator(".home-visits").get_by_role("link", name="走访待办").click()
    page.wait_for_url(f"{base}/visits/")
    assert page.locator(".visit-stats [data-field=percent]").inner_text() == "0%"
    fits_the_phone(page)
    _shot(page, "todo")
    first = page.locator(".visit-todo [data-household]").first
    household = int(first.get_attribute("data-household"))
    first.get_by_role("link", name="记录走访").click()

    form = page.locator("form.visit-form")
    assert form.get_attribute("data-offline") is not None
    form.get_by_label("见到住户").check()
    form.locator("[name=met]").first.check()
    form.locator("[name=need_text]").first.fill("楼道灯坏了，晚上看不见")
    fits_the_phone(page)
    _shot(page, "form")
    form.get_by_role("button", name="保存走访").click()
    page.wait_for_url(f"{base}/visits/*/")
    assert "走访已记录" in page.locator(".messages").inner_text()

    need = page.locator("[data-need]").first
    need.get_by_role("button", name="转为工单").click()
    page.wait_for_url(f"{base}/visits/*/")
    assert "已转为诉求工单" in page.locator(".messages").inner_text()
    case = Case.objects.get(title="楼道灯坏了，晚上看不见")
    assert (
        case.channel == "home_visit"
        and case.number in page.locator("[data-converted=case]").inner_text()
    )
    _shot(page, "detail")

    page.get_by_role("link", name="返回走访待办").click()
    households = page.locator(".visit-stats [data-field=covered]").inner_text()
    assert households.startswith("1/")
    assert page.locator(".visit-stats [data-field=percent]").inner_text() != "0%"
    assert page.locator(f"[data-household='{household}']").count() == 0
    assert Visit.objects.filter(household_id=household).count() == 1
    assert page.errors == []


def test_the_worker_calls_an_overdue_resident_and_the_community_changes_the_rhythm(
    live_city, open_phone
):
    base = live_city
    grid = User.objects.get(username="demo-grid").assignments.get().node
    resident = Resident.objects.filter(household__grid=grid).order_by("pk").first()
    resident.tags.add(Tag.objects.get(code="living-alone"))
    do_plan_default_care(grid.code)
    schedule = CareSchedule.objects.get(resident=resident)
    CareSchedule.objects.filter(pk=schedule.pk).update(
        due_on=dt.date.today() - dt.timedelta(days=3)
    )

    worker = open_phone()
    log_in(worker, base, "demo-grid")
    worker.goto(f"{base}/care/?show=overdue")
    row = worker.locator(f"[data-schedule='{schedule.pk}']")
    assert "已逾期" in row.inner_text() and resident.name not in row.inner_text()
    fits_the_phone(worker)
    _shot(worker, "care")
    row.get_by_role("button", name="已电话联系").click()
    worker.wait_for_url(f"{base}/care/?show=overdue")
    assert "已记录关爱联系" in worker.locator(".messages").inner_text()
    assert worker.locator(f"[data-schedule='{schedule.pk}']").count() == 0
    assert schedule.contacts.get().kind == "phone"

    community = open_phone()
    log_in(community, base, "demo-community")
    community.locator(".home-visits").get_by_role("link", name="走访覆盖率").click()
    community.wait_for_url(f"{base}/visits/coverage/*")
    assert community.locator(f"[data-grid='{grid.code}']").count() == 1
    community.goto(f"{base}/care/")
    row = community.locator(f"[data-schedule='{schedule.pk}']")
    row.locator("summary").click()
    row.locator("[name=every_days]").fill("3")
    row.get_by_role("button", name="保存计划").click()
    community.wait_for_url(f"{base}/care/")
    assert "关爱计划已更新" in community.locator(".messages").inner_text()
    schedule.refresh_from_db()
    assert (schedule.every_days, schedule.version) == (3, 2)
    community.goto(f"{base}/visits/coverage/")
    fits_the_phone(community)
    _shot(community, "coverage")
    assert worker.errors == [] and community.errors == []
