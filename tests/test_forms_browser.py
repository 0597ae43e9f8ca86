"""Forms that had no browser test, filled and sent on a 390×844 phone as a person would:
the second factor (enrol, log out, verify with a recovery code), the inbox's read buttons,
triage's quick actions and merge, and the supervision board's urge and supervise."""

import base64
import datetime as dt
import time

import pytest
from django.utils import timezone

from accounts import totp
from accounts.models import TOTPDevice
from cases.actions import Report, do_create_case
from cases.models import Case, Status
from org.models import GridKind, OrgNode, User
from outbox.models import Channel, InboxMessage, Outbox
from simulate.citygen import DEMO_PASSWORD
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _grid_of(username):
    community = User.objects.get(username=username).assignments.get().node
    return (
        OrgNode.objects.filter(code__startswith=community.code, grid_kind=GridKind.RESIDENTIAL)
        .order_by("code")
        .first()
    )


def _case(title, username="demo-community"):
    return do_create_case(
        Report(title=title, channel="hotline_12345", grid_code=_grid_of(username).code)
    )


def test_a_secretary_enrols_a_second_factor_logs_out_and_verifies_with_a_recovery_code(
    live_city, open_phone
):
    page = open_phone()
    log_in(page, live_city, "demo-community")
    page.goto(live_city + "/login/enrol/")
    fits_the_phone(page)
    secret = base64.b32decode(page.locator("code.code").inner_text().replace(" ", ""))
    page.get_by_label("6 位验证码").fill(totp.totp(secret, time.time()))
    page.get_by_role("button", name="确认绑定").click()
    page.get_by_role("heading", name="两步验证已启用").wait_for()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) >= 5
    assert TOTPDevice.objects.get(user__username="demo-community").confirmed_at is not None
    fits_the_phone(page)
    page.get_by_role("link", name="我已保存，继续").click()

    page.get_by_role("button", name="退出").click()
    # The offline queue clears its cached pages before the logout form goes.
    page.get_by_role("button", name="退出").wait_for(state="detached")
    page.goto(live_city + "/cases/triage/")
    assert "/login/" in page.url  # logged out for real

    page.goto(live_city + "/login/")
    page.get_by_label("用户名").fill("demo-community")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_city + "/login/verify/")
    fits_the_phone(page)
    page.get_by_label("验证码或恢复码").fill("000000")
    page.get_by_role("button", name="验证").click()
    assert "验证码不正确" in page.locator("[role=alert]").inner_text()
    page.get_by_label("验证码或恢复码").fill(codes[0])
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(live_city + "/")
    assert page.get_by_role("button", name="退出").count() == 1
    assert page.errors == []


def test_the_inbox_opens_one_message_marks_one_read_and_then_all(live_city, open_phone):
    user = User.objects.get(username="demo-dept")
    for number in range(3):
        outbox = Outbox.objects.create(channel=Channel.INBOX, recipient=user, event="test")
        InboxMessage.objects.create(
            user=user,
            outbox=outbox,
            title=f"第 {number + 1} 条消息",
            url="/volunteer/" if number == 0 else "",
        )
    page = open_phone()
    log_in(page, live_city, "demo-dept")
    page.goto(live_city + "/cases/inbox/#messages")
    fits_the_phone(page)
    messages = page.locator("#messages")

    messages.locator(".inbox-message", has_text="第 1 条消息").get_by_role(
        "button", name="查看"
    ).click()
    page.wait_for_url(f"{live_city}/volunteer/")
    assert InboxMessage.objects.get(title="第 1 条消息").read_at is not None

    page.goto(live_city + "/cases/inbox/#messages")
    messages.locator(".inbox-message", has_text="第 2 条消息").get_by_role(
        "button", name="标为已读"
    ).click()
    page.wait_for_url(live_city + "/cases/inbox/")
    assert InboxMessage.objects.get(title="第 2 条消息").read_at is not None
    assert InboxMessage.objects.get(title="第 3 条消息").read_at is None
    assert messages.locator(".count").inner_text() == "1"

    messages.get_by_role("button", name="全部标为已读").click()
    page.wait_for_url(live_city + "/cases/inbox/")
    assert not InboxMessage.objects.filter(user=user, read_at=None).exists()
    assert messages.get_by_role("button", name="全部标为已读").count() == 0
    fits_the_phone(page)
    assert page.errors == []


def test_triage_merges_a_duplicate_then_accepts_handles_and_claims(live_city, open_phone):
    first = _case("小区路灯不亮")
    duplicate = _case("小区路灯坏了")
    Case.objects.filter(pk=duplicate.pk).update(possible_duplicate_of=first)
    to_accept, to_handle, to_claim = (_case(f"分拨测试{n}") for n in range(3))
    page = open_phone()
    log_in(page, live_city, "demo-community")
    page.goto(live_city + "/cases/triage/")
    fits_the_phone(page)

    card = page.locator(f"#case-{duplicate.pk}")
    assert first.number in card.locator(".triage__duplicate").inner_text()
    card.get_by_role("button", name="合并到该件").click()
    page.wait_for_load_state()
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.merged_into_id == first.pk
    assert page.locator(f"#case-{duplicate.pk}").count() == 0

    for case, button, status in (
        (to_accept, "受理", Status.ACCEPTED),
        (to_handle, "直接办理", Status.IN_PROGRESS),
    ):
        page.locator(f"#case-{case.pk}").get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()
        case.refresh_from_db()
        assert case.status == status, (button, page.locator(".messages").inner_text())

    page.locator(f"#case-{to_claim.pk}").get_by_role("button", name="认领").click()
    page.wait_for_load_state()
    to_claim.refresh_from_db()
    assert to_claim.status == Status.ACCEPTED
    assert to_claim.events.filter(action="claim").exists()
    fits_the_phone(page)
    assert page.errors == []


def test_the_board_urges_and_supervises_an_overdue_case(live_city, open_phone):
    case = _case("垃圾清运不及时")
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    page = open_phone()
    log_in(page, live_city, "demo-street")
    page.goto(live_city + f"/cases/board/?q={case.number}")
    fits_the_phone(page)
    item = page.locator(".case-item", has_text=case.number)
    item.get_by_role("button", name="催办").click()
    page.wait_for_load_state()
    assert case.events.filter(action="urge").exists()
    item = page.locator(".case-item", has_text=case.number)
    item.get_by_role("button", name="督办").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.is_supervised
    assert (
        page.locator(".case-item", has_text=case.number).get_by_role("button", name="督办").count()
        == 0
    )
    fits_the_phone(page)
    assert page.errors == []
