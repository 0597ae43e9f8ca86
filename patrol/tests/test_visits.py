"""Household visits: recording, the offline time, one-tap conversions, coverage over a month
boundary, the to-do list and the visits_overdue rule. One tiny city per module."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.models import Case
from gridgov.errors import InvalidInput, NotPermitted
from org.models import Household, OrgNode, User
from org.permissions import has
from participation.models import ServiceOrder
from patrol.models import NeedsListItem, Visit, VisitNeed, VisitOutcome
from patrol.visit_coverage import coverage, month_bounds, todo, visits_overdue
from patrol.visits import NeedHeard, do_convert_need, do_record_visit

SH = ZoneInfo("Asia/Shanghai")


def user(username):
    return User.objects.get(username=username)


def grid():
    return user("demo-grid").assignments.get().node


def households():
    return list(Household.objects.filter(grid=grid()).order_by("code"))


def visit(household, *, at=None, outcome=VisitOutcome.MET, needs=(), actor="demo-grid"):
    return do_record_visit(
        actor=user(actor),
        household_id=household.pk,
        outcome=outcome,
        needs=[NeedHeard(text) for text in needs],
        now=at,
    )


def test_a_visit_records_who_met_whom_and_the_needs_heard(db, city):
    household = households()[0]
    head = household.residents.order_by("-is_householder").first()
    recorded = do_record_visit(
        actor=user("demo-grid"),
        household_id=household.pk,
        outcome="met",
        notes="老人身体尚可",
        met_ids=[head.pk],
        needs=[NeedHeard("楼道灯坏了", "environment", head.pk), NeedHeard("  ")],
    )
    assert (recorded.grid, recorded.visitor, recorded.time_note) == (grid(), user("demo-grid"), "")
    assert list(recorded.met.all()) == [head]
    need = recorded.needs.get()
    assert (need.text, need.category, need.resident) == ("楼道灯坏了", "environment", head)


def test_only_who_visits_the_grid_records_a_visit_there(db, city):
    household = households()[0]
    with pytest.raises(NotPermitted):  # the community secretary plans care, does not visit
        visit(household, actor="demo-community")
    foreign = Household.objects.exclude(grid=grid()).order_by("-code").first()
    with pytest.raises(InvalidInput):  # out of scope: as if it did not exist
        visit(foreign)
    with pytest.raises(InvalidInput, match="走访结果"):
        visit(household, outcome="maybe")


def test_a_visit_sent_later_keeps_the_time_it_was_made_offline(db, city):
    now = timezone.now()
    made = now - dt.timedelta(hours=4)
    recorded = do_record_visit(
        actor=user("demo-grid"),
        household_id=households()[0].pk,
        outcome="met",
        offline_at=made.isoformat(),
        now=now,
    )
    assert recorded.visited_at == made and recorded.received_at >= now - dt.timedelta(minutes=1)


def test_each_conversion_of_a_need_happens_once(db, city):
    household = households()[0]
    needs = list(visit(household, needs=["下水道堵了", "想要助餐", "需要轮椅"]).needs.all())
    worker = user("demo-grid")
    case, created = do_convert_need(needs[0].pk, "case", actor=worker)
    again, created_again = do_convert_need(needs[0].pk, "case", actor=worker)
    assert (created, created_again, again) == (True, False, case)
    assert (case.channel, case.grid, case.address) == (
        "home_visit",
        household.grid,
        household.address,
    )
    assert Case.objects.filter(title="下水道堵了").count() == 1
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(worker)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    visit_url = reverse("patrol:visit_detail", args=[needs[0].visit_id])
    assert "来自入户走访" in page and f'href="{visit_url}"' in page  # the case links back
    wish, _ = do_convert_need(needs[1].pk, "wish", actor=worker)
    assert do_convert_need(needs[1].pk, "order", actor=worker) == (wish, False)
    assert wish.kind == "wish" and ServiceOrder.objects.filter(title="想要助餐").count() == 1
    item, _ = do_convert_need(needs[2].pk, "needs_item", actor=worker)
    assert do_convert_need(needs[2].pk, "needs_item", actor=worker) == (item, False)
    assert (item.node, item.source_need_id, item.status) == (household.grid, needs[2].pk, "open")
    assert NeedsListItem.objects.count() == 1
    stored = VisitNeed.objects.get(pk=needs[0].pk)
    assert (stored.case, VisitNeed.objects.get(pk=needs[2].pk).needs_item) == (case, item)
    with pytest.raises(InvalidInput):
        do_convert_need(needs[0].pk, "project", actor=worker)


def test_a_visit_in_the_last_minutes_of_a_month_counts_for_that_month(db, city):
    """Month boundaries are Asia/Shanghai's: 23:50 on 30 November +08:00 is 15:50 UTC, and
    00:10 on 1 December +08:00 is still 30 November in UTC."""
    first, second = households()[:2]
    late = dt.datetime(2026, 11, 30, 23, 50, tzinfo=SH)
    early = dt.datetime(2026, 12, 1, 0, 10, tzinfo=SH)
    assert month_bounds(dt.date(2026, 11, 15)) == (
        dt.datetime(2026, 11, 1, tzinfo=SH),
        dt.datetime(2026, 12, 1, tzinfo=SH),
    )
    with mock.patch("django.utils.timezone.now", return_value=early + dt.timedelta(hours=1)):
        visit(first, at=late)
        visit(second, at=early)
        visit(households()[2], at=early, outcome=VisitOutcome.NOBODY_HOME)  # does not count
    total = len(households())
    november, december = (coverage([grid()], day)[0] for day in (late.date(), early.date()))
    assert (november.covered, november.households) == (1, total)
    assert (december.covered, december.percent) == (1, round(100 / total))


def test_the_to_do_list_puts_key_households_first_then_the_longest_unvisited(db, city):
    from patrol.care import do_plan_care

    homes = households()
    today = timezone.localdate()
    visit(homes[0], at=timezone.now() - dt.timedelta(days=90))  # long ago
    visit(homes[1])  # this month: done
    key = homes[-1]
    do_plan_care(
        key.residents.first().pk, actor=user("demo-community"), every_days=7, by="grid_worker"
    )
    rows = list(todo(user("demo-grid"), today))
    assert rows[0] == key and rows[0].is_key
    assert homes[1] not in rows and rows[-1] == homes[0]  # the visited-long-ago after the never
    assert all(r.last_visit is None for r in rows[1:-1])
    assert list(todo(user("demo-resident"), today)) == []


def test_visits_overdue_warns_late_in_the_month_of_grids_below_the_standard(db, city):
    homes = households()
    last_day = dt.date(2026, 11, 30)
    with mock.patch(
        "django.utils.timezone.now", return_value=dt.datetime(2026, 11, 30, 12, tzinfo=SH)
    ):
        visit(homes[0], at=dt.datetime(2026, 11, 20, 10, tzinfo=SH))
    with mock.patch("patrol.visit_coverage.standard", return_value=1):
        signals = [s for s in visits_overdue(last_day) if s.node_code == grid().code]
        assert list(visits_overdue(dt.date(2026, 11, 10))) == []  # still time
    assert len(signals) == 1
    signal = signals[0]
    assert signal.subject == f"grid={grid().code};month=2026-11"
    owner = User.objects.get(pk=signal.owner_id)  # seated at the grid, posts orders there
    assert owner.assignments.filter(node=grid()).exists() and signal.severity == "red"
    assert has(owner, "patrol.visit", grid().code) and has(owner, "volunteer.post_for", grid().code)
    assert signal.figures["covered"] == 1 and f"?grid={grid().code}" in signal.evidence_url
    assert list(visits_overdue(last_day)) == []  # jizhou: no standard, nothing overdue


def test_the_visit_page_masks_names_and_offers_the_taps(db, city, client):
    household = households()[0]
    head = household.residents.order_by("-is_householder").first()
    recorded = do_record_visit(
        actor=user("demo-grid"),
        household_id=household.pk,
        outcome="met",
        met_ids=[head.pk],
        needs=[NeedHeard("门锁坏了", resident_id=head.pk)],
    )
    client.force_login(user("demo-grid"))
    page = client.get(recorded.get_absolute_url()).content.decode()
    assert head.name not in page and head.name[0] + "*" in page
    assert 'value="case"' in page and 'value="needs_item"' in page
    todo_page = client.get("/visits/").content.decode()
    assert head.name not in todo_page
    client.force_login(user("demo-resident"))
    assert client.get(recorded.get_absolute_url()).status_code == 404
    assert OrgNode.objects.filter(code=grid().code).exists()


def test_a_queued_form_replayed_with_its_token_records_one_visit_at_its_offline_time(
    db, city, client
):
    household = households()[0]
    pressed = (timezone.now() - dt.timedelta(hours=4)).replace(microsecond=0)
    form = {
        "household": household.pk,
        "outcome": "met",
        "need_text": "想申请助餐",
        "once": "a" * 32,
        "offline_at": pressed.isoformat(),
    }
    client.force_login(user("demo-grid"))
    first = client.post("/visits/new/", form)
    again = client.post("/visits/new/", form)
    recorded = Visit.objects.get(household=household)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == recorded.get_absolute_url()
    assert recorded.visited_at == pressed and recorded.needs.get().text == "想申请助餐"


def test_the_dashboards_figures_count_the_subtree(db, city):
    from patrol.visit_panels import care_overdue, coverage_percent

    community = grid().parent
    assert coverage_percent(community.code) == 0
    visit(households()[0])
    total = Household.objects.filter(grid__parent=community).count()
    assert coverage_percent(community.code) == round(100 / total)
    assert care_overdue(community.code) == 0


def test_make_visits_generates_a_month_once(db, city):
    from django.core.management import call_command

    from patrol.models import CareContact, CareSchedule

    now = "2026-11-25T18:00:00+08:00"
    call_command("make_visits", "--seed=1", f"--now={now}")
    visits = Visit.objects.count()
    assert visits > Household.objects.count() // 2
    assert (
        Visit.objects.filter(visited_at__gt=dt.datetime(2026, 11, 25, 18, tzinfo=SH)).count() == 0
    )
    assert CareSchedule.objects.exists() and CareContact.objects.filter(kind="visit").exists()
    assert Case.objects.filter(channel="home_visit").exists() or not VisitNeed.objects.exists()
    call_command("make_visits", "--seed=1", "--if-empty")
    assert Visit.objects.count() == visits
