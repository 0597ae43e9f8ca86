"""Patrol through the pages in a real browser (Debian's Chromium, phone screen): a grid
worker starts a patrol from the home page, reports a problem (a case with channel
patrol), ends the patrol and sees today's hours against the standard; the community
secretary sees the week of their grids."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from shapely.geometry import shape

from cases.models import Case
from org.models import User
from patrol.models import Finding, Patrol, PatrolStatus
from patrol.patrols import do_add_points
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "bar.jpg"
    Image.new("RGB", (800, 600), (90, 120, 60)).save(path, format="JPEG")
    return path


def _shot(page, name):
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"gridgov-patrol-{name}.png"), full_page=True)


def test_a_worker_patrols_reports_a_problem_and_the_community_sees_the_week(
    live_city, open_phone, photo
):
    base = live_city
    grid = User.objects.get(username="demo-grid").assignments.get().node

    # The grid worker starts a patrol from the home page's panel.
    worker = open_phone()
    log_in(worker, base, "demo-grid")
    panel = worker.locator("#home-patrol")
    assert "今日 0.0 / 2 小时" in panel.inner_text()
    panel.get_by_role("link", name="开始巡查").click()
    worker.wait_for_url(f"{base}/patrol/")
    # offline.js posts these forms (data-offline), then opens the page the answer names.
    worker.get_by_role("button", name="开始巡查").click()
    worker.locator(".messages", has_text="已开始巡查").wait_for()
    assert "已开始巡查" in worker.locator(".messages").inner_text()
    patrol = Patrol.objects.get(status=PatrolStatus.ON_PATROL)
    assert patrol.grid == grid
    # The patrol began two and a half hours ago (the clock is not slept through).
    Patrol.objects.filter(pk=patrol.pk).update(
        started_at=patrol.started_at - timedelta(hours=2, minutes=30)
    )

    # Its track so far, as the phone's script sends it (a browser has no GPS here).
    spot = shape(grid.geometry).representative_point()
    do_add_points(
        patrol.pk,
        [
            {"lat": spot.y + i * 1e-4, "lng": spot.x, "recorded_at": at.isoformat()}
            for i, at in enumerate(timezone.now() - timedelta(minutes=m) for m in (90, 60, 30))
        ],
        actor=patrol.worker,
    )

    # From now on the phone has a position (inside the grid) for track.js to keep.
    worker.context.grant_permissions(["geolocation"], origin=base)
    worker.context.set_geolocation({"latitude": spot.y, "longitude": spot.x, "accuracy": 10})

    # A problem found on the way becomes a case of the patrol channel.
    worker.reload()
    worker.locator("#finding summary").click()
    worker.get_by_label("类型").select_option("problem")
    worker.get_by_label("标题").fill("健身器材损坏")
    worker.get_by_label("情况").fill("广场东侧的单杠松动，有安全隐患")
    worker.locator("#id_photos").set_input_files(str(photo))
    fits_the_phone(worker)
    _shot(worker, "today")
    worker.get_by_role("button", name="提交发现").click()
    worker.locator(".messages", has_text="已立案").wait_for()
    case = Case.objects.get(channel="patrol")
    assert case.number in worker.locator(".messages").inner_text()
    assert case.title == "健身器材损坏" and case.grid == grid
    assert Finding.objects.get().case == case and case.photos.count() == 1

    # Walking out of the grid twice, a few seconds apart: both positions reach the server
    # and 「已出网格」 shows as soon as it answers (the batch goes at once on "online").
    assert worker.locator("#left-grid").is_hidden()
    for step in (1, 2):
        away = {"latitude": spot.y + 0.05 + step * 1e-3, "longitude": spot.x, "accuracy": 10}
        worker.context.set_geolocation(away)
        worker.wait_for_function(
            "lat => document.querySelector('.js-last-lat').value === lat",
            arg=f"{away['latitude']:.6f}",
        )
        # Real positions come seconds apart: the server keeps a point only if it is at
        # least half a second newer than the last one kept (a batch sent again adds
        # nothing), and the two may go in separate batches.
        worker.wait_for_timeout(1000)
    worker.evaluate("window.dispatchEvent(new Event('online'))")
    # Each position may go in its own batch: wait for the answer that counts both.
    worker.locator("#left-grid", has_text="2 个点").wait_for()
    patrol.refresh_from_db()
    assert patrol.left_grid_count == 2
    assert "alert--notice" in worker.locator("#left-grid").get_attribute("class")
    # With its 起 time at once, as after a reload (the server's local time).
    since = timezone.localtime(patrol.left_grid_at).strftime("%H:%M")
    assert f"（{since} 起）" in worker.locator("#left-grid").inner_text()

    # Ending it: today's hours now meet Jizhou's standard (the platform default, 2 h).
    worker.get_by_role("button", name="结束巡查").click()
    worker.locator(".messages", has_text="巡查已结束").wait_for()
    assert "巡查已结束，本次 2.5 小时" in worker.locator(".messages").inner_text()
    assert "2.5" in worker.locator("[data-field=today] dd").inner_text()
    assert "今日已达标" in worker.locator(".patrol-verdict").inner_text()
    worker.locator(f"a[href='/patrol/{patrol.pk}/']").first.click()  # the patrol just ended
    assert "巡查发现" in worker.locator("#findings").inner_text()
    assert case.number in worker.locator("#findings").inner_text()
    worker.locator("#patrol-map[data-ready='1']").wait_for()
    assert worker.locator("#patrol-map path.leaflet-interactive").count() >= 2  # grid, track
    _shot(worker, "detail")
    fits_the_phone(worker)
    assert worker.errors == []

    # The community secretary sees their grids × this week.
    community = open_phone()
    log_in(community, base, "demo-community")
    community.locator("#home-patrol").get_by_role("link").click()
    community.wait_for_url(f"{base}/patrol/week/{grid.parent.code}/")
    row = community.locator(f"tr[data-grid='{grid.code}']")
    assert "2.5" in row.inner_text() and "1/1" in row.inner_text()
    assert "1 / 1" in community.locator("[data-field=findings]").inner_text()
    fits_the_phone(community)
    # Every column on the screen: no table scrolls sideways (a card per grid and worker).
    scrolling = community.evaluate(
        "[...document.querySelectorAll('.patrol-scroll')]"
        ".filter(e => e.scrollWidth > e.clientWidth).length"
    )
    assert scrolling == 0
    _shot(community, "week")
    assert community.errors == []
