"""What a tester found in assessment: people by name (never the account code), ties broken
by the documented figures, residents' way to 群众评议 from the home page, durations read in
days and hours, locked months shown as locked, and the dashboard's buttons only for whoever
their page admits."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import assessment
from analytics.models import MonthlyRanking, OrgEvaluation, RankingStatus
from analytics.views.assessment import shown
from org.models import Department, OrgNode, User
from org.panels import home_panels

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


def _row(key, name, *, received=10, satisfaction=1.0, on_time=1.0):
    return {
        "key": key,
        "name": name,
        "received": received,
        "closed": received,
        "response_rate": 1.0,
        "resolution_rate": 1.0,
        "on_time_resolution_rate": on_time,
        "reopen_rate": 0.0,
        "satisfaction_rate": satisfaction,
    }


@pytest.fixture
def tied_kpis(city, db, monkeypatch):
    """Every subject meets every target (total 100.0); only the tie-breakers differ."""

    def fake(node_code, start, end, group_by=None):
        if group_by == "unit":
            departments = list(Department.objects.order_by("code"))
            return [
                _row(d.code, d.name, received=5 + (index % 2))
                for index, d in enumerate(departments)
            ]
        if group_by == "worker":
            return [_row("demo-grid", "demo-grid")]
        node = OrgNode.objects.get(code=node_code)
        return [_row(node.code, node.name)]

    monkeypatch.setattr(assessment, "kpis", fake)


def test_workers_are_shown_by_name_and_grid_never_by_account(tied_kpis):
    worker = User.objects.get(username="demo-grid")
    worker.display_name = "张网格"
    worker.save(update_fields=["display_name"])
    grid = worker.assignments.get().node
    ranking, _ = assessment.compute_ranking("workers", MONTH)
    (score,) = ranking.scores.all()
    assert score.key == "demo-grid"  # the key stays the account; the name is for people
    assert score.name == f"张网格（{grid.name}）"


def test_person_name_falls_back_but_never_to_the_account_in_public(city, db):
    user = User(username="grid-leader-1-31", display_name="", first_name="", last_name="")
    assert assessment.person_name(user) == "grid-leader-1-31"
    assert assessment.person_name(user, public=True) == "网格员"
    user.first_name = "五"
    assert assessment.person_name(user, public=True) == "五"
    user.display_name = "李四"
    assert assessment.person_name(user, public=True) == "李四"


def test_ties_are_broken_by_the_documented_figures(tied_kpis):
    ranking, _ = assessment.compute_ranking("departments", MONTH)
    scores = list(ranking.scores.order_by("rank", "key"))
    assert len(scores) >= 2
    assert {float(s.total) for s in scores} == {100.0}
    # More received comes first; equal in every figure still shares a rank.
    busy = [s for s in scores if s.kpi["received"] == 6]
    quiet = [s for s in scores if s.kpi["received"] == 5]
    assert {s.rank for s in busy} == {1}
    assert {s.rank for s in quiet} == {len(busy) + 1}


def test_order_key_compares_unrounded_then_satisfaction_then_on_time_then_received():
    def row(exact, **kpi):
        figures = {"satisfaction_rate": 0.9, "on_time_resolution_rate": 0.9, "received": 5}
        return {"total": round(exact, 1), "exact": exact, "kpi": {**figures, **kpi}}

    rows = [
        row(99.96),
        row(99.99),
        row(99.99, satisfaction_rate=0.95),
        row(99.99, satisfaction_rate=0.95, on_time_resolution_rate=None),
        row(99.99, received=7),
        {"total": None, "exact": None, "kpi": {}},
    ]
    ordered = sorted(rows, key=assessment.order_key)
    assert ordered == [rows[2], rows[3], rows[4], rows[1], rows[0], rows[5]]
    ranks = assessment.competition_ranks([assessment.order_key(r) for r in ordered])
    assert ranks == [1, 2, 3, 4, 5, 6]
    assert assessment.competition_ranks([assessment.order_key(rows[1])] * 2) == [1, 1]


def test_rankings_page_says_how_ties_are_broken(tied_kpis, client):
    assessment.compute_ranking("departments", MONTH)
    client.force_login(User.objects.get(username="demo-leader"))
    page = client.get(reverse("analytics:rankings"), {"kind": "departments", "month": "2026-10"})
    assert page.status_code == 200
    assert assessment.TIE_NOTE in page.content.decode()


def test_residents_get_a_panel_to_rate_their_grid_and_no_one_else(city, db, client):
    resident = User.objects.get(username="demo-resident")
    panels = home_panels(resident)
    assert "analytics/assessment/_home_rate.html" in panels["home_panels"]
    assert panels["analytics_rate"]["grid"] == resident.resident.household.grid
    for staff in ("demo-leader", "demo-grid"):
        assert (
            "analytics/assessment/_home_rate.html"
            not in home_panels(User.objects.get(username=staff))["home_panels"]
        )
    client.force_login(resident)
    home = client.get("/").content.decode()
    assert "为网格工作打分" in home and reverse("analytics:rate") in home


def test_durations_read_in_days_and_hours():
    assert shown("avg_handling_seconds", 167296.5) == "1天22小时"
    assert shown("avg_report_in_seconds", 3900) == "1小时5分"
    assert shown("p90_handling_seconds", 600) == "10分钟"
    assert shown("avg_handling_workdays", 2.345) == "2.3个工作日"


def test_a_published_month_shows_locked_scores_and_publishing_warns_without_scores(city, client):
    street_user = User.objects.get(username="demo-street")
    street = street_user.assignments.get().node
    client.force_login(street_user)
    url = reverse("analytics:evaluate")
    params = {"node": street.code, "month": "2026-10"}
    assert 'name="score"' in client.get(url, params).content.decode()
    MonthlyRanking.objects.create(kind="communities", month=MONTH, status=RankingStatus.PUBLISHED)
    page = client.get(url, params).content.decode()
    assert 'name="score"' not in page and "data-locked" in page

    MonthlyRanking.objects.create(kind="grids", month=MONTH)
    client.force_login(User.objects.get(username="demo-leader"))
    rankings = reverse("analytics:rankings")
    page = client.get(rankings, {"kind": "grids", "month": "2026-10"}).content.decode()
    assert "公布本月排名" in page and "data-no-evaluations" in page
    grid = OrgNode.objects.exclude(grid_kind="").first()
    OrgEvaluation.objects.create(
        node=grid, month=MONTH, score=90, scored_by=street_user, scored_at=timezone.now()
    )
    page = client.get(rankings, {"kind": "grids", "month": "2026-10"}).content.decode()
    assert "公布本月排名" in page and "data-no-evaluations" not in page


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("demo-leader", {"统计报告", "考核排名", "十佳评选"}),
        ("demo-grid", {"统计报告", "考核排名"}),
    ],
)
def test_dashboard_buttons_only_for_whoever_their_page_admits(city, client, username, visible):
    user = User.objects.get(username=username)
    client.force_login(user)
    response = client.get(reverse("analytics:dashboard_home"), follow=True)
    page = response.content.decode()
    targets = {
        "统计报告": None,
        "考核排名": reverse("analytics:rankings"),
        "十佳评选": reverse("analytics:award_lists"),
    }
    for name, url in targets.items():
        assert (f">{name}</a>" in page) == (name in visible), name
        if url:
            assert client.get(url).status_code == (200 if name in visible else 403), name
