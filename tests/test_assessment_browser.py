"""Assessment through the pages in a real browser on a phone (390×844): the street scores a
community and enters a survey, a stale score is refused, the leader opens the month's
ranking and a rank's evidence and publishes it (scores then stay as they are); the leader
proposes, fills, confirms and publishes a 十佳 list that the public page then shows."""

import os

import pytest

from analytics.assessment import compute_ranking, this_month
from analytics.evaluation import do_score_node
from analytics.models import AwardList, AwardStatus, OrgEvaluation, ResidentVote, Survey
from org.models import OrgNode, User
from outbox.models import Outbox
from tests.browser import SCREENSHOT_DIR, fits_the_phone, log_in

pytestmark = pytest.mark.browser


def _shot(page, name):
    page.screenshot(
        path=os.path.join(SCREENSHOT_DIR, f"gridgov-assessment-{name}.png"), full_page=True
    )


def test_the_street_scores_and_surveys_and_the_leader_publishes_the_ranking(live_city, open_phone):
    base = live_city
    street_user = User.objects.get(username="demo-street")
    street = street_user.assignments.get().node
    community = OrgNode.objects.filter(parent=street).order_by("code").first()
    month = this_month()

    # The street scores one of its communities for this month, then corrects the score.
    page = open_phone()
    log_in(page, base, "demo-street")
    page.goto(f"{base}/assessment/evaluate/")
    form = page.locator(f"form[data-node='{community.code}']")
    form.get_by_label("得分").fill("88")
    form.get_by_label("评语").fill("台账齐全，走访到位")
    fits_the_phone(page)
    _shot(page, "evaluate")
    form.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state()
    assert "评分已保存" in page.locator(".messages").inner_text()
    form = page.locator(f"form[data-node='{community.code}']")
    assert "现为 88.0 分" in form.inner_text()

    # Someone else changes it meanwhile: the street's page is stale and is refused (409).
    do_score_node(
        community.code, month, score=90, version=1, actor=User.objects.get(username="demo-leader")
    )
    form.get_by_label("得分").fill("92")
    form.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state()
    form = page.locator(f"form[data-node='{community.code}']")
    assert "已被他人更新" in form.locator(".alert").inner_text()
    evaluation = OrgEvaluation.objects.get(node=community, month=month)
    assert (float(evaluation.score), evaluation.version) == (90.0, 2)
    form.get_by_label("得分").fill("92")  # the page now carries version 2
    form.get_by_role("button", name="保存评分").click()
    page.wait_for_load_state()
    assert "评分已保存" in page.locator(".messages").inner_text()
    evaluation.refresh_from_db()
    assert (float(evaluation.score), evaluation.version) == (92.0, 3)

    # The residents' survey of the same community.
    page.goto(f"{base}/assessment/survey/")
    page.get_by_label("测评对象").select_option(community.code)
    # 满意 is also inside 基本满意 and 不满意: the fields by name.
    page.locator("input[name=satisfied]").fill("40")
    page.locator("input[name=basic]").fill("6")
    page.locator("input[name=unsatisfied]").fill("4")
    page.get_by_label("受访人数").fill("50")
    fits_the_phone(page)
    page.get_by_role("button", name="保存测评结果").click()
    page.wait_for_load_state()
    assert "测评结果已保存" in page.locator(".messages").inner_text()
    assert "受访 50 人" in page.locator(f"[data-survey='{community.code}']").inner_text()
    assert Survey.objects.get(node=community, month=month).satisfied == 40

    # The nightly task's work, done now; the leader opens the communities' ranking.
    compute_ranking("communities", month)
    leader = open_phone()
    log_in(leader, base, "demo-leader")
    leader.goto(f"{base}/assessment/?kind=communities&month={month:%Y-%m}")
    rank = leader.locator(".ranking li", has_text=community.name)
    fits_the_phone(leader)
    _shot(leader, "rankings")
    rank.get_by_role("link").click()
    leader.wait_for_load_state()
    assert leader.locator("[data-component='organisational']").inner_text() == "92.0"
    assert "受访 50 人" in leader.locator("#residents").inner_text()
    fits_the_phone(leader)
    _shot(leader, "evidence")
    leader.get_by_role("link", name="查看本月的案件").click()
    leader.wait_for_load_state()
    assert f"grid={community.code}" in leader.url and "created_after=" in leader.url
    leader.go_back()
    leader.goto(f"{base}/assessment/?kind=communities&month={month:%Y-%m}")
    leader.get_by_role("button", name="公布本月排名").click()
    leader.wait_for_load_state()
    assert "排名已公布" in leader.locator(".messages").inner_text()

    # Published: the month is shown locked (no form to fill), the score stays as it is.
    page.goto(f"{base}/assessment/evaluate/?month={month:%Y-%m}")
    assert "已锁定" in page.locator("[data-locked]").inner_text()
    assert page.locator(f"form[data-node='{community.code}']").count() == 0
    assert "92" in page.locator(f"[data-node='{community.code}'][data-frozen]").inner_text()
    fits_the_phone(page)
    evaluation.refresh_from_db()
    assert float(evaluation.score) == 92.0
    # The browser logs the stale edit's refusal: 409.
    assert len(page.errors) == 1 and all("409 (Conflict)" in e for e in page.errors)
    assert leader.errors == []


def test_the_leader_proposes_fills_confirms_and_publishes_a_ten_best_list(live_city, open_phone):
    base = live_city
    page = open_phone()
    log_in(page, base, "demo-leader")
    page.goto(f"{base}/assessment/awards/")
    page.get_by_label("评选项目").select_option(label="十佳矛盾纠纷调解员")
    page.get_by_label("年度").fill("2026")
    fits_the_phone(page)
    page.get_by_role("button", name="按数据提名").click()
    page.wait_for_url(f"{base}/awards/*/")
    assert "请核对后确认" in page.locator(".messages").inner_text()
    award_list = AwardList.objects.get(award="mediator", year=2026)

    # Nobody in the data for mediators: the leader fills the list by hand.
    edit = page.locator("details.action--edit")
    edit.locator("summary").click()
    edit.get_by_label("名单（每行一人：姓名 所在单位）").fill("张调解 白塘街道\n李和事 长塘镇")
    edit.get_by_role("button", name="修改名单").click()
    page.wait_for_load_state()
    assert "已修改名单" in page.locator(".messages").inner_text()
    assert "张调解" in page.locator(".award-entries").inner_text()
    _shot(page, "award")
    page.locator("details.action--confirm").get_by_role("button", name="确认").click()
    page.wait_for_load_state()
    assert "已确认" in page.locator(".messages").inner_text()
    page.locator("details.action--publish").get_by_role("button", name="公示").click()
    page.wait_for_load_state()
    assert "已公示" in page.locator(".messages").inner_text()
    award_list.refresh_from_db()
    assert award_list.status == AwardStatus.PUBLISHED
    assert Outbox.objects.filter(event="award_published").exists()

    # The public page shows it to anyone, without signing in.
    public = open_phone()
    public.goto(f"{base}/awards/")
    section = public.locator(f"[data-award='{award_list.pk}']")
    assert "十佳矛盾纠纷调解员" in section.inner_text()
    assert "李和事" in section.inner_text()
    fits_the_phone(public)
    _shot(public, "public")
    assert page.errors == [] and public.errors == []


def test_a_resident_tells_how_satisfied_they_are_with_their_grid_on_a_phone(live_city, open_phone):
    base = live_city
    page = open_phone()
    log_in(page, base, "demo-resident")
    # The way in: the home page's panel, as a resident finds it.
    page.goto(f"{base}/")
    panel = page.locator("[data-panel='rate']")
    assert "为网格工作打分" in panel.inner_text()
    fits_the_phone(page)
    panel.get_by_role("link", name="去评议").click()
    page.wait_for_url(f"{base}/assessment/rate/")
    page.get_by_label("基本满意").check()
    fits_the_phone(page)
    _shot(page, "rate")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "谢谢您的评议" in page.locator(".messages").inner_text()
    page.get_by_label("满意", exact=True).check()  # changing one's mind the same month
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert page.locator("[data-vote]").get_attribute("data-vote") == "satisfied"
    vote = ResidentVote.objects.get(user__username="demo-resident")
    assert (vote.answer, vote.month) == ("satisfied", this_month())
    assert page.errors == []
