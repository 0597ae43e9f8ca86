"""The dashboards' period presets and custom ranges, and the map's colour scale."""

from datetime import date

import pytest

from analytics.dashboard import GOOD_RAMP, NO_DATA, VOLUME_RAMP, colour_scale, display
from analytics.periods import parse_period, preset_range

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("month", date(2026, 11, 1), TODAY),
        ("last_month", date(2026, 10, 1), date(2026, 10, 31)),
        ("quarter", date(2026, 10, 1), TODAY),
        ("year", date(2026, 1, 1), TODAY),
    ],
)
def test_presets_run_to_today_or_cover_last_month(preset, start, end):
    assert preset_range(preset, TODAY) == (start, end)
    period = parse_period({"p": preset}, TODAY)
    assert (period.start, period.end, period.preset, period.error) == (start, end, preset, "")


def test_last_month_in_january_is_last_years_december():
    assert preset_range("last_month", date(2027, 1, 15)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_custom_range_is_kept_and_drawn_by_day_when_short():
    period = parse_period({"from": "2026-11-03", "to": "2026-11-20", "p": "year"}, TODAY)
    assert (period.start, period.end, period.preset) == (
        date(2026, 11, 3),
        date(2026, 11, 20),
        "custom",
    )
    assert period.trend_by == "day"
    assert period.query() == {"from": "2026-11-03", "to": "2026-11-20"}
    assert parse_period({"p": "year"}, TODAY).trend_by == "month"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"from": "2026-11-03"}, "日期格式应为 YYYY-MM-DD"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "日期格式应为 YYYY-MM-DD"),
        ({"from": "2026-11-03", "to": "2026-11-01"}, "开始日期晚于结束日期"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "统计区间不能超过三年"),
    ],
)
def test_a_bad_range_falls_back_to_this_month_and_says_why(params, error):
    period = parse_period(params, TODAY)
    assert (period.start, period.end, period.preset) == (date(2026, 11, 1), TODAY, "month")
    assert period.error == error


def test_an_unknown_preset_is_this_month():
    assert parse_period({"p": "forever"}, TODAY).preset == "month"


def test_colours_run_from_bad_to_good_and_grey_for_nothing():
    colours, legend = colour_scale("satisfaction_rate", [0.5, 1.0, None, 0.75], +1)
    assert colours == [GOOD_RAMP[0], GOOD_RAMP[-1], NO_DATA, GOOD_RAMP[2]]
    assert len(legend) == 5 and legend[0]["label"] == "50%–60%"
    # Lower is better: the smallest value is green.
    colours, _legend = colour_scale("overdue_open", [0, 10], -1)
    assert colours == [GOOD_RAMP[-1], GOOD_RAMP[0]]
    # A volume is blue; values all alike take the middle step.
    colours, legend = colour_scale("received", [7, 7], 0)
    assert colours == [VOLUME_RAMP[2]] * 2 and legend == [{"colour": VOLUME_RAMP[2], "label": "7"}]
    assert colour_scale("received", [None], 0) == ([NO_DATA], [])


def test_figures_display_as_a_leader_reads_them():
    assert display("satisfaction_rate", 0.9968) == "99.7%"
    assert display("score", 91.25) == "91.2"
    assert display("avg_handling_workdays", 1.75) == "1.8"
    assert display("received", 12) == "12"
    assert display("resolution_rate", None) == "—"
