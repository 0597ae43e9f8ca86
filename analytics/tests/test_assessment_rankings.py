"""The monthly rankings: every kind of the scheme, each score with its components, and an
idempotent task (analytics.assessment.compute_ranking, analytics.tasks.compute_rankings).

The KPI query is replaced by fixed rows here, so the figures are known; its own tests
check its figures against cases."""

import datetime as dt

import pytest

from analytics import assessment
from analytics.evaluation import do_enter_survey, do_score_node
from analytics.models import MonthlyRanking, MonthlyScore, RankingStatus
from org.models import Department, OrgNode, User

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


def _row(key, name, rate):
    return {
        "key": key,
        "name": name,
        "received": 10,
        "closed": int(rate * 10),
        "response_rate": rate,
        "resolution_rate": rate,
        "on_time_resolution_rate": rate,
        "reopen_rate": 0.0,
        "satisfaction_rate": rate,
    }


@pytest.fixture
def fixed_kpis(city, db, monkeypatch):
    calls = []

    def fake(node_code, start, end, group_by=None):
        calls.append((node_code, start, end, group_by))
        if group_by == "child":
            children = OrgNode.objects.filter(parent__code=node_code).order_by("code")
            # The last digit of the code sets the rate: 1 → 0.6 … so ranks are predictable.
            return [_row(n.code, n.name, 0.5 + int(n.code[-1]) / 10) for n in children]
        if group_by == "unit":
            return [_row(d.code, d.name, 0.9) for d in Department.objects.order_by("code")]
        if group_by == "worker":
            return [_row("demo-grid", "网格员", 0.8), _row("demo-resident", "居民", 1.0)]
        node = OrgNode.objects.get(code=node_code)
        return [_row(node.code, node.name, 0.7)]

    monkeypatch.setattr(assessment, "kpis", fake)
    return calls


def test_every_kind_of_the_scheme_is_ranked_with_its_components(fixed_kpis):
    changed = assessment.compute_month(MONTH)
    assert changed == {
        k: True for k in ("grids", "communities", "streets", "departments", "workers")
    }
    # Each call asks for the month, end inclusive.
    assert {(start, end) for _, start, end, _ in fixed_kpis} == {(MONTH, dt.date(2026, 10, 31))}
    grids = MonthlyRanking.objects.get(kind="grids", month=MONTH)
    scores = list(grids.scores.all())
    assert len(scores) == OrgNode.objects.exclude(grid_kind="").count()
    assert [s.rank for s in scores] == sorted(s.rank for s in scores)
    best = scores[0]
    assert set(best.components) == {"quantitative", "organisational", "residents"}
    assert best.kpi["key"] == best.key == best.scope_code
    # Workers: only the duties the scheme names (the resident's row is not ranked).
    workers = MonthlyRanking.objects.get(kind="workers", month=MONTH)
    assert list(workers.scores.values_list("key", flat=True)) == ["demo-grid"]
    grid_seat = User.objects.get(username="demo-grid").assignments.get().node.code
    assert workers.scores.get().scope_code == grid_seat
    departments = MonthlyRanking.objects.get(kind="departments", month=MONTH).scores
    assert departments.count() == Department.objects.count()
    assert set(departments.first().components) == {"quantitative", "residents"}


def test_equal_figures_share_a_rank(fixed_kpis):
    ranking, _ = assessment.compute_ranking("departments", MONTH)
    assert set(ranking.scores.values_list("rank", flat=True)) == {1}


def test_running_again_changes_nothing_unless_an_input_changed(fixed_kpis):
    ranking, changed = assessment.compute_ranking("communities", MONTH)
    assert changed
    stamp, ids = ranking.computed_at, list(ranking.scores.values_list("pk", flat=True))
    again, changed = assessment.compute_ranking("communities", MONTH)
    assert not changed
    assert again.computed_at == stamp
    assert list(again.scores.values_list("pk", flat=True)) == ids

    # A score entered by the street moves the community's total: recomputed.
    street = User.objects.get(username="demo-street")
    community = OrgNode.objects.filter(parent=street.assignments.get().node).first()
    before = MonthlyScore.objects.get(ranking=ranking, key=community.code)
    do_score_node(community.code, MONTH, score=20, actor=street)
    do_enter_survey(
        community.code, MONTH, {"satisfied": 1, "basic": 0, "unsatisfied": 9}, actor=street
    )
    _, changed = assessment.compute_ranking("communities", MONTH)
    assert changed
    after = MonthlyScore.objects.get(ranking=ranking, key=community.code)
    assert after.components["organisational"]["score"] == 20.0
    assert after.components["residents"]["survey_rate"] == 0.1
    assert after.total < before.total


def test_a_published_ranking_is_frozen(fixed_kpis):
    ranking, _ = assessment.compute_ranking("streets", MONTH)
    MonthlyRanking.objects.filter(pk=ranking.pk).update(status=RankingStatus.PUBLISHED, digest="")
    _, changed = assessment.compute_ranking("streets", MONTH)
    assert not changed
    assert MonthlyRanking.objects.get(pk=ranking.pk).digest == ""


def test_the_nightly_task_computes_this_month_and_the_last(fixed_kpis, monkeypatch):
    from analytics.tasks import compute_rankings

    monkeypatch.setattr(assessment, "this_month", lambda: dt.date(2026, 11, 1))
    monkeypatch.setattr("analytics.tasks.this_month", lambda: dt.date(2026, 11, 1))
    compute_rankings.call_local()
    months = set(MonthlyRanking.objects.values_list("month", flat=True))
    assert months == {dt.date(2026, 10, 1), dt.date(2026, 11, 1)}
    count = MonthlyScore.objects.count()
    compute_rankings.call_local()
    assert MonthlyScore.objects.count() == count


def test_the_command_computes_past_months_and_says_what_moved(fixed_kpis):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("compute_rankings", "--month", "2026-10", stdout=out)
    assert out.getvalue().startswith("2026-10: grids, communities")
    call_command("compute_rankings", "--month", "2026-10", stdout=out)
    assert "grids(未变)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("compute_rankings", "--month", "10/2026")


def test_the_ranking_reads_the_real_kpi_query(city, db):
    """Against cases made through the actions: each score keeps the KPI row of its node as
    ``kpis()`` gives it, and its quantitative part is scored from that row."""
    from django.core.management import call_command

    from analytics.aggregates import sync
    from analytics.kpis import kpis

    call_command(
        "make_cases", "--days=20", "--per-day=6", "--seed=3", "--now=2026-10-25T18:00:00+08:00"
    )
    sync()
    ranking, changed = assessment.compute_ranking("communities", MONTH)
    assert changed
    scores = {s.key: s for s in ranking.scores.all()}
    community = OrgNode.objects.get(code=next(iter(scores)))
    (row,) = [
        r
        for r in kpis(community.parent.code, MONTH, dt.date(2026, 10, 31), group_by="child")
        if r["key"] == community.code
    ]
    assert scores[community.code].kpi == row
    received = sum(s.kpi["received"] for s in scores.values())
    (whole,) = kpis(OrgNode.objects.get(parent=None).code, MONTH, dt.date(2026, 10, 31))
    assert received == whole["received"] > 0
    expected = assessment.quantitative(row, assessment.scheme())["score"]
    assert scores[community.code].components["quantitative"]["score"] == expected
    assert assessment.compute_ranking("communities", MONTH)[1] is False


def test_residents_answers_count_with_the_survey_of_their_grid_and_above(fixed_kpis):
    from analytics.evaluation import do_vote
    from analytics.models import ResidentVote

    resident = User.objects.get(username="demo-resident")
    do_vote("unsatisfied", actor=resident)
    ResidentVote.objects.update(month=MONTH)  # the vote is this month's: into the ranked one
    grid = resident.resident.household.grid
    street = User.objects.get(username="demo-street")
    do_enter_survey(
        grid.parent.code, MONTH, {"satisfied": 3, "basic": 0, "unsatisfied": 0}, actor=street
    )
    rows = {r["key"]: r for r in assessment.scored_rows("grids", MONTH)}
    assert rows[grid.code]["components"]["residents"]["survey"] == {
        "respondents": 1,
        "satisfied": 0,
        "basic": 0,
        "unsatisfied": 1,
    }
    rows = {r["key"]: r for r in assessment.scored_rows("communities", MONTH)}
    survey = rows[grid.parent.code]["components"]["residents"]["survey"]
    # The staff's survey of 3 and the resident's answer: 4 respondents, 3 satisfied.
    assert (survey["respondents"], survey["satisfied"], survey["unsatisfied"]) == (4, 3, 1)
    assert rows[grid.parent.code]["components"]["residents"]["survey_rate"] == 0.75
