"""The working-day calendar, around the 2026 National Day holiday and into 2027.

chinese_calendar's 2026: Mid-autumn Sep 25–27 and National Day Oct 1–7 off; 调休 working
days Sunday Sep 20 and Saturday Oct 10. Thursday Oct 8 is an ordinary working day.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from catalog.calendar import (
    SOURCE_ADMIN,
    SOURCE_PACKAGE,
    add_hours,
    add_working_days,
    is_workday,
    seed_calendar,
    unconfigured_years,
)
from catalog.models import CalendarDay, CalendarYear


def _rows():
    return list(CalendarDay.objects.values_list("date", "is_workday", "name"))


@pytest.mark.django_db
def test_seed_stores_the_days_that_differ_from_monday_to_friday_with_chinese_names():
    assert seed_calendar([2026]) == [2026]
    days = {row.date: row for row in CalendarDay.objects.all()}
    assert days[dt.date(2026, 10, 1)].is_workday is False
    assert days[dt.date(2026, 10, 1)].name == "国庆节"
    assert days[dt.date(2026, 9, 25)].name == "中秋"
    assert days[dt.date(2026, 10, 10)].is_workday is True  # 调休 Saturday
    assert days[dt.date(2026, 9, 20)].is_workday is True  # 调休 Sunday
    assert dt.date(2026, 10, 3) not in days  # a Saturday off anyway: nothing to store
    assert dt.date(2026, 10, 8) not in days
    assert all(day.year == 2026 for day in days)
    assert CalendarYear.objects.get(year=2026).source == SOURCE_PACKAGE


@pytest.mark.django_db
def test_seed_is_idempotent_and_repairs_a_changed_row():
    seed_calendar()
    before = _rows()
    CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).update(is_workday=True, name="x")
    CalendarDay.objects.create(date=dt.date(2026, 11, 2), is_workday=False)
    seed_calendar()
    assert _rows() == before
    assert CalendarYear.objects.count() == 23


@pytest.mark.django_db
def test_seed_skips_years_the_package_does_not_know():
    assert seed_calendar([2026, 2027]) == [2026]
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_seed_leaves_a_year_an_administrator_entered_alone():
    CalendarYear.objects.create(year=2026, source=SOURCE_ADMIN)
    CalendarDay.objects.create(date=dt.date(2026, 11, 2), is_workday=False, name="自定")
    assert seed_calendar([2026]) == []
    assert _rows() == [(dt.date(2026, 11, 2), False, "自定")]


@pytest.mark.django_db
def test_is_workday_follows_the_stored_days_and_otherwise_monday_to_friday(calendar_2026):
    assert is_workday(dt.date(2026, 10, 1)) is False
    assert is_workday(dt.date(2026, 10, 8)) is True
    assert is_workday(dt.date(2026, 10, 10)) is True
    assert is_workday(dt.date(2026, 10, 11)) is False
    assert is_workday(dt.date(2027, 1, 1)) is True  # unknown year: a Friday


@pytest.mark.django_db
def test_five_working_days_from_sep_30_skip_national_day_and_count_the_tiaoxiu_saturday(
    calendar_2026, local, tz
):
    # Oct 8 (1), Oct 9 (2), Sat Oct 10 (3), Oct 12 (4), Oct 13 (5): due at the end of Oct 13.
    assert add_working_days(local(2026, 9, 30, 10), 5, tz) == (local(2026, 10, 14), False)


@pytest.mark.django_db
def test_a_case_received_on_the_tiaoxiu_saturday_starts_counting_the_next_day(
    calendar_2026, local, tz
):
    # The day of receipt is never counted, working day or not: Oct 12–16.
    assert add_working_days(local(2026, 10, 10, 9), 5, tz) == (local(2026, 10, 17), False)


@pytest.mark.django_db
def test_a_case_received_on_a_holiday_counts_from_the_first_working_day(calendar_2026, local, tz):
    assert add_working_days(local(2026, 10, 3, 15), 5, tz) == (local(2026, 10, 14), False)


@pytest.mark.django_db
def test_the_day_of_receipt_is_the_local_day_not_the_utc_day(calendar_2026, local, tz):
    late_friday = dt.datetime(2026, 10, 9, 15, 30, tzinfo=dt.UTC)  # 23:30 in Shanghai
    after_midnight = dt.datetime(2026, 10, 9, 16, 30, tzinfo=dt.UTC)  # Sat 00:30
    assert add_working_days(late_friday, 1, tz) == (local(2026, 10, 11), False)
    assert add_working_days(after_midnight, 1, tz) == (local(2026, 10, 13), False)


@pytest.mark.django_db
def test_zero_working_days_is_the_end_of_the_day_of_receipt(calendar_2026, local, tz):
    assert add_working_days(local(2026, 10, 9, 9), 0, tz) == (local(2026, 10, 10), False)
    with pytest.raises(ValueError):
        add_working_days(local(2026, 10, 9, 9), -1, tz)


@pytest.mark.django_db
def test_counting_reads_the_calendar_in_two_queries_not_one_per_day(
    calendar_2026, local, tz, django_assert_num_queries
):
    with django_assert_num_queries(2):
        add_working_days(local(2026, 9, 20, 9), 15, tz)


@pytest.mark.django_db
def test_a_count_into_2027_with_no_schedule_assumes_monday_to_friday_and_warns(
    calendar_2026, local, tz
):
    # Dec 29, 30, 31, Fri Jan 1 (not known to be a holiday), Mon Jan 4.
    assert add_working_days(local(2026, 12, 28, 9), 5, tz) == (local(2027, 1, 5), True)
    assert add_working_days(local(2026, 12, 1, 9), 5, tz)[1] is False


@pytest.mark.django_db
def test_a_count_into_2027_after_an_administrator_entered_it_skips_its_holidays(
    calendar_2026, local, tz
):
    CalendarYear.objects.create(year=2027, source=SOURCE_ADMIN)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    # Dec 29, 30, 31, Jan 4, Jan 5.
    assert add_working_days(local(2026, 12, 28, 9), 5, tz) == (local(2027, 1, 6), False)


@pytest.mark.django_db
def test_hour_deadlines_are_natural_hours_across_midnight_and_holidays(local):
    assert add_hours(local(2026, 9, 30, 23), 2) == local(2026, 10, 1, 1)
    assert add_hours(local(2026, 10, 1, 12), 24) == local(2026, 10, 2, 12)


@pytest.mark.django_db
def test_unconfigured_years_lists_the_years_a_deadline_may_reach_without_a_schedule(
    calendar_2026,
):
    assert unconfigured_years(2027, from_year=2026) == [2027]
    assert unconfigured_years(2026, from_year=2026) == []
    CalendarYear.objects.create(year=2027, source=SOURCE_ADMIN)
    assert unconfigured_years(2028, from_year=2026) == [2028]


@pytest.mark.django_db
def test_the_seed_calendar_command_seeds_and_reports_skipped_years():
    out = io.StringIO()
    call_command("seed_calendar", "--from", "2025", "--to", "2027", stdout=out)
    assert sorted(CalendarYear.objects.values_list("year", flat=True)) == [2025, 2026]
    assert "2027" in out.getvalue()
