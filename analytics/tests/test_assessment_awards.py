"""十佳 lists: proposed from the data each award's source names, edited, confirmed and
published on the workflow engine, with 403 and 409 (analytics.awards)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics import awards
from analytics.awards import do_award_action, do_propose_award_list
from analytics.models import (
    AwardEvent,
    AwardStatus,
    MonthlyRanking,
    MonthlyScore,
)
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import OrgNode, RoleAssignment, User
from outbox.models import Outbox
from participation.models import OrderStatus, ServiceOrder

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def leader(city, db):
    return User.objects.get(username="demo-leader")


@pytest.fixture
def root():
    return OrgNode.objects.get(parent=None)


def test_grid_workers_are_proposed_by_their_mean_monthly_score(leader, root):
    for month, totals in ((dt.date(YEAR, 9, 1), (80, 70)), (dt.date(YEAR, 10, 1), (60, 90))):
        ranking = MonthlyRanking.objects.create(kind="workers", month=month)
        for rank, (key, total) in enumerate(
            zip(("demo-grid", "demo-volunteer"), totals, strict=True), 1
        ):
            MonthlyScore.objects.create(
                ranking=ranking, key=key, name=key, scope_code=root.code, rank=rank, total=total
            )
    award_list = do_propose_award_list("grid_worker", YEAR, root.code, actor=leader)
    entries = list(award_list.entries.values_list("name", "figure", "user__username"))
    # demo-volunteer: (70 + 90) / 2 = 80.0; demo-grid: (80 + 60) / 2 = 70.0
    assert entries == [
        ("demo-volunteer", "平均 80.0 分 · 平均名次 2.0 · 办结 0 件", "demo-volunteer"),
        ("demo-grid", "平均 70.0 分 · 平均名次 1.0 · 办结 0 件", "demo-grid"),
    ]
    assert award_list.status == AwardStatus.PROPOSED
    assert AwardEvent.objects.get(award_list=award_list).action == "propose"


def test_equal_mean_scores_are_ordered_by_mean_rank_then_closed(leader, root):
    """Both average 100.0: the better mean monthly rank comes first, then more closed."""
    ranking = MonthlyRanking.objects.create(kind="workers", month=dt.date(YEAR, 9, 1))
    for rank, key, closed in ((2, "demo-grid", 9), (1, "demo-volunteer", 1)):
        MonthlyScore.objects.create(
            ranking=ranking,
            key=key,
            name=key,
            scope_code=root.code,
            rank=rank,
            total=100,
            kpi={"closed": closed},
        )
    award_list = do_propose_award_list("grid_worker", YEAR, root.code, actor=leader)
    figures = list(award_list.entries.values_list("user__username", "figure"))
    assert figures == [
        ("demo-volunteer", "平均 100.0 分 · 平均名次 1.0 · 办结 1 件"),
        ("demo-grid", "平均 100.0 分 · 平均名次 2.0 · 办结 9 件"),
    ]


def test_volunteers_are_proposed_by_their_confirmed_hours(leader, root):
    volunteer = User.objects.get(username="demo-volunteer")
    grid = volunteer.assignments.first().node
    done = timezone.make_aware(dt.datetime(YEAR, 6, 1, 10))
    for hours, status in ((Decimal("2.5"), OrderStatus.CONFIRMED), (Decimal(4), OrderStatus.DONE)):
        ServiceOrder.objects.create(
            kind="order",
            title="陪诊",
            node=grid,
            created_by=leader,
            status=status,
            taker=volunteer,
            hours=hours,
            done_at=done,
        )
    award_list = do_propose_award_list("volunteer", YEAR, root.code, actor=leader)
    assert list(award_list.entries.values_list("user", "figure")) == [
        (volunteer.pk, "服务 2.5 小时 / 1 单")  # the unconfirmed 4 hours do not count
    ]


def test_community_police_are_proposed_by_their_departments_closed_cases(leader, root, monkeypatch):
    police = (
        RoleAssignment.objects.filter(department__kind="police")
        .select_related("department")
        .first()
    )
    assert police is not None, "the tiny Jizhou city seats someone at the police"
    other = (
        RoleAssignment.objects.exclude(department=None).exclude(department__kind="police").first()
    )
    rows = [
        {"key": police.department.code, "name": police.department.name, "closed": 7},
        {"key": other.department.code, "name": "城管", "closed": 30},  # not the police
        {"key": "", "name": "无牵头部门", "closed": 50},
    ]
    asked = []

    def fake(code, start, end, group_by=None):
        asked.append((code, start, end, group_by))
        return rows

    monkeypatch.setattr(awards, "kpis", fake)
    award_list = do_propose_award_list("police", YEAR, root.code, actor=leader)
    assert asked == [(root.code, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "unit")]
    staff = RoleAssignment.objects.filter(department=police.department).order_by("user__username")
    figure = f"{police.department.name}办结 7 件"
    assert list(award_list.entries.values_list("user", "unit", "figure")) == [
        (seat.user_id, police.department.name, figure) for seat in staff
    ]


def test_a_manual_list_is_filled_by_hand_confirmed_and_published_with_notices(leader, root):
    award_list = do_propose_award_list("mediator", YEAR, root.code, actor=leader)
    assert award_list.entries.count() == 0
    assert "手工" in award_list.basis
    with pytest.raises(InvalidInput):  # nothing to confirm yet
        do_award_action(award_list.pk, "confirm", actor=leader, version=1)
    award_list = do_award_action(
        award_list.pk,
        "edit",
        actor=leader,
        version=1,
        data={"entries": "张三 白塘街道\n李四，长塘镇\n\n王五"},
    )
    assert list(award_list.entries.values_list("rank", "name", "unit")) == [
        (1, "张三", "白塘街道"),
        (2, "李四", "长塘镇"),
        (3, "王五", ""),
    ]
    with pytest.raises(StaleVersion):
        do_award_action(award_list.pk, "confirm", actor=leader, version=1)
    with pytest.raises(Conflict) as refused:  # publishing comes after confirming
        do_award_action(award_list.pk, "publish", actor=leader, version=2)
    assert refused.value.code == "invalid_transition"
    award_list = do_award_action(award_list.pk, "confirm", actor=leader, version=2)
    with pytest.raises(Conflict):  # a confirmed list is no longer edited…
        do_award_action(award_list.pk, "edit", actor=leader, version=3, data={"entries": "赵六"})
    award_list = do_award_action(
        award_list.pk, "reopen", actor=leader, version=3
    )  # …until reopened
    award_list = do_award_action(award_list.pk, "confirm", actor=leader, version=4)
    award_list = do_award_action(award_list.pk, "publish", actor=leader, version=5)
    assert award_list.status == AwardStatus.PUBLISHED and award_list.published_at
    actions = list(
        AwardEvent.objects.filter(award_list=award_list).values_list("action", flat=True)
    )
    assert actions == ["propose", "edit", "confirm", "reopen", "confirm", "publish"]
    notice = Outbox.objects.get(event="award_published", recipient=leader)
    assert "十佳矛盾纠纷调解员" in notice.payload["title"]
    with pytest.raises(Conflict):
        do_award_action(award_list.pk, "reopen", actor=leader, version=6)


def test_only_holders_of_analytics_award_propose_and_act(leader, root):
    street = User.objects.get(username="demo-street")
    with pytest.raises(NotPermitted):
        do_propose_award_list("mediator", YEAR, street.assignments.get().node.code, actor=street)
    award_list = do_propose_award_list("mediator", YEAR, root.code, actor=leader)
    for name in ("demo-street", "demo-community", "demo-grid"):
        with pytest.raises(NotPermitted):
            do_award_action(
                award_list.pk,
                "edit",
                actor=User.objects.get(username=name),
                version=1,
                data={"entries": "张三"},
            )
    with pytest.raises(Conflict) as refused:  # one list per award, year and place
        do_propose_award_list("mediator", YEAR, root.code, actor=leader)
    assert refused.value.code == "exists"
    with pytest.raises(InvalidInput):
        do_propose_award_list("nobody", YEAR, root.code, actor=leader)
