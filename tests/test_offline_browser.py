"""Offline in the field (issue 13 item 4) in a real browser on a phone: what a grid worker
writes with no network (a quick report, a patrol's finding, a household visit) is kept on
the phone (「待发送 N 条」), the pages open from the service worker's cache, and once online
each is recorded exactly once, also when the answer to the first replay is lost and the
phone sends it again."""

import os
import re

import pytest
from django.utils import timezone

from cases.models import Case
from patrol.models import Finding, Patrol, PatrolStatus, Visit
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _lose_the_first_answer(page, path):
    """The first POST to ``path`` reaches the server, but its answer never reaches the
    phone (as on a signal that drops mid-request)."""
    lost = []

    def handle(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server does the work…
            lost.append(route.request.url)
            route.abort("internetdisconnected")  # …and the phone hears nothing
        else:
            route.continue_()

    page.route(re.compile(re.escape(path) + r"$"), handle)
    return lost


def test_a_quick_report_made_offline_is_filed_once_when_back_online(live_city, open_phone):
    worker = open_phone(service_workers="allow")
    log_in(worker, live_city, "demo-grid")
    worker.goto(f"{live_city}/cases/queue/")
    # The service worker is in charge of the page, so the page opens offline.
    worker.evaluate("navigator.serviceWorker.ready.then(() => true)")
    worker.reload()
    assert worker.evaluate("!!navigator.serviceWorker.controller")

    worker.context.set_offline(True)
    worker.reload()  # from the worker's cache
    worker.locator("#quick-report summary").click()
    worker.get_by_label("反映什么问题").fill("村口路灯不亮")
    worker.get_by_label("详细情况").fill("晚上巡查看到的")
    worker.get_by_role("button", name="提交分拨").click()
    badge = worker.locator(".offline-bar__badge")
    badge.filter(has_text="待发送 1 条").wait_for()
    assert "离线" in badge.inner_text()
    assert "已存在手机上" in worker.locator(".offline-note").inner_text()
    fits_the_phone(worker)
    worker.screenshot(path=os.path.join(SCREENSHOT_DIR, "gridgov-offline-queued.png"))
    assert not Case.objects.filter(title="村口路灯不亮").exists()

    badge.click()  # the list: what is kept, and why it has not gone yet
    kept = worker.locator(".offline-bar__item")
    assert "村口路灯不亮" in kept.inner_text() and "等待发送" in kept.inner_text()

    lost = _lose_the_first_answer(worker, "/cases/queue/")
    worker.context.set_offline(False)  # the 'online' event sends the queue
    kept.filter(has_text="网络不通").wait_for()  # the answer was lost: still kept
    assert "待发送 1 条" in badge.inner_text()
    assert lost and Case.objects.filter(title="村口路灯不亮").count() == 1

    worker.reload()  # the next page load sends it again: answered as the first time
    badge.filter(has_text="已发送 1 条").wait_for()
    case = Case.objects.get(title="村口路灯不亮")
    assert case.channel == "grid_report"
    assert case.events.get(action="submit").data["offline_at"]
    # The one failed load is the answer the test made the phone lose.
    assert [e for e in worker.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_a_finding_and_a_visit_made_offline_arrive_once_each(live_city, open_phone):
    """Issue 13's test: a patrol's finding and a household visit recorded with the
    browser offline are kept, then sent when it is back online, and the server has
    exactly one of each, though the finding's first answer is lost and it is sent twice."""
    base = live_city
    worker = open_phone(service_workers="allow")
    log_in(worker, base, "demo-grid")
    worker.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # At the office: a patrol begins, and the visit to-do list keeps each household's form.
    worker.goto(f"{base}/patrol/")
    worker.get_by_role("button", name="开始巡查").click()
    worker.locator("#current-patrol").wait_for()
    patrol = Patrol.objects.get(status=PatrolStatus.ON_PATROL)
    worker.goto(f"{base}/visits/")
    first = worker.locator(".visit-todo [data-household]").first
    household = int(first.get_attribute("data-household"))
    form_url = f"{base}/visits/new/?household={household}"
    worker.locator("html[data-offline-kept]").wait_for(state="attached")

    # In the village: no signal.
    worker.context.set_offline(True)
    worker.goto(f"{base}/patrol/")
    worker.locator("#finding summary").click()
    worker.get_by_label("类型").select_option("problem")
    worker.get_by_label("标题").fill("村道井盖缺失")
    worker.get_by_label("情况").fill("村委会东侧路口的井盖不见了")
    worker.get_by_role("button", name="提交发现").click()
    badge = worker.locator(".offline-bar__badge")
    badge.filter(has_text="待发送 1 条").wait_for()

    worker.goto(f"{base}/visits/")
    worker.locator(f"[data-household='{household}']").get_by_role("link", name="记录走访").click()
    worker.wait_for_url(form_url)
    worker.get_by_label("走访情况").fill("老人身体还好，想了解助餐")
    worker.get_by_role("button", name="保存走访").click()
    badge.filter(has_text="待发送 2 条").wait_for()
    fits_the_phone(worker)
    badge.click()
    kept = worker.locator(".offline-bar__item")
    assert "村道井盖缺失" in kept.first.inner_text() and kept.count() == 2
    worker.screenshot(path=os.path.join(SCREENSHOT_DIR, "gridgov-offline-field.png"))
    assert not Finding.objects.exists() and not Visit.objects.exists()

    # Back in signal: the finding goes first, but its answer is lost on the way back.
    lost = _lose_the_first_answer(worker, f"/patrol/{patrol.pk}/findings/")
    back_online = timezone.now()
    worker.context.set_offline(False)
    kept.filter(has_text="网络不通").first.wait_for()
    assert lost and Finding.objects.count() == 1 and not Visit.objects.exists()  # in order

    worker.reload()  # sent again: the finding is answered as the first time, then the visit
    badge.filter(has_text="已发送 2 条").wait_for()
    finding = Finding.objects.get()
    assert finding.patrol == patrol and finding.case.title == "村道井盖缺失"
    assert Case.objects.filter(channel="patrol").count() == 1
    visit = Visit.objects.get()
    assert visit.household_id == household and visit.notes == "老人身体还好，想了解助餐"
    assert visit.visited_at < back_online  # when it was pressed, not when it arrived
    assert [e for e in worker.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
