"""Organisational scores and surveys: the level above only, a trail of every change, 409 on
a stale edit and once the month's ranking is published (analytics.evaluation)."""

import datetime as dt

import pytest

from analytics.evaluation import do_enter_survey, do_score_node
from analytics.models import MonthlyRanking, OrgEvaluation, OrgEvaluationEvent, RankingStatus
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import OrgNode, User

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


@pytest.fixture
def people(city, db):
    users = {
        name: User.objects.get(username=f"demo-{name}")
        for name in ("street", "community", "grid", "leader")
    }
    community = users["community"].assignments.get().node
    street = users["street"].assignments.get().node
    return users, street, community


def test_the_street_scores_its_community_and_changes_it_with_the_version(people):
    users, street, community = people
    first = do_score_node(
        community.code, MONTH, score="88.5", comment="台账齐全", actor=users["street"]
    )
    assert (float(first.score), first.version) == (88.5, 1)
    second = do_score_node(
        community.code,
        MONTH,
        score=92,
        comment="整改到位",
        version=first.version,
        actor=users["street"],
    )
    assert (float(second.score), second.version) == (92.0, 2)
    trail = list(OrgEvaluationEvent.objects.filter(evaluation=second).order_by("pk"))
    assert [e.action for e in trail] == ["score", "rescore"]
    assert trail[0].data == {"before": None, "after": {"score": "88.5", "comment": "台账齐全"}}
    assert trail[1].data["before"] == {"score": "88.5", "comment": "台账齐全"}
    assert trail[1].data["after"] == {"score": "92.0", "comment": "整改到位"}
    assert trail[1].actor == users["street"]


def test_a_stale_edit_is_refused_with_409(people):
    users, street, community = people
    do_score_node(community.code, MONTH, score=80, actor=users["street"])
    do_score_node(community.code, MONTH, score=85, version=1, actor=users["leader"])
    with pytest.raises(StaleVersion) as refused:
        do_score_node(community.code, MONTH, score=70, version=1, actor=users["street"])
    assert refused.value.status == 409
    # A second "first entry" over an existing score is stale too, not an overwrite.
    with pytest.raises(StaleVersion):
        do_score_node(community.code, MONTH, score=70, actor=users["street"])
    assert float(OrgEvaluation.objects.get(node=community, month=MONTH).score) == 85


def test_only_the_level_above_scores(people):
    users, street, community = people
    grid = users["grid"].assignments.get().node
    # The community secretary scores its grids, never its own community.
    do_score_node(grid.code, MONTH, score=75, actor=users["community"])
    with pytest.raises(NotPermitted):
        do_score_node(community.code, MONTH, score=100, actor=users["community"])
    # A grid worker scores nothing, not even the grid beside theirs.
    for code in (grid.code, community.code):
        with pytest.raises(NotPermitted):
            do_score_node(code, MONTH, score=100, actor=users["grid"])
    # A street scores only below itself: another street's community is not theirs.
    other = (
        OrgNode.objects.filter(level=community.level).exclude(code__startswith=street.code).first()
    )
    if other is not None:
        with pytest.raises(NotPermitted):
            do_score_node(other.code, MONTH, score=60, actor=users["street"])
    with pytest.raises(NotPermitted):
        do_score_node(street.code, MONTH, score=60, actor=users["street"])


def test_scores_outside_0_to_100_are_refused(people):
    users, street, community = people
    for bad in ("-1", "100.1", "abc", ""):
        with pytest.raises(InvalidInput):
            do_score_node(community.code, MONTH, score=bad, actor=users["street"])


def test_a_published_month_can_no_longer_be_scored(people):
    users, street, community = people
    do_score_node(community.code, MONTH, score=80, actor=users["street"])
    MonthlyRanking.objects.create(kind="communities", month=MONTH, status=RankingStatus.PUBLISHED)
    with pytest.raises(Conflict) as refused:
        do_score_node(community.code, MONTH, score=90, version=1, actor=users["street"])
    assert refused.value.code == "published"
    # Another month, or another kind's publication, does not lock it.
    do_score_node(community.code, dt.date(2026, 11, 1), score=90, actor=users["street"])


def test_a_survey_adds_up_and_replaces_the_month_before(people):
    users, street, community = people
    data = {"satisfied": "40", "basic": "6", "unsatisfied": "4", "respondents": "50"}
    survey = do_enter_survey(community.code, MONTH, data, actor=users["street"])
    assert (survey.respondents, survey.satisfied) == (50, 40)
    again = do_enter_survey(
        community.code, MONTH, {**data, "satisfied": "30", "respondents": ""}, actor=users["street"]
    )
    assert (again.pk, again.respondents, again.satisfied) == (survey.pk, 40, 30)
    with pytest.raises(InvalidInput):
        do_enter_survey(community.code, MONTH, {**data, "respondents": "51"}, actor=users["street"])
    with pytest.raises(InvalidInput):
        do_enter_survey(community.code, MONTH, {**data, "basic": "-2"}, actor=users["street"])
    with pytest.raises(NotPermitted):
        do_enter_survey(community.code, MONTH, data, actor=users["grid"])


def test_a_resident_answers_once_a_month_and_only_about_their_own_grid(people):
    from analytics.evaluation import do_vote
    from analytics.models import ResidentVote

    users, street, community = people
    resident = User.objects.get(username="demo-resident")
    vote = do_vote("basic", actor=resident)
    assert vote.node == resident.resident.household.grid
    again = do_vote("satisfied", actor=resident)
    assert (again.pk, ResidentVote.objects.count(), again.answer) == (vote.pk, 1, "satisfied")
    with pytest.raises(InvalidInput):
        do_vote("great", actor=resident)
    with pytest.raises(NotPermitted):
        do_vote("satisfied", actor=users["street"])  # staff without a household
