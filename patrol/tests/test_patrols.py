"""Patrols on the workflow engine: start, one open patrol per worker, end with its
version, the verb; the track flagged outside the grid's real outline; hours by local day
across midnight with the clock moved; the week's summary; times recorded offline."""

from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from shapely.geometry import shape

from cases.models import Case, CaseEvent
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import Household, OrgNode, RoleAssignment, User
from org.permissions import has
from patrol import standards
from patrol.models import Finding, PatrolEvent, PatrolStatus
from patrol.patrols import (
    do_add_points,
    do_patrol_action,
    do_report_finding,
    do_start_patrol,
    hours_of,
)

pytestmark = pytest.mark.django_db


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def worker(city):
    return User.objects.get(username="demo-grid")


@pytest.fixture
def grid(worker):
    return worker.assignments.get().node


def test_a_grid_worker_starts_and_ends_a_patrol_on_the_timeline(worker, grid):
    assert has(worker, "patrol.patrol", grid.code)
    patrol = do_start_patrol(actor=worker)  # their one grid, without naming it
    assert (patrol.grid, patrol.status, patrol.version) == (grid, PatrolStatus.ON_PATROL, 1)
    with pytest.raises(Conflict) as refused:
        do_start_patrol(actor=worker, grid_code=grid.code)
    assert refused.value.code == "patrol_open" and "正在进行" in refused.value.detail
    with pytest.raises(StaleVersion):
        do_patrol_action(patrol.pk, "end", actor=worker, version=7)
    ended = do_patrol_action(patrol.pk, "end", actor=worker, version=1)
    assert (ended.status, ended.version) == (PatrolStatus.ENDED, 2) and ended.ended_at
    with pytest.raises(Conflict):
        do_patrol_action(patrol.pk, "end", actor=worker, version=2)
    assert list(patrol.events.values_list("action", "to_status")) == [
        ("start", "on_patrol"),
        ("end", "ended"),
    ]
    mistaken = do_start_patrol(actor=worker)  # the next one may start
    assert mistaken.pk != patrol.pk
    cancelled = do_patrol_action(mistaken.pk, "cancel", actor=worker, version=1)
    assert cancelled.status == PatrolStatus.CANCELLED and hours_of(cancelled) == 0


def test_only_who_holds_the_verb_starts_and_only_the_worker_ends(worker, grid):
    community = User.objects.get(username="demo-community")  # sees the grid, does not patrol
    resident = User.objects.get(username="demo-resident")
    for person in (community, resident):
        assert not has(person, "patrol.patrol", grid.code)
        with pytest.raises(NotPermitted):
            do_start_patrol(actor=person, grid_code=grid.code)
    patrol = do_start_patrol(actor=worker)
    with pytest.raises(NotPermitted):
        do_patrol_action(patrol.pk, "end", actor=community, version=1)
    elsewhere = OrgNode.objects.exclude(grid_kind="").exclude(pk=grid.pk)[0]
    with pytest.raises(NotPermitted):
        do_start_patrol(actor=User.objects.get(username="demo-volunteer"), grid_code=elsewhere.code)
    with pytest.raises(InvalidInput):
        do_start_patrol(actor=worker, grid_code="nowhere")


def test_points_outside_the_real_outline_flag_the_patrol_never_refused(worker, grid):
    outline = shape(grid.geometry)
    inside = outline.representative_point()
    minx, miny, maxx, maxy = outline.bounds
    start = (timezone.now() - timedelta(minutes=30)).replace(microsecond=0)
    patrol = do_start_patrol(actor=worker, offline_at=start.isoformat())

    def point(lng, lat, minutes):
        moment = start + timedelta(minutes=minutes)
        return {"lat": lat, "lng": lng, "accuracy": 8, "recorded_at": moment.isoformat()}

    first = do_add_points(
        patrol.pk, [point(inside.x, inside.y, 1), point(inside.x, inside.y, 2)], actor=worker
    )
    assert first["accepted"] == 2 and first["outside"] == 0
    out = [point(maxx + (maxx - minx), maxy, 3), point(maxx + (maxx - minx), maxy, 4)]
    second = do_add_points(patrol.pk, [*out, point(inside.x, inside.y, 5)], actor=worker)
    assert second["accepted"] == 3 and second["outside"] == 2
    again = do_add_points(patrol.pk, out, actor=worker)  # the phone sent it twice
    assert again["accepted"] == 0 and again["ignored"] == 2
    patrol.refresh_from_db()
    assert patrol.point_count == 5 and patrol.left_grid_count == 2
    assert patrol.left_grid_at == start + timedelta(minutes=3)
    assert patrol.distance_m > 0
    (left,) = PatrolEvent.objects.filter(patrol=patrol, action="left_grid")
    assert left.actor is None  # the system read it from the track: the timeline says 系统
    assert patrol.chunks.count() == 2
    with pytest.raises(InvalidInput) as bad:
        do_add_points(patrol.pk, [{"lat": 95, "lng": 1, "recorded_at": "2026-01-01"}], actor=worker)
    assert "第 1 个轨迹点" in bad.value.detail


def test_a_problem_becomes_a_patrol_case_and_base_information_a_finding(worker, grid):
    patrol = do_start_patrol(actor=worker)
    outline = shape(grid.geometry).representative_point()
    do_add_points(
        patrol.pk,
        [{"lat": outline.y, "lng": outline.x, "recorded_at": timezone.now().isoformat()}],
        actor=worker,
    )
    problem = do_report_finding(patrol.pk, actor=worker, kind="problem", text="井盖缺失\n在3栋东侧")
    case = problem.case
    assert case.channel == "patrol" and case.grid == grid and case.title == "井盖缺失"
    assert (round(case.lat, 5), round(case.lng, 5)) == (round(outline.y, 5), round(outline.x, 5))
    assert CaseEvent.objects.get(case=case, action="submit").data["patrol"] == patrol.pk
    house = Household.objects.filter(grid=grid).first()
    info = do_report_finding(
        patrol.pk, actor=worker, kind="houses", text="空置房屋已登记", household_code=house.code
    )
    assert (info.case, info.kind, info.household) == (None, "houses", house)
    with pytest.raises(InvalidInput):
        do_report_finding(patrol.pk, actor=worker, kind="weather", text="晴")
    with pytest.raises(InvalidInput):
        do_report_finding(patrol.pk, actor=worker, kind="events", text="x", lat="北", lng="1")
    with pytest.raises(InvalidInput):
        do_report_finding(patrol.pk, actor=worker, kind="people", text="x", household_code="no")
    notes = list(patrol.events.filter(action="finding").values_list("data", flat=True))
    assert [n["kind"] for n in notes] == ["problem", "houses"] and notes[0]["number"]
    assert Case.objects.filter(channel="patrol").count() == 1


def test_hours_split_by_local_day_across_midnight_with_the_clock_moved(worker, grid):
    start = local(2026, 11, 23, 22, 30)  # a Monday, Asia/Shanghai
    with mock.patch("django.utils.timezone.now", return_value=start):
        patrol = do_start_patrol(actor=worker)
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=3)):
        do_patrol_action(patrol.pk, "end", actor=worker, version=1)
    patrol.refresh_from_db()
    assert hours_of(patrol) == 3
    monday, tuesday = start.date(), start.date() + timedelta(days=1)
    hours = standards.worker_hours(worker, monday, tuesday, now=start + timedelta(days=3))
    assert hours == {monday: 1.5, tuesday: 1.5}
    # The grid leader's overlapping patrol counts for them, and once for the grid.
    leader = RoleAssignment.objects.get(node=grid, role__duty="grid_leader").user
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=30)):
        other = do_start_patrol(actor=leader, grid_code=grid.code)
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=2)):
        do_patrol_action(other.pk, "end", actor=leader, version=1)
    assert standards.worker_hours(leader, monday, tuesday) == {monday: 1.0, tuesday: 0.5}
    assert standards.grid_hours([grid.pk], monday, tuesday)[grid.pk] == {
        monday: 1.5,
        tuesday: 1.5,
    }


def test_the_week_summary_counts_hours_days_below_findings_and_cases(worker, grid):
    monday = local(2026, 11, 23, 9, 0)
    for day, hours in ((0, 2.5), (1, 1.0), (3, 2.0)):  # jizhou's standard: 2 hours a day
        at = monday + timedelta(days=day)
        with mock.patch("django.utils.timezone.now", return_value=at):
            patrol = do_start_patrol(actor=worker)
            if day == 0:
                do_report_finding(patrol.pk, actor=worker, kind="problem", text="路灯不亮")
                do_report_finding(patrol.pk, actor=worker, kind="events", text="邻里纠纷已调解")
        with mock.patch("django.utils.timezone.now", return_value=at + timedelta(hours=hours)):
            do_patrol_action(patrol.pk, "end", actor=worker, version=1)
    thursday_evening = monday + timedelta(days=3, hours=12)
    week = standards.worker_week(worker, now=thursday_evening)
    assert week["standard_hours"] == 2
    assert [d["hours"] for d in week["days"]] == [2.5, 1.0, 0, 2.0, 0, 0, 0]
    # Tuesday (1 h) and Wednesday (none) are below; Thursday is not over, Friday not yet.
    assert week["days_below"] == 2 and week["hours"] == 5.5
    assert (week["patrols"], week["findings"], week["cases"]) == (3, 2, 1)
    community = grid.parent
    grids = standards.grids_week(community.code, now=thursday_evening)
    row = next(r for r in grids["rows"] if r["grid"] == grid)
    assert (row["hours"], row["days_below"], row["cases"]) == (5.5, 2, 1)
    assert grids["totals"]["grids_below"] == len(grids["rows"])  # the others had nothing
    # Per worker too (the issue: 「按人、按网格」), on the page with the week so far.
    workers = standards.workers_week([grid], now=thursday_evening)["rows"]
    mine = next(r for r in workers if r["worker"] == worker)
    assert (mine["hours"], mine["days_below"]) == (5.5, 2)
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(User.objects.get(username="demo-community"))
    with mock.patch("django.utils.timezone.now", return_value=thursday_evening):
        page = client.get(reverse("patrol:week", args=[community.code])).content.decode()
    assert 'id="week-workers"' in page and f'data-worker="{worker.username}"' in page
    assert "本周至今：11-23 到今天（11-26）" in page and 'id="week-legend"' in page


def test_a_patrol_started_and_ended_offline_keeps_the_phones_times(worker):
    # The rule itself (limits, notes, the clock's correction): idempotency/tests/test_offline.py.
    now = local(2026, 11, 30, 14, 0)
    with mock.patch("django.utils.timezone.now", return_value=now):
        patrol = do_start_patrol(actor=worker, offline_at="2026-11-30T10:00:00+08:00")
        ended = do_patrol_action(
            patrol.pk, "end", actor=worker, version=1, offline_at="2026-11-30T12:00:00+08:00"
        )
    assert hours_of(ended) == 2
    assert patrol.events.get(action="end").at == local(2026, 11, 30, 12, 0)
    assert not Finding.objects.exists()


def test_a_refused_form_comes_back_with_its_reason_and_input_and_its_token_unused(worker, grid):
    """A refusal is a 4xx page with the form (the offline queue shows 「被退回：…」 with the
    reason; online, the person sees what they typed), not a message and a redirect, which
    would use up the token; put right, the same token goes once."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(worker)
    patrol = do_start_patrol(actor=worker)
    url = reverse("patrol:finding", args=[patrol.pk])
    page = reverse("patrol:detail", args=[patrol.pk])
    pressed = (timezone.now() - timedelta(minutes=20)).replace(microsecond=0)
    typed = {
        "once": "f" * 32,
        "next": page,
        "kind": "problem",
        "title": "井盖缺失",
        "text": "路边井盖缺失，有人险些踩空",
        "household": "没有这一户",
        "offline_at": pressed.isoformat(),
    }
    for headers in ({"HTTP_X_GRIDGOV_OFFLINE": "replay"}, {}):  # the queue, then by hand
        refused = client.post(url, typed, **headers)
        body = refused.content.decode()
        assert refused.status_code == 400, body[:300]
        assert 'id="finding-error"' in body and "本网格没有这一户" in body
        assert "路边井盖缺失，有人险些踩空</textarea>" in body and 'value="井盖缺失"' in body
        assert f"<h1>{grid.name}" in body and f'name="next" value="{page}"' in body
        assert 'id="finding" open>' in body  # the panel open, not collapsed
    # On 今日巡查 too: no 情况 (spaces only) comes back open there, the 户号 kept.
    today = reverse("patrol:today")
    blank = client.post(url, {**typed, "next": today, "text": "  ", "household": "3-2-101"})
    body = blank.content.decode()
    assert blank.status_code == 400 and "请填写发现的情况" in body
    assert 'id="finding" open>' in body and 'value="3-2-101"' in body
    assert 'id="patrol-refusal"' not in body  # the reason is in the panel, not above it
    assert not Finding.objects.exists()

    put_right = client.post(url, {**typed, "household": ""}, HTTP_X_GRIDGOV_OFFLINE="replay")
    answer = put_right.json()
    assert (answer["ok"], answer["location"], answer["replayed"]) == (True, page, False)
    assert "已立案" in answer["messages"][0]["text"]
    assert Finding.objects.get().found_at == pressed
    case_page = client.get(reverse("cases:detail", args=[Finding.objects.get().case_id]))
    assert "来自巡查" in (body := case_page.content.decode())  # the case links to its patrol
    assert f'href="{reverse("patrol:detail", args=[patrol.pk])}"' in body

    # Start and end refused the same way, on 今日巡查.
    again = client.post(reverse("patrol:start"), {"once": "s" * 32, "grid": grid.code})
    assert again.status_code == 409 and "正在进行" in again.content.decode()
    stale = client.post(reverse("patrol:end", args=[patrol.pk]), {"once": "e" * 32, "version": 9})
    assert stale.status_code == 409 and 'id="patrol-refusal"' in stale.content.decode()
    ended = client.post(reverse("patrol:end", args=[patrol.pk]), {"once": "e" * 32, "version": 1})
    assert (ended.status_code, ended["Location"]) == (302, today)
