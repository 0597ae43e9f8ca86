"""Traffic lights: green, yellow once 75 % of the allowed time is used, red when overdue,
moved by sweep_lights(now=…) with the clock given, never by sleeping."""

import datetime as dt
import threading

import pytest
from django.db import connection

from cases.actions import Report, do_case_action, do_create_case
from cases.models import Case, CaseEvent, Light
from cases.sla import sweep_lights
from org.models import User
from outbox.models import Outbox
from tests.conftest import build_city

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# A Monday in a month without holidays: 5 working days end on Monday 9 November, 24:00.
RECEIVED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
DUE = dt.datetime(2026, 11, 10, 0, 0, tzinfo=SHANGHAI)
WARN = RECEIVED + (DUE - RECEIVED) * 0.75
SECOND = dt.timedelta(seconds=1)


def user(username):
    return User.objects.get(username=username)


def grid_code():
    return user("demo-grid").assignments.get().node.code


def new_case(at=RECEIVED, title="路灯不亮") -> Case:
    return do_create_case(
        Report(title=title, channel="grid_report", grid_code=grid_code(), category_code="JS-001"),
        actor=user("demo-grid"),
        at=at,
    )


def light_events(case):
    return list(CaseEvent.objects.filter(case=case, action="light").order_by("at", "pk"))


def recipients(case, event):
    return set(
        Outbox.objects.about(case)
        .filter(event=event, channel="inbox")
        .values_list("recipient__username", flat=True)
    )


@pytest.fixture
def case(db, city):
    case = new_case()
    assert (case.due_at, case.warn_at, case.light) == (DUE, WARN, Light.GREEN)
    return case


def test_a_case_stays_green_until_three_quarters_of_its_time_is_used(case):
    assert sweep_lights(now=WARN - SECOND) == 0
    case.refresh_from_db()
    assert case.light == Light.GREEN and light_events(case) == []


def test_a_case_turns_yellow_at_three_quarters_of_its_time(case):
    assert sweep_lights(now=WARN) == 1
    case.refresh_from_db()
    assert case.light == Light.YELLOW
    [event] = light_events(case)
    assert event.data == {"from": "green", "to": "yellow"} and event.at == WARN
    assert event.from_status == event.to_status == "submitted" and event.actor is None
    assert case.version == 1  # the sweep is not a user's write


def test_a_yellow_case_turns_red_when_overdue(case):
    sweep_lights(now=WARN)
    assert sweep_lights(now=DUE - SECOND) == 0
    assert sweep_lights(now=DUE) == 1
    case.refresh_from_db()
    assert case.light == Light.RED
    assert [e.data["to"] for e in light_events(case)] == ["yellow", "red"]


def test_a_green_case_first_swept_after_its_deadline_goes_straight_to_red(case):
    assert sweep_lights(now=DUE + dt.timedelta(days=3)) == 1
    case.refresh_from_db()
    assert case.light == Light.RED
    assert [e.data for e in light_events(case)] == [{"from": "green", "to": "red"}]


def test_a_second_sweep_at_the_same_time_moves_nothing(case):
    assert sweep_lights(now=DUE) == 1
    events, outbox = CaseEvent.objects.count(), Outbox.objects.count()
    assert sweep_lights(now=DUE) == 0
    assert sweep_lights(now=DUE + dt.timedelta(hours=5)) == 0
    assert (CaseEvent.objects.count(), Outbox.objects.count()) == (events, outbox)


def test_yellow_tells_the_handler_and_red_also_the_supervisor(case):
    sweep_lights(now=WARN)
    yellow = recipients(case, "case_yellow")
    assert "demo-grid" in yellow  # staff of the grid holding the case
    assert "demo-community" not in yellow
    sweep_lights(now=DUE)
    red = recipients(case, "case_red")
    assert {"demo-grid", "demo-community"} <= red  # the community is one level up
    assert "demo-street" not in red


def test_yellow_tells_the_department_leading_the_case(case):
    department = user("demo-dept").assignments.get().department
    case = do_case_action(
        case.pk,
        "dispatch",
        actor=user("demo-grid"),
        version=1,
        data={"lead": {"department": department.code}},
        at=RECEIVED + dt.timedelta(hours=1),
    )
    sweep_lights(now=WARN)
    yellow = recipients(case, "case_yellow")
    assert "demo-dept" in yellow and "demo-grid" not in yellow


def test_resolved_and_closed_cases_keep_their_light(case):
    grid = user("demo-grid")
    case = do_case_action(case.pk, "handle", actor=grid, version=1, at=RECEIVED)
    case = do_case_action(
        case.pk, "resolve", actor=grid, version=2, data={"result": "已修好"}, at=RECEIVED
    )
    assert sweep_lights(now=DUE + dt.timedelta(days=1)) == 0
    case.refresh_from_db()
    assert case.light == Light.GREEN and light_events(case) == []


def test_an_approved_extension_turns_a_red_case_back(case):
    grid, community = user("demo-grid"), user("demo-community")
    late = DUE + dt.timedelta(hours=10)
    case = do_case_action(case.pk, "handle", actor=grid, version=1, at=RECEIVED)
    sweep_lights(now=late)
    case.refresh_from_db()
    assert case.light == Light.RED
    case = do_case_action(
        case.pk,
        "request_extension",
        actor=grid,
        version=case.version,
        data={"reason": "等待配件", "working_days": 5},
        at=late,
    )
    assert case.light == Light.RED  # asking changes nothing yet
    case = do_case_action(
        case.pk, "approve_extension", actor=community, version=case.version, at=late
    )
    case.refresh_from_db()
    assert case.due_at > late and case.extension_requested_until is None
    assert case.light == Light.GREEN
    assert case.warn_at == RECEIVED + (case.due_at - RECEIVED) * 0.75
    assert sweep_lights(now=late) == 0
    assert sweep_lights(now=case.due_at) == 1
    case.refresh_from_db()
    assert case.light == Light.RED


def test_two_sweeps_in_two_threads_move_each_case_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: two sweeps cannot overlap there")
    build_city()
    cases = [new_case(title=f"路灯不亮 {n}") for n in range(40)]
    outbox_before = Outbox.objects.count()
    barrier = threading.Barrier(2)
    moved, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            moved.append(sweep_lights(now=DUE))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(moved) == len(cases)
    for case in cases:
        assert [e.data for e in light_events(case)] == [{"from": "green", "to": "red"}]
    assert set(Case.objects.values_list("light", flat=True)) == {Light.RED}
    red_rows = Outbox.objects.filter(event="case_red", channel="inbox")
    per_case = len(recipients(cases[0], "case_red"))
    assert red_rows.count() == per_case * len(cases)
    assert Outbox.objects.count() - outbox_before == red_rows.count()


@pytest.mark.parametrize("status", ["resolved", "closed", "rejected"])
def test_finished_cases_long_past_their_deadline_are_left_alone(db, city, status):
    # History imported as finished (exchange: a hotline's 已办结/已归档 orders) keeps its
    # green light: the sweep neither turns it red nor tells anybody.
    finished = new_case(at=RECEIVED - dt.timedelta(days=700))
    Case.objects.filter(pk=finished.pk).update(status=status)
    outbox = Outbox.objects.count()
    assert sweep_lights(now=DUE) == 0
    assert Case.objects.get(pk=finished.pk).light == Light.GREEN
    assert light_events(finished) == [] and Outbox.objects.count() == outbox
