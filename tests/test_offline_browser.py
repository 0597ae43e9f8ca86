"""Offline in the field (issue 13 item 4) in a real browser on a phone: a grid worker's
quick report written with no network is kept on the phone (「待发送 1 条」), the page still
opens from the service worker's cache, and once online the report is filed exactly once,
also when the answer to the first replay is lost and the phone sends it again."""

import os
import re

import pytest

from cases.models import Case
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
    worker = open_phone()
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
