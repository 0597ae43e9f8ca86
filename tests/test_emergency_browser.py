"""平急转换 and 双报到 through the pages in a real browser (Debian's Chromium, 390×844):
a volunteer registers at their home grid; the community's secretary switches the community
to emergency mode with a reason, the member checks in from their phone (a second browser
context), the secretary sees the check-in arrive on the roll-call, gives a task, and
switches back to peacetime."""

import os

import pytest

from emergency.models import Activation, CallUp
from members.actions import Details, do_create_registration
from members.models import Registration
from org.models import OrgNode, User
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(
        path=os.path.join(SCREENSHOT_DIR, f"gridgov-emergency-{name}.png"), full_page=True
    )


def test_a_member_registers_and_a_switch_calls_them_up_to_check_in(live_city, open_phone):
    base = live_city
    secretary = User.objects.get(username="demo-community")
    community = secretary.assignments.get().node
    home = User.objects.get(username="demo-volunteer").resident.household.grid
    neighbour = OrgNode.objects.filter(parent=community).exclude(pk=home.pk).order_by("code")[0]
    do_create_registration(
        actor=secretary,
        details=Details(
            name="王强", phone="13912345678", employer="市税务局", grid_code=neighbour.code
        ),
    )

    # 双报到: the volunteer registers at their home grid from the home page.
    member = open_phone()
    log_in(member, base, "demo-volunteer")
    member.locator(".members-home").get_by_role("link", name="到社区报到").click()
    member.get_by_label("工作单位").fill("区应急管理局")
    member.get_by_label("技能特长").fill("急救、驾驶")
    fits_the_phone(member)
    member.get_by_role("button", name="报到").click()
    member.wait_for_url(f"{base}/members/me/")
    assert "急救、驾驶" in member.locator("#my-registration").inner_text()
    registration = Registration.objects.get(user__username="demo-volunteer")
    assert registration.employer == "区应急管理局"

    # The secretary switches the community to emergency mode with a reason.
    leader = open_phone()
    leader.on("dialog", lambda dialog: dialog.accept())
    log_in(leader, base, "demo-community")
    leader.locator(".emergency-home").get_by_role("link", name="平急转换").click()
    assert "已报到" in leader.locator("#registered").inner_text()
    form = leader.locator("#switch-form")
    form.get_by_label("范围").select_option(community.code)
    form.get_by_label("事由").fill("台风红色预警，启动防汛应急响应")
    fits_the_phone(leader)
    form.get_by_role("button", name="转入应急状态").click()
    leader.wait_for_url(f"{base}/emergency/*/")
    activation = Activation.objects.get(node=community, status="active")
    called = leader.locator("#rollcall [data-field=called] dd")
    assert called.inner_text() == "2"
    assert leader.locator("#rollcall [data-field=checked_in] dd").inner_text() == "0"
    _shot(leader, "rollcall-before")

    # The member is called up: the home page asks them to check in.
    member.goto(f"{base}/")
    member.locator(".emergency-home").get_by_role("link", name="去签到").click()
    member.wait_for_url(f"{base}/emergency/mine/")
    assert "台风红色预警" in member.locator(".callup").inner_text()
    fits_the_phone(member)
    member.get_by_role("button", name="签到").click()
    # The form is sent by the offline queue (fetch), then the page opens its answer.
    member.locator(".messages", has_text="已签到").wait_for()
    assert (
        CallUp.objects.get(activation=activation, registration=registration).status == "checked_in"
    )

    # The check-in arrives on the roll-call (the counts refresh; a reload shows it too).
    leader.reload()
    assert leader.locator("#rollcall [data-field=checked_in] dd").inner_text() == "1"
    _shot(leader, "rollcall-after")

    # The other member has no phone at hand: the secretary checks them in on the grid's list.
    leader.locator("#rollcall").get_by_role("link", name=neighbour.name).click()
    leader.wait_for_url(f"{base}/emergency/{activation.pk}/grids/{neighbour.code}/")
    assert "王强" in leader.locator("#grid-callups").inner_text()  # named in full, as the register
    fits_the_phone(leader)
    leader.get_by_role("button", name="代签到").click()
    leader.locator("#grid-callups", has_text="已签到").wait_for()
    leader.goto(f"{base}/emergency/{activation.pk}/")
    assert leader.locator("#rollcall [data-field=checked_in] dd").inner_text() == "2"

    # A task for the member's grid, then back to peacetime.
    task = leader.locator("#task-form")
    task.get_by_label("对象").select_option(f"grid:{home.code}")
    task.get_by_label("任务").fill("排查低洼地带住户")
    task.get_by_label("地点").fill("1号楼")
    task.get_by_role("button", name="下达任务").click()
    leader.locator("#tasks", has_text="排查低洼地带住户").wait_for()
    assert leader.locator("#rollcall [data-field=on_task] dd").inner_text() == "1"
    end = leader.locator("#end-form")
    end.get_by_label("说明").fill("预警解除")
    end.get_by_role("button", name="恢复平时").click()
    leader.locator("#activation-status", has_text="已恢复平时").wait_for()
    activation.refresh_from_db()
    assert activation.status == "ended"
    assert list(activation.events.values_list("action", flat=True)) == ["switch", "task", "end"]

    member.goto(f"{base}/emergency/mine/")
    assert "排查低洼地带住户" in member.locator(".callup").inner_text()
    assert member.errors == [] and leader.errors == []
