"""Facts and cells follow the case actions in their transaction; sync, rebuild and
check_aggregates agree; a tampered cell is reported."""

import datetime as dt

import pytest
from django.core.management import call_command

from analytics.aggregates import cell_differences, fact_differences, rebuild, sync
from analytics.kpis import kpis
from analytics.models import CaseFact, KpiCell
from cases.actions import Report, do_case_action, do_create_case
from cases.models import Case
from org.models import User

pytestmark = pytest.mark.django_db

GRID = "360802001001001"
COMMUNITY, STREET = GRID[:12], GRID[:9]
AT = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
DAY = dt.date(2026, 11, 2)


def _file(user, at=AT, category="JS-001"):
    return do_create_case(
        Report(
            title="路灯不亮了",
            description="测试",
            channel="grid_report",
            grid_code=GRID,
            category_code=category,
        ),
        actor=user,
        at=at,
    )


def _act(case, action, user, at, **data):
    case.refresh_from_db()
    return do_case_action(case.pk, action, actor=user, version=case.version, data=data, at=at)


def test_intake_and_actions_keep_cells_in_step(city):
    grid = User.objects.get(username="demo-grid")
    case = _file(grid)
    fact = CaseFact.objects.get(case=case)
    assert (fact.version, fact.node_code, fact.day, fact.received) == (1, GRID, DAY, 1)
    for code in (GRID, COMMUNITY, STREET):
        row = kpis(code, DAY, DAY)[0]
        assert row["received"] == 1 and row["accepted"] == 0 and row["response_rate"] == 0
    _act(case, "handle", grid, AT + dt.timedelta(minutes=30))
    _act(case, "resolve", grid, AT + dt.timedelta(hours=3), result="已修复")
    row = kpis(STREET, DAY, DAY)[0]
    assert row["accepted"] == 1 and row["closed"] == 1 and row["closure_rate"] == 1
    assert row["avg_handling_seconds"] == 3 * 3600 and row["p90_handling_seconds"] == 4 * 3600
    assert row["response_rate"] == 1 and row["satisfaction_rate"] is None
    assert list(fact_differences()) == [] and list(cell_differences()) == []


def test_sync_catches_bulk_writes_and_rebuild_matches(city):
    grid = User.objects.get(username="demo-grid")
    cases = [_file(grid, AT + dt.timedelta(days=i)) for i in range(3)]
    before = {k: v for k, v in kpis(STREET, DAY, DAY + dt.timedelta(days=40))[0].items()}
    CaseFact.objects.filter(case=cases[0]).delete()  # as if written in bulk: cells keep it
    Case.objects.filter(pk=cases[1].pk).update(version=9, channel="walk_in")
    assert list(fact_differences())
    counts = sync()
    assert counts["changed"] == 2
    assert sync()["changed"] == 0  # idempotent
    # The deleted fact took its contribution out (post_delete); sync put it back.
    assert kpis(STREET, DAY, DAY + dt.timedelta(days=40))[0] == before
    assert list(fact_differences()) == [] and list(cell_differences()) == []
    stored = set(
        KpiCell.objects.exclude(received=0, excluded=0).values_list(
            "node_code", "period", "start", "dim", "value", "received"
        )
    )
    rebuild()
    assert (
        set(KpiCell.objects.values_list("node_code", "period", "start", "dim", "value", "received"))
        == stored
    )
    call_command("check_aggregates")


def test_check_aggregates_reports_a_tampered_cell(city, capsys):
    _file(User.objects.get(username="demo-grid"))
    KpiCell.objects.filter(node_code=STREET, period="m", dim="").update(received=5)
    with pytest.raises(SystemExit) as exit_:
        call_command("check_aggregates")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"node={STREET} period=m2026-11-01" in out and "received: stored 5, recomputed 1" in out


@pytest.mark.parametrize(
    "group_by", ["child", "category", "group", "channel", "tier", "unit", "worker", "day", "month"]
)
def test_every_group_by_adds_up_to_the_headline(city, group_by):
    grid = User.objects.get(username="demo-grid")
    for i in range(3):
        _file(grid, AT + dt.timedelta(days=10 * i), category=["JS-001", "HW-001", None][i])
    end = DAY + dt.timedelta(days=45)
    total = kpis(STREET, DAY, end)[0]
    rows = kpis(STREET, DAY, end, group_by)
    assert all(row["name"] for row in rows)
    if group_by == "worker":  # a grid has several workers: each sees the grid's cases
        demo = next(row for row in rows if row["key"] == "demo-grid")
        assert demo["received"] == total["received"] == 3
    else:
        assert sum(row["received"] for row in rows) == total["received"] == 3


def test_a_historical_hotline_order_counts_as_the_hotline_closed_it(city):
    """The import writes the case, then its hotline state with an ``import_history``
    event (``exchange.actions``): the fact follows both, in the import's transaction."""
    from exchange.actions import HotlineOrder, do_import_hotline_order
    from exchange.models import HotlineSystem

    system = HotlineSystem.objects.get(slug="hotline-12345")
    order = HotlineOrder(
        ticket_no="H-1",
        received_at=AT,
        content="路灯不亮",
        status="closed",
        status_text="已办结",
        result="已修复",
        resolved_at=AT + dt.timedelta(hours=30),
        satisfaction="basic",
        satisfaction_text="基本满意",
    )
    case, created = do_import_hotline_order(order, system=system, actor=None, grid_code=GRID)
    assert created
    fact = CaseFact.objects.get(case=case)
    assert (fact.version, fact.channel) == (2, system.channel)
    assert (fact.closed, fact.resolved, fact.satisfied, fact.handling_seconds) == (
        1,
        1,
        1,
        30 * 3600,
    )
    assert kpis(STREET, DAY, DAY)[0]["satisfaction_rate"] == 1
    assert list(fact_differences()) == [] and list(cell_differences()) == []
