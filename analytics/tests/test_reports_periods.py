"""The reporting rhythm's calendar: months, quarters and halves, their edges, their keys
and labels, and what a run on a given local day owes."""

import datetime as dt
from types import SimpleNamespace

import pytest

from analytics.rhythm import (
    Period,
    ended_periods,
    last_ended,
    parse_period,
    period_of,
    report_levels,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "start", "end", "key", "label"),
    [
        (D(2026, 1, 1), 1, D(2026, 1, 1), D(2026, 1, 31), "2026-01", "2026年1月"),
        (D(2026, 2, 28), 1, D(2026, 2, 1), D(2026, 2, 28), "2026-02", "2026年2月"),
        (D(2028, 2, 29), 1, D(2028, 2, 1), D(2028, 2, 29), "2028-02", "2028年2月"),
        (D(2026, 12, 31), 1, D(2026, 12, 1), D(2026, 12, 31), "2026-12", "2026年12月"),
        (D(2026, 3, 31), 3, D(2026, 1, 1), D(2026, 3, 31), "2026-Q1", "2026年第一季度"),
        (D(2026, 4, 1), 3, D(2026, 4, 1), D(2026, 6, 30), "2026-Q2", "2026年第二季度"),
        (D(2026, 12, 31), 3, D(2026, 10, 1), D(2026, 12, 31), "2026-Q4", "2026年第四季度"),
        (D(2026, 6, 30), 6, D(2026, 1, 1), D(2026, 6, 30), "2026-H1", "2026年上半年"),
        (D(2026, 7, 1), 6, D(2026, 7, 1), D(2026, 12, 31), "2026-H2", "2026年下半年"),
        (D(2026, 7, 1), 12, D(2026, 1, 1), D(2026, 12, 31), "2026", "2026年"),
    ],
)
def test_a_day_falls_in_its_calendar_period(day, months, start, end, key, label):
    period = period_of(day, months)
    assert (period.start, period.end, period.key, period.label) == (start, end, key, label)
    assert parse_period(key, months) == period


def test_the_period_before_january_is_in_the_year_before():
    assert period_of(D(2026, 1, 15), 1).previous() == Period(D(2025, 12, 1), 1)
    assert period_of(D(2026, 2, 1), 3).previous() == Period(D(2025, 10, 1), 3)
    assert period_of(D(2026, 3, 1), 6).previous() == Period(D(2025, 7, 1), 6)
    assert Period(D(2025, 12, 1), 1).following() == Period(D(2026, 1, 1), 1)
    assert Period(D(2025, 7, 1), 6).following() == Period(D(2026, 1, 1), 6)


def test_on_new_years_day_last_year_s_december_q4_and_h2_have_ended():
    today = D(2026, 1, 1)
    assert last_ended(1, today).key == "2025-12"
    assert last_ended(3, today).key == "2025-Q4"
    assert last_ended(6, today).key == "2025-H2"
    # On 31 December nothing of December has ended yet.
    assert last_ended(1, D(2025, 12, 31)).key == "2025-11"


def test_the_period_ends_at_local_midnight_not_utc(settings):
    """16:30 UTC on 31 December is 00:30 on 1 January in Shanghai: December has ended."""
    from django.utils import timezone

    assert settings.TIME_ZONE == "Asia/Shanghai"
    moment = dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC)
    local_day = timezone.localdate(moment)
    assert local_day == D(2026, 1, 1)
    assert last_ended(1, local_day).key == "2025-12"
    assert last_ended(1, moment.date()).key == "2025-11"  # what a UTC date would say


def test_a_late_run_owes_every_period_it_missed_oldest_first():
    owed = ended_periods(1, D(2026, 3, 5), since=D(2025, 12, 1))
    assert [p.key for p in owed] == ["2025-12", "2026-01", "2026-02"]
    assert [p.key for p in ended_periods(3, D(2026, 7, 1), since=D(2026, 1, 1))] == [
        "2026-Q1",
        "2026-Q2",
    ]
    assert ended_periods(6, D(2026, 6, 30), since=D(2026, 1, 1)) == []


@pytest.mark.parametrize(
    ("text", "months", "key"),
    [("2026-03", 3, "2026-Q1"), ("2026-08", 6, "2026-H2"), ("2026-Q4", 3, "2026-Q4")],
)
def test_a_month_names_the_quarter_or_half_holding_it(text, months, key):
    assert parse_period(text, months).key == key


@pytest.mark.parametrize(
    ("text", "months", "reason"),
    [
        ("2026-13", 1, "不是有效的月份"),
        ("26-1", 1, "应写成"),
        ("2026-H3", 6, "不符"),
        ("2026-Q1", 6, "不符"),
        ("2026", 1, "应写到月份"),
    ],
)
def test_a_bad_period_is_refused_in_chinese(text, months, reason):
    with pytest.raises(ValueError, match=reason):
        parse_period(text, months)


def test_a_rhythm_reports_on_its_levels_or_the_root_and_the_level_below():
    levels = [
        SimpleNamespace(key=key, kind=kind)
        for key, kind in [
            ("district", "admin"),
            ("street", "admin"),
            ("community", "admin"),
            ("grid", "grid"),
        ]
    ]
    default = SimpleNamespace(levels=())
    assert [lv.key for lv in report_levels(default, levels)] == ["district", "street"]
    chosen = SimpleNamespace(levels=("community",))
    assert [lv.key for lv in report_levels(chosen, levels)] == ["community"]
