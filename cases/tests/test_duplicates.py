"""Possible duplicates: the same category within 100 m and 72 h of an open case; merging
closes the duplicate and its reporter hears the outcome of the original."""

import datetime as dt
import math

import pytest

from cases.actions import Report, do_case_action, do_create_case
from cases.duplicates import distance_m
from cases.models import Case, Status
from gridgov.errors import Conflict, InvalidInput
from org.models import OrgNode, User
from outbox.models import Outbox

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
METRES_PER_DEGREE = math.pi * 6_371_000 / 180  # on the sphere cases.duplicates uses


def user(username):
    return User.objects.get(username=username)


@pytest.fixture
def place(db, city):
    """The demo grid's code and a point inside it."""
    grid = user("demo-grid").assignments.get().node
    ring = grid.geometry["coordinates"][0][:-1]
    lng = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    return grid.code, lng, lat


def moved(lng, lat, *, north_m=0.0, east_m=0.0):
    return (
        lng + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
        lat + north_m / METRES_PER_DEGREE,
    )


def report(place, *, at, category="JS-001", north_m=0.0, east_m=0.0, actor="demo-grid"):
    grid, lng, lat = place
    lng, lat = moved(lng, lat, north_m=north_m, east_m=east_m)
    channel = "qr_code" if actor == "demo-resident" else "grid_report"
    return do_create_case(
        Report(
            title="路灯不亮",
            channel=channel,
            grid_code=grid,
            lng=lng,
            lat=lat,
            category_code=category,
        ),
        actor=user(actor),
        at=at,
    )


def test_the_offsets_used_here_are_the_distances_they_claim(place):
    _, lng, lat = place
    assert distance_m(lng, lat, *moved(lng, lat, east_m=90)) == pytest.approx(90, abs=0.5)
    assert distance_m(lng, lat, *moved(lng, lat, north_m=150)) == pytest.approx(150, abs=0.5)


def test_the_same_category_within_100_m_and_72_h_of_an_open_case_is_flagged(place):
    original = report(place, at=T0)
    assert original.possible_duplicate_of is None
    again = report(place, at=T0 + dt.timedelta(hours=71), east_m=90)
    assert again.possible_duplicate_of == original
    assert Case.objects.get(pk=again.pk).possible_duplicate_of_id == original.pk


def test_an_earlier_case_filed_later_flags_the_later_one(place):
    # A hotline pushes the 10:00 order before the 09:30 one, 20 m apart: the 10:00 one is
    # the possible duplicate of the 09:30 one, whichever came in first.
    ten = report(place, at=T0 + dt.timedelta(hours=1))
    half_past_nine = report(place, at=T0 + dt.timedelta(minutes=30), east_m=20)
    assert Case.objects.get(pk=ten.pk).possible_duplicate_of_id == half_past_nine.pk
    assert Case.objects.get(pk=half_past_nine.pk).possible_duplicate_of_id is None


def test_a_case_72_h_before_is_not_flagged_once_more_is_between(place):
    later = report(place, at=T0 + dt.timedelta(hours=80))
    report(place, at=T0, east_m=10)
    assert Case.objects.get(pk=later.pk).possible_duplicate_of_id is None


def test_a_case_150_m_away_is_not_flagged(place):
    report(place, at=T0)
    assert report(place, at=T0 + dt.timedelta(hours=1), north_m=150).possible_duplicate_of is None


def test_a_case_80_h_later_is_not_flagged(place):
    report(place, at=T0)
    assert report(place, at=T0 + dt.timedelta(hours=80), east_m=10).possible_duplicate_of is None


def test_a_case_of_another_category_is_not_flagged(place):
    report(place, at=T0)
    other = report(place, at=T0 + dt.timedelta(hours=1), category="HW-001")
    assert other.possible_duplicate_of is None


def test_a_finished_case_is_not_a_duplicate_target(place):
    original = report(place, at=T0)
    do_case_action(
        original.pk,
        "reject",
        actor=user("demo-community"),
        version=1,
        data={"reason": "重复"},
        at=T0,
    )
    assert report(place, at=T0 + dt.timedelta(hours=1)).possible_duplicate_of is None


def test_a_case_without_a_point_or_a_category_is_never_flagged(place):
    grid, _, _ = place
    report(place, at=T0)
    pointless = do_create_case(
        Report(title="路灯不亮", channel="grid_report", grid_code=grid, category_code="JS-001"),
        actor=user("demo-grid"),
        at=T0 + dt.timedelta(hours=1),
    )
    assert pointless.possible_duplicate_of is None


def test_merging_closes_the_duplicate_and_its_reporter_hears_the_outcome(place):
    community = user("demo-community")  # the community merges and rejects, not the grid
    original = report(place, at=T0)
    duplicate = report(place, at=T0 + dt.timedelta(hours=2), east_m=30, actor="demo-resident")
    assert duplicate.possible_duplicate_of == original
    assert duplicate.reporter_user == user("demo-resident")

    merged = do_case_action(
        duplicate.pk,
        "merge",
        actor=community,
        version=duplicate.version,
        data={"into": original.pk},
        at=T0 + dt.timedelta(hours=3),
    )
    assert merged.status == Status.CLOSED and merged.merged_into == original
    assert merged.closed_at == T0 + dt.timedelta(hours=3)
    told = Outbox.objects.about(duplicate).filter(event="case_merged")
    assert list(told.values_list("recipient__username", flat=True)) == ["demo-resident"]
    assert original.number in told.get().payload["title"]

    at = T0 + dt.timedelta(hours=4)
    case = do_case_action(original.pk, "handle", actor=community, version=1, at=at)
    case = do_case_action(
        case.pk, "resolve", actor=community, version=2, data={"result": "已更换路灯"}, at=at
    )
    assert not Outbox.objects.filter(event="case_closed").exists()
    do_case_action(case.pk, "close", actor=community, version=3, at=at)
    outcome = Outbox.objects.filter(event="case_closed", recipient=user("demo-resident")).get()
    assert (outcome.subject_type, outcome.subject_id) == ("cases.case", original.pk)
    assert "已更换路灯" in outcome.payload["title"] + outcome.payload.get("body", "")


def test_a_case_cannot_be_merged_into_itself_or_a_closed_case(place):
    community = user("demo-community")  # the community merges and rejects, not the grid
    first = report(place, at=T0)
    second = report(place, at=T0 + dt.timedelta(hours=1))
    with pytest.raises(InvalidInput):
        do_case_action(second.pk, "merge", actor=community, version=1, data={"into": second.pk})
    do_case_action(first.pk, "reject", actor=community, version=1, data={"reason": "无效"})
    with pytest.raises(Conflict) as caught:
        do_case_action(second.pk, "merge", actor=community, version=1, data={"into": first.pk})
    assert caught.value.code == "merge_target_closed"
    assert Case.objects.get(pk=second.pk).status == Status.SUBMITTED


def test_a_case_outside_the_staff_members_scope_is_not_a_merge_target(place):
    community = user("demo-community")  # the community merges and rejects, not the grid
    elsewhere = OrgNode.objects.exclude(grid_kind="").exclude(code=place[0]).last()
    other = do_create_case(
        Report(title="路灯不亮", channel="hotline_12345", grid_code=elsewhere.code),
        actor=user("demo-admin"),
        at=T0,
    )
    mine = report(place, at=T0)
    with pytest.raises(InvalidInput):
        do_case_action(mine.pk, "merge", actor=community, version=1, data={"into": other.pk})


def test_a_reporter_hears_the_outcome_when_their_case_was_merged_twice(place):
    """A into B, then B into C: closing C tells A's reporter too (every reporter of a
    merged case is told the outcome)."""
    community = user("demo-community")  # the community merges and rejects, not the grid
    at = T0 + dt.timedelta(hours=5)
    first = report(place, at=T0, actor="demo-resident")
    middle = report(place, at=T0 + dt.timedelta(hours=1))
    last = report(place, at=T0 + dt.timedelta(hours=2))
    do_case_action(first.pk, "merge", actor=community, version=1, data={"into": middle.pk}, at=at)
    do_case_action(middle.pk, "merge", actor=community, version=1, data={"into": last.pk}, at=at)
    do_case_action(last.pk, "handle", actor=community, version=1, at=at)
    do_case_action(last.pk, "resolve", actor=community, version=2, data={"result": "已修好"}, at=at)
    do_case_action(last.pk, "close", actor=community, version=3, at=at)
    told = Outbox.objects.filter(event="case_closed", recipient=user("demo-resident"))
    assert told.about(last).exists()
