"""Every action form on a case's page (``cases/_action_form.html``), filled and sent on a
390×844 phone by the person whose work it is, the database checked after each: a hotline
case is accepted, whistled, dispatched, returned, dispatched again, accepted by the
department, reported in, progressed, extended (requested and approved), escalated,
dispatched and resolved, reopened and resolved again. Another is claimed and handled by
the community, urged and supervised by the district (a third refused and a fourth merged
into it on the way) (``tests/browser_forms.py``'s CASE_ACTION_FORMS lists who
sends each action's form)."""

import re

import pytest

from cases.actions import Report, do_create_case
from cases.models import Case, Status
from org.models import GridKind, OrgNode, User
from tests.browser import fits_the_phone, log_in

pytestmark = pytest.mark.browser

CITY_MANAGEMENT = "department:360802-city_management"


def _act(page, action, **fields):
    """Unfold the action's form, fill it by its labels (True checks a box or a choice; a
    select gets the option's value) and press its 确认… button."""
    form = page.locator(f"details.action--{action}")
    form.locator("summary").click()
    for label, value in fields.items():
        field = form.get_by_label(label, exact=True)
        if field.count() == 0:  # a label with a hint after it (备注 选填)
            field = form.get_by_label(re.compile(re.escape(label)))
        if value is True:
            field.check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    fits_the_phone(page)
    form.get_by_role("button", name=re.compile("^确认")).click()
    page.wait_for_load_state()
    assert page.locator("#action-error").count() == 0, page.locator("#action-error").inner_text()


def _status(case):
    case.refresh_from_db()
    return case.status


def test_a_case_walks_through_every_action_form_on_its_page(live_city, open_phone):
    base = live_city
    community = User.objects.get(username="demo-community").assignments.get().node
    grid = OrgNode.objects.filter(
        code__startswith=community.code, grid_kind=GridKind.RESIDENTIAL
    ).order_by("code")[0]
    case = do_create_case(
        Report(title="人行道地砖破损", channel="hotline_12345", grid_code=grid.code)
    )
    url = f"{base}/cases/{case.pk}/"

    secretary = open_phone()
    log_in(secretary, base, "demo-community")
    department = open_phone()
    log_in(department, base, "demo-dept")
    leader = open_phone()
    log_in(leader, base, "demo-leader")
    for page in (secretary, department, leader):
        page.set_default_timeout(5000)

    secretary.goto(url)
    _act(secretary, "accept", 备注="电话核实属实")
    assert _status(case) == Status.ACCEPTED
    _act(secretary, "whistle", 吉州区城市管理局=True, 说明="请城管到场")
    assert case.events.filter(action="whistle").exists()

    department.goto(url)
    _act(department, "report_in")
    assert case.events.filter(action="report_in").exists()

    secretary.reload()  # the department's 报到 changed the case's version
    _act(secretary, "dispatch", 牵头单位=CITY_MANAGEMENT, 派单说明="请尽快处理")
    assert _status(case) == Status.DISPATCHED
    department.goto(url)
    _act(department, "return", 退单理由="不属于本部门职责")
    assert _status(case) == Status.ACCEPTED
    secretary.goto(url)
    _act(secretary, "dispatch", 牵头单位=CITY_MANAGEMENT, 派单说明="已核实属城管职责")
    assert _status(case) == Status.DISPATCHED

    department.goto(url)
    _act(department, "accept")
    assert _status(case) == Status.IN_PROGRESS
    _act(department, "progress", 办理进展="已联系施工队")
    assert case.events.filter(action="progress").exists()
    _act(department, "request_extension", 延期理由="等待地砖到货", 延期工作日数="5")
    case.refresh_from_db()
    assert case.extension_requested_until is not None
    due = case.due_at

    leader.goto(url)
    _act(leader, "approve_extension", 同意=True, 意见="同意延期")
    case.refresh_from_db()
    assert case.due_at > due and case.status == Status.IN_PROGRESS

    department.goto(url)
    _act(department, "escalate", 上报理由="需街道协调资金")
    assert _status(case) == Status.ACCEPTED
    secretary.goto(url)
    _act(secretary, "dispatch", 牵头单位=CITY_MANAGEMENT)
    department.goto(url)
    _act(department, "accept")
    _act(department, "resolve", 办理结果="已更换破损地砖")
    assert _status(case) == Status.RESOLVED

    secretary.goto(url)
    _act(secretary, "reopen", 重办理由="群众反映仍有松动")
    assert _status(case) == Status.IN_PROGRESS
    department.goto(url)
    _act(department, "resolve", 办理结果="已重新铺设并压实")
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.reopen_count == 1

    for page in (secretary, department, leader):
        fits_the_phone(page)
        assert page.errors == []


def test_the_secretary_claims_and_handles_and_the_leader_urges_and_supervises(
    live_city, open_phone
):
    """The case page's forms for claim and handle (triage offers them as one-tap buttons)
    and for urge and supervise (the board offers them as one-tap buttons); on the way the
    secretary refuses one case and merges another into this one."""
    base = live_city
    community = User.objects.get(username="demo-community").assignments.get().node
    grid = OrgNode.objects.filter(
        code__startswith=community.code, grid_kind=GridKind.RESIDENTIAL
    ).order_by("code")[0]
    case, refused, duplicate = (
        do_create_case(Report(title=title, channel="hotline_12345", grid_code=grid.code))
        for title in ("绿化带缺株", "邻居家装修太吵", "绿化带少了几棵树")
    )
    url = f"{base}/cases/{case.pk}/"
    secretary = open_phone()
    log_in(secretary, base, "demo-community")
    secretary.goto(url)
    _act(secretary, "claim", 备注="本社区处理")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.events.filter(action="claim").exists()
    _act(secretary, "handle")
    assert _status(case) == Status.IN_PROGRESS

    secretary.goto(f"{base}/cases/{refused.pk}/")
    _act(secretary, "reject", 不予受理的理由="属民事纠纷，请通过调解解决")
    assert _status(refused) == Status.REJECTED
    secretary.goto(f"{base}/cases/{duplicate.pk}/")
    _act(secretary, "merge", **{"并入案件（编号）": case.number, "说明": "同一处绿化带"})
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED and duplicate.merged_into_id == case.pk
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS

    leader = open_phone()
    log_in(leader, base, "demo-leader")
    leader.goto(url)
    _act(leader, "urge", 备注="请本周内办结")
    assert case.events.filter(action="urge").exists()
    _act(leader, "supervise")
    case.refresh_from_db()
    assert case.is_supervised
    for page in (secretary, leader):
        fits_the_phone(page)
        assert page.errors == []
