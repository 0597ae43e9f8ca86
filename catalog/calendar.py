"""The working-day calendar: statutory holidays and 调休 working weekends.

Only the days that differ from Monday–Friday are stored (``CalendarDay``); a year is
"configured" when it has a ``CalendarYear`` row, whether seeded from the
``chinese-calendar`` package (which knows 2004–2026) or entered by an administrator.
For a year with no row we assume plain Monday–Friday and say so, because a guessed
holiday schedule would silently move legal deadlines.
"""

import datetime as dt
from collections.abc import Iterable

import chinese_calendar
from django.db import transaction
from django.utils import timezone

from catalog.models import CalendarDay, CalendarYear

SOURCE_PACKAGE = "chinese-calendar"
SOURCE_ADMIN = "admin"
PACKAGE_YEARS = range(2004, 2027)
# Days loaded per query when counting working days: n working days span at most about
# n·7/5 days plus the longest holiday run (春节 with its weekends, under three weeks).
_WINDOW_SLACK_DAYS = 21


def _weekday_default(day: dt.date) -> bool:
    return day.weekday() < 5


def _package_days(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The days of ``year`` that differ from Monday–Friday, per chinese_calendar.
    Raises NotImplementedError for a year the package does not know."""
    chinese_calendar.is_workday(dt.date(year, 1, 1))  # raises for unknown years
    differing = {}
    for source, is_workday in (
        (chinese_calendar.holidays, False),
        (chinese_calendar.workdays, True),
    ):
        for day, english in source.items():
            if day.year == year and _weekday_default(day) != is_workday:
                differing[day] = (is_workday, _chinese_name(english))
    return differing


def _chinese_name(english: str) -> str:
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english or ""


@transaction.atomic
def seed_calendar(years: Iterable[int] = PACKAGE_YEARS) -> list[int]:
    """Make the stored calendar match the chinese-calendar package for ``years``.

    Idempotent. Years the package does not know are skipped, and so are years an
    administrator entered (source "admin"): the package never overrides a person. To
    correct a seeded year by hand, set its source to "admin" first.
    Returns the years seeded.
    """
    wanted: dict[int, dict[dt.date, tuple[bool, str]]] = {}
    for year in years:
        try:
            wanted[year] = _package_days(year)
        except NotImplementedError:
            continue
    entered = set(
        CalendarYear.objects.filter(year__in=list(wanted))
        .exclude(source=SOURCE_PACKAGE)
        .values_list("year", flat=True)
    )
    for year in entered:
        del wanted[year]
    if not wanted:
        return []
    target = {day: spec for days in wanted.values() for day, spec in days.items()}
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(date__year__in=list(wanted)).only(
            "date", "is_workday", "name"
        )
    }
    stale = [row.pk for day, row in existing.items() if day not in target]
    CalendarDay.objects.filter(pk__in=stale).delete()
    changed = []
    for day, (is_workday, name) in target.items():
        row = existing.get(day)
        if row is not None and (row.is_workday, row.name) != (is_workday, name):
            row.is_workday, row.name = is_workday, name
            changed.append(row)
    CalendarDay.objects.bulk_update(changed, ["is_workday", "name"])
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, is_workday=is_workday, name=name)
            for day, (is_workday, name) in sorted(target.items())
            if day not in existing
        ]
    )
    known = set(CalendarYear.objects.filter(year__in=list(wanted)).values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [
            CalendarYear(year=year, source=SOURCE_PACKAGE)
            for year in sorted(wanted)
            if year not in known
        ]
    )
    return sorted(wanted)


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day (Monday–Friday unless the calendar says otherwise)."""
    row = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
    return _weekday_default(day) if row is None else row


def add_working_days(start: dt.datetime, n: int, tz: dt.tzinfo) -> tuple[dt.datetime, bool]:
    """The deadline ``n`` working days after ``start``, and whether it is a guess.

    The rule: the day of receipt (``start``'s date in ``tz``) is not counted, whatever
    the hour and whether or not it is a working day; the deadline is the end of the
    n-th working day after it, that is 24:00 local time (00:00 of the following day).
    ``n == 0`` gives the end of the day of receipt.

    The flag is True when a counted day falls in a year with no ``CalendarYear`` row:
    Monday–Friday was assumed for that year, so administrators should enter its schedule.
    """
    if n < 0:
        raise ValueError(f"cannot count {n} working days")
    day = timezone.localtime(start, tz).date()
    guessed = False
    remaining = n
    while remaining:
        window_end = day + dt.timedelta(days=remaining * 7 // 5 + _WINDOW_SLACK_DAYS)
        overrides, configured = _load_window(day + dt.timedelta(days=1), window_end)
        while remaining and day < window_end:
            day += dt.timedelta(days=1)
            if day.year not in configured:
                guessed = True
            if overrides.get(day, _weekday_default(day)):
                remaining -= 1
    return _end_of_day(day, tz), guessed


def _load_window(first: dt.date, last: dt.date) -> tuple[dict[dt.date, bool], set[int]]:
    """The calendar between two dates in two queries, not one per day."""
    overrides = dict(
        CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
    )
    configured = set(
        CalendarYear.objects.filter(year__range=(first.year, last.year)).values_list(
            "year", flat=True
        )
    )
    return overrides, configured


def _end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """``hours`` natural hours after ``start``: nights, weekends and holidays included."""
    return start + dt.timedelta(hours=hours)


def unconfigured_years(upto_year: int, *, from_year: int | None = None) -> list[int]:
    """Years from ``from_year`` (default: the current one) up to ``upto_year`` whose
    schedule is not entered, i.e. the years after the last configured one that a
    deadline may reach. For the admin's warning: ``unconfigured_years(this_year + 1)``."""
    first = timezone.localdate().year if from_year is None else from_year
    configured = set(
        CalendarYear.objects.filter(year__range=(first, upto_year)).values_list("year", flat=True)
    )
    return [year for year in range(first, upto_year + 1) if year not in configured]
