"""Case deadlines on the working-day calendar: over the 2026 National Day holiday and its
调休 Saturday, and into 2027 with and without an entered schedule.

chinese-calendar's 2026: 1–7 October off (国庆), Saturday 10 October a working day;
the package knows nothing of 2027. A deadline in working days is the end (24:00 local)
of the n-th working day after the day of receipt."""

import datetime as dt

import pytest

from cases.actions import Report, do_case_action, do_create_case
from catalog.calendar import SOURCE_ADMIN
from catalog.models import CalendarDay, CalendarYear
from org.models import User

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def user(username):
    return User.objects.get(username=username)


def receive(at, category="JS-001"):
    """JS-001 (路灯不亮) is a 需协调问题 in Jizhou: 5 working days; SR-002 a 简易问题: 2 h;
    AQ-002 a 重点难点问题: 10 to 15 working days, due after 15."""
    grid = user("demo-grid").assignments.get().node
    return do_create_case(
        Report(
            title="路灯不亮", channel="grid_report", grid_code=grid.code, category_code=category
        ),
        actor=user("demo-grid"),
        at=at,
    )


@pytest.fixture
def calendar(db, city):
    assert CalendarYear.objects.filter(year=2026).exists()
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).is_workday  # 调休
    assert not CalendarDay.objects.get(date=dt.date(2026, 10, 5)).is_workday


def test_five_working_days_from_30_september_2026_end_on_13_october(calendar):
    # Not counted: 30 Sep (receipt), 1–7 Oct (holiday), 11 Oct (Sunday).
    # Counted: 8, 9, 10 (调休 Saturday), 12, 13 October.
    case = receive(local(2026, 9, 30, 10, 0))
    assert case.tier.code == "coordinated"
    assert case.due_at == local(2026, 10, 14, 0, 0)
    assert case.deadline_warning is False
    # Answering is counted in natural hours, holiday or not.
    assert case.response_due_at == local(2026, 10, 1, 10, 0)


def test_the_day_of_receipt_is_the_local_date(calendar):
    # 17:00 UTC on 29 September is 01:00 on the 30th in Shanghai: the same deadline.
    case = receive(dt.datetime(2026, 9, 29, 17, 0, tzinfo=dt.UTC))
    assert case.due_at == local(2026, 10, 14, 0, 0)


def test_a_case_received_during_the_holiday_counts_from_the_first_working_day(calendar):
    case = receive(local(2026, 10, 3, 15, 0))
    assert case.due_at == local(2026, 10, 14, 0, 0)


def test_fifteen_working_days_from_30_september_2026_end_on_27_october(calendar):
    case = receive(local(2026, 9, 30, 10, 0), category="AQ-002")
    assert case.tier.code == "escalated"
    assert case.due_at == local(2026, 10, 28, 0, 0)
    assert case.deadline_warning is False


def test_an_hours_tier_runs_through_the_holiday(calendar):
    case = receive(local(2026, 10, 1, 10, 0), category="SR-002")
    assert case.tier.code == "immediate"
    assert case.due_at == local(2026, 10, 1, 12, 0)
    assert case.response_due_at == case.due_at


def test_re_tiering_at_dispatch_counts_from_the_day_of_receipt(calendar):
    case = receive(local(2026, 9, 30, 10, 0))
    department = user("demo-dept").assignments.get().department
    case = do_case_action(
        case.pk,
        "dispatch",
        actor=user("demo-grid"),
        version=1,
        data={"lead": {"department": department.code}, "tier": "escalated"},
        at=local(2026, 10, 9, 9, 0),
    )
    assert case.due_at == local(2026, 10, 28, 0, 0)


def test_a_deadline_into_2027_without_its_schedule_assumes_monday_to_friday_and_warns(calendar):
    # 31 Dec, then 1 (assumed a working day), 4, 5, 6 January 2027.
    case = receive(local(2026, 12, 30, 10, 0))
    assert case.due_at == local(2027, 1, 7, 0, 0)
    assert case.deadline_warning is True


def test_a_deadline_into_2027_with_an_entered_schedule_uses_it_and_does_not_warn(calendar):
    CalendarYear.objects.create(year=2027, source=SOURCE_ADMIN)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    # 31 Dec, then 4, 5, 6, 7 January 2027.
    case = receive(local(2026, 12, 30, 10, 0))
    assert case.due_at == local(2027, 1, 8, 0, 0)
    assert case.deadline_warning is False


def test_a_deadline_within_2026_does_not_warn(calendar):
    case = receive(local(2026, 12, 1, 10, 0))
    assert case.due_at == local(2026, 12, 9, 0, 0)
    assert case.deadline_warning is False


def test_an_extension_by_working_days_adds_exactly_that_many(calendar):
    # Received Monday 2 November: due at the end of Monday 9 November. Five more working
    # days are 10, 11, 12, 13 and 16 November: due at the end of the 16th.
    grid, community = user("demo-grid"), user("demo-community")
    case = receive(local(2026, 11, 2, 9, 0))
    assert case.due_at == local(2026, 11, 10, 0, 0)
    case = do_case_action(case.pk, "handle", actor=grid, version=1, at=local(2026, 11, 2, 10))
    case = do_case_action(
        case.pk,
        "request_extension",
        actor=grid,
        version=2,
        data={"reason": "等待配件", "working_days": 5},
        at=local(2026, 11, 9, 10),
    )
    assert case.extension_requested_until == local(2026, 11, 17, 0, 0)
    case = do_case_action(
        case.pk, "approve_extension", actor=community, version=3, at=local(2026, 11, 9, 11)
    )
    assert case.due_at == local(2026, 11, 17, 0, 0)


def test_an_extension_into_an_unentered_year_warns(calendar):
    grid, community = user("demo-grid"), user("demo-community")
    case = receive(local(2026, 12, 14, 9, 0))
    assert case.deadline_warning is False
    case = do_case_action(case.pk, "handle", actor=grid, version=1, at=local(2026, 12, 14, 10))
    case = do_case_action(
        case.pk,
        "request_extension",
        actor=grid,
        version=2,
        data={"reason": "跨年施工", "working_days": 10},
        at=local(2026, 12, 18, 10),
    )
    case = do_case_action(
        case.pk, "approve_extension", actor=community, version=3, at=local(2026, 12, 18, 11)
    )
    assert case.due_at > local(2027, 1, 1)
    case.refresh_from_db()
    assert case.deadline_warning is True


@pytest.mark.parametrize(
    "data",
    [
        {"working_days": True},
        {"working_days": 0},
        {"until": "4270-01-01T10:00:00+08:00"},
        {"until": "9999-12-31T23:59:59+14:00"},
    ],
)
def test_an_absurd_extension_is_refused_with_the_reason(calendar, data):
    from gridgov.errors import InvalidInput

    grid = user("demo-grid")
    case = receive(local(2026, 11, 2, 9, 0))
    case = do_case_action(case.pk, "handle", actor=grid, version=1, at=local(2026, 11, 2, 10))
    with pytest.raises(InvalidInput) as refused:
        do_case_action(
            case.pk,
            "request_extension",
            actor=grid,
            version=2,
            data={"reason": "等待配件", **data},
            at=local(2026, 11, 9, 10),
        )
    assert refused.value.errors
