"""The scheme's arithmetic against figures computed by hand (analytics.assessment)."""

import datetime as dt

import pytest

from analytics.assessment import (
    competition_ranks,
    indicator_points,
    month_end,
    parse_month,
    score,
)
from analytics.preset_assessment import Assessment, Indicator

SCHEME = Assessment(
    quantitative_weight=60,
    organisational_weight=20,
    residents_weight=20,
    indicators=(
        Indicator(field="response_rate", weight=30, target=1.0),
        Indicator(field="resolution_rate", weight=40, target=0.95),
        Indicator(field="on_time_resolution_rate", weight=20, target=0.95),
        Indicator(field="reopen_rate", weight=10, target=0.05, lower_is_better=True),
    ),
)
ROW = {
    "response_rate": 0.9,
    "resolution_rate": 0.9,
    "on_time_resolution_rate": 1.0,
    "reopen_rate": 0.1,
    "satisfaction_rate": 0.8,
}
SURVEY = {"respondents": 50, "satisfied": 40, "basic": 6, "unsatisfied": 4}


def test_a_rate_scales_to_its_target_and_stops_at_full_marks():
    assert indicator_points(0.9, 30, 1.0) == pytest.approx(27)
    assert indicator_points(0.9, 40, 0.95) == pytest.approx(37.8947, abs=1e-4)  # 40 × 0.9/0.95
    assert indicator_points(1.0, 20, 0.95) == 20
    assert indicator_points(None, 20, 0.95) is None


def test_a_lower_is_better_rate_is_full_under_its_target_and_nothing_at_one():
    assert indicator_points(0.04, 10, 0.05, lower_is_better=True) == 10
    assert indicator_points(0.1, 10, 0.05, True) == pytest.approx(9.4737, abs=1e-4)  # 10×0.9/0.95
    assert indicator_points(1.0, 10, 0.05, True) == 0


def test_the_total_is_the_weighted_mean_of_the_three_components():
    total, parts = score(
        ROW, SCHEME, evaluation={"score": 90, "comment": "好", "by": "街道"}, survey=SURVEY
    )
    # 量化: (27 + 37.8947 + 20 + 9.4737) / 100 × 100 = 94.4
    assert parts["quantitative"]["score"] == 94.4
    assert [i["points"] for i in parts["quantitative"]["items"]] == [27, 37.89, 20, 9.47]
    # 群众: satisfaction 0.8 and survey (40 + 0.5 × 6) / 50 = 0.86, alike → 83.0
    assert parts["residents"]["survey_rate"] == 0.86
    assert parts["residents"]["score"] == 83.0
    assert parts["organisational"]["score"] == 90.0
    # (60 × 94.4 + 20 × 90 + 20 × 83) / 100 = 91.24
    assert total == 91.2
    assert all(part["counted"] for part in parts.values())


def test_a_component_without_data_is_left_out_and_the_others_renormalised():
    total, parts = score({**ROW, "satisfaction_rate": None}, SCHEME)
    assert parts["organisational"] == {"score": None, "weight": 20, "counted": False}
    assert parts["residents"]["score"] is None
    assert total == 94.4  # the quantitative component alone

    # An indicator with nothing to count drops out of the quantitative weights too:
    # (37.8947 + 20 + 9.4737) / 70 × 100 = 96.24
    total, parts = score({**ROW, "response_rate": None, "satisfaction_rate": None}, SCHEME)
    assert parts["quantitative"]["score"] == 96.2
    assert parts["quantitative"]["items"][0]["points"] is None


def test_departments_and_workers_get_neither_an_organisational_score_nor_a_survey():
    total, parts = score(ROW, SCHEME, evaluation={"score": 0}, survey=SURVEY, nodes=False)
    assert set(parts) == {"quantitative", "residents"}
    assert parts["residents"]["score"] == 80.0  # the satisfaction rate alone
    # (60 × 94.4 + 20 × 80) / 80 = 90.8
    assert total == 90.8


def test_nothing_at_all_scores_none():
    assert score({}, SCHEME)[0] is None


def test_equal_totals_share_a_rank_and_the_next_skips():
    assert competition_ranks([90.0, 90.0, 80.0, None, None]) == [1, 1, 3, 4, 4]
    assert competition_ranks([]) == []


def test_months_are_local_calendar_months():
    assert parse_month("2026-02") == dt.date(2026, 2, 1)
    assert month_end(dt.date(2026, 2, 1)) == dt.date(2026, 2, 28)
    assert month_end(dt.date(2028, 2, 1)) == dt.date(2028, 2, 29)
    assert month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)
    for bad in ("", "1", "2026-13", "x-y", "1999-01", None):
        assert parse_month(bad) is None
