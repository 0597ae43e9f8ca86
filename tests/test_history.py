"""The year of demo history written in bulk (``make_history``): the same history from the
same seed, the shapes a leader expects, timelines the real actions could have written,
routing as ``catalog.routing`` decides it, and nothing added by a second run."""

import datetime as dt
import random
from collections import Counter
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from analytics.kpis import kpis
from cases.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseCounter,
    CaseEvent,
    Light,
    Status,
)
from catalog.models import MatterCategory
from catalog.routing import route
from org.models import OrgNode
from simulate.historygen import HistoryGenerator, has_history
from tests.conftest import build_city

BEFORE = dt.date(2026, 10, 1)
OPTIONS = ["--months=3", "--per-day=6", "--seed=3", f"--before={BEFORE}"]


def make_history(*flags):
    out = StringIO()
    call_command("make_history", *OPTIONS, *flags, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """A tiny Jizhou city with three months of history, committed once per module."""
    with django_db_blocker.unblock():
        build_city()
        output = make_history()
        yield output
        call_command("flush", interactive=False, verbosity=0)


def fingerprint(seed: int) -> list:
    generator = HistoryGenerator(months=1, per_day=6, seed=seed, before=BEFORE)
    stories = [generator.make_story(*arrival) for arrival in generator.arrivals()]
    return [
        (
            s.case.created_at,
            s.case.grid.code,
            s.case.title,
            s.case.status,
            s.case.tracking_token,
            [(e.action, e.at, e.to_status) for e in s.events],
        )
        for s in stories
    ]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_history(history):
    first = fingerprint(5)
    assert first and first == fingerprint(5)
    assert first != fingerprint(6)


@pytest.mark.django_db
def test_the_history_ends_before_the_given_day_and_covers_its_months(history):
    end = timezone.make_aware(dt.datetime.combine(BEFORE, dt.time()))
    cases = Case.objects.all()
    assert cases.count() > 300
    assert not cases.filter(created_at__gte=end).exists()
    assert not CaseEvent.objects.filter(at__gte=end).exists()
    months = {timezone.localdate(at).month for at in cases.values_list("created_at", flat=True)}
    assert months == {7, 8, 9}
    # Numbers follow the day's counter, which a later intake continues from.
    for counter in CaseCounter.objects.all():
        numbers = cases.filter(number__contains=f"-{counter.day:%Y%m%d}-")
        assert numbers.count() == counter.last


@pytest.mark.django_db
def test_the_history_has_the_shapes_a_leader_expects(history):
    cases = Case.objects.all()
    total = cases.count()
    status = Counter(cases.values_list("status", flat=True))
    assert status[Status.CLOSED] / total > 0.85
    assert 0 < status[Status.REJECTED] / total < 0.08
    late = cases.filter(resolved_at__gt=F("due_at")).count()
    assert 0.02 < late / total < 0.3
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in (
        "whistle",
        "report_in",
        "request_extension",
        "approve_extension",
        "escalate",
        "urge",
        "callback",
        "publish",
        "light",
    ):
        assert actions[action] >= 1, action
    assert cases.filter(reopen_count__gt=0).exists()
    assert Assignment.objects.filter(
        role=AssignmentRole.WHISTLE, status=AssignmentStatus.REPORTED_IN
    ).exists()
    rated = Counter(cases.filter(status=Status.CLOSED).values_list("satisfaction", flat=True))
    assert rated["satisfied"] / sum(rated.values()) > 0.85
    assert cases.filter(light=Light.RED).exists()
    # A few percent stay unsatisfied (past the reopen limit), and some responses are late.
    assert 0 < rated["unsatisfied"] / sum(rated.values()) < 0.08
    assert cases.filter(responded_at__gt=F("response_due_at")).exists()
    # Weekdays bring more reports than weekends.
    days = Counter(
        timezone.localdate(at).weekday() for at in cases.values_list("created_at", flat=True)
    )
    assert sum(days[d] for d in range(5)) / 5 > sum(days[d] for d in (5, 6)) / 2


@pytest.mark.django_db
def test_only_a_small_backlog_stays_open_at_the_end(history):
    """Cases old enough to be finished are: only the 积案 and the last evening's cases stay
    open, so the last month does not carry a pile of overdue work into the live month."""
    end = timezone.make_aware(dt.datetime.combine(BEFORE, dt.time()))
    cases = Case.objects.all()
    still_open = cases.filter(status__in=OPEN_STATUSES)
    older = still_open.filter(created_at__lt=end - dt.timedelta(hours=6))
    assert older.count() <= max(2, cases.count() // 200)
    last_month = still_open.filter(created_at__gte=end - dt.timedelta(days=30))
    assert last_month.count() <= max(3, cases.count() // 200)


@pytest.mark.django_db
def test_every_timeline_is_one_the_actions_could_have_written(history):
    events = list(CaseEvent.objects.order_by("case_id", "at", "pk"))
    by_case = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    for case in Case.objects.all():
        timeline = by_case[case.pk]
        assert timeline[0].action == "submit" and timeline[0].from_status == ""
        assert "history" in timeline[0].data
        for before, after in pairwise(timeline):
            assert after.from_status == before.to_status, (case.number, after.action)
        assert timeline[-1].to_status == case.status
        actions = [e for e in timeline if e.action not in ("submit", "light")]
        assert case.version == 1 + len(actions)
        if case.status == Status.CLOSED:
            assert case.closed_at and case.resolved_at and case.satisfaction
            assert case.responded_at <= case.resolved_at <= case.closed_at
        # The hourly sweep has turned a case red once it passed its deadline.
        if case.resolved_at and case.resolved_at > case.due_at + dt.timedelta(hours=1):
            assert case.light == Light.RED


@pytest.mark.django_db
def test_routing_in_memory_agrees_with_the_catalogue(history):
    generator = HistoryGenerator(months=1, per_day=1, seed=1, before=BEFORE)
    rng = random.Random(1)
    categories = list(MatterCategory.objects.select_related("default_tier"))
    for _ in range(200):
        category, grid = rng.choice(categories), rng.choice(generator.grids)
        expected = route(category, grid)
        # The lead a dispatch without a named unit gets (flow._dispatch): the department,
        # or else the node.
        lead = (expected.department, None) if expected.department else (None, expected.node)
        assert generator.route(category, grid) == lead


@pytest.mark.django_db
def test_a_second_run_adds_nothing(history):
    assert has_history()
    count = Case.objects.count()
    output = make_history("--if-empty")
    assert "跳过" in output
    assert Case.objects.count() == count


@pytest.mark.django_db
def test_the_aggregates_cover_the_history_and_agree_with_its_rows(history):
    out = StringIO()
    call_command("check_aggregates", stdout=out, stderr=out)
    assert "统计汇总一致" in out.getvalue()
    root = OrgNode.objects.get(parent=None)
    months = kpis(root.code, dt.date(2026, 7, 1), dt.date(2026, 9, 30), group_by="month")
    assert [row["key"] for row in months] == ["2026-07", "2026-08", "2026-09"]
    for row in months:
        assert row["received"] > 50 and row["closed"] > 0
        assert 0.5 < row["satisfaction_rate"] <= 1 and 0.5 < row["resolution_rate"] <= 1
    (year,) = kpis(root.code, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert year["received"] == Case.objects.count()
    assert year["whistles"] and year["extensions"] and year["escalations"]


@pytest.mark.django_db
def test_the_kpi_bench_gets_the_same_figures_from_duckdb(history):
    """A smoke run of bench/kpis.py's comparison on the small history (the timing itself
    runs at city scale by hand: ``make bench-kpis``)."""
    pytest.importorskip("duckdb")
    from bench import kpis as bench

    db, _, _ = bench.load_duckdb()
    start, end = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    for label, code in bench.nodes(db):
        for group_by in (None, "child"):
            sql, params = bench.duck_query(code, start, end, group_by)
            bench.agree(
                kpis(code, start, end, group_by),
                db.execute(sql, params).fetchall(),
                label,
                group_by,
            )
