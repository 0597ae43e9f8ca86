"""Jizhou's three tiers (2 hours / 5 / 10–15 working days) through the deadline functions."""

import datetime as dt

import pytest

from catalog.deadlines import resolution_due, resolution_window, response_due
from catalog.models import Tier
from presets.loader import do_load_preset


@pytest.fixture
def tiers(db):
    do_load_preset("jizhou")  # loads the tiers and seeds the calendar
    return {tier.code: tier for tier in Tier.objects.all()}


def test_jizhou_simple_problems_are_due_in_two_natural_hours_across_midnight(tiers, local):
    received = local(2026, 9, 30, 23, 30)
    assert resolution_due(tiers["immediate"], received) == (local(2026, 10, 1, 1, 30), False)
    # The platform's 24-hour response limit cannot outlast a 2-hour resolution.
    assert response_due(tiers["immediate"], received) == local(2026, 10, 1, 1, 30)


def test_jizhou_coordinated_problems_are_due_in_five_working_days(tiers, local):
    received = local(2026, 9, 30, 10)
    due, warning = resolution_due(tiers["coordinated"], received)
    assert (due, warning) == (local(2026, 10, 14), False)
    assert response_due(tiers["coordinated"], received) == local(2026, 10, 1, 10)
    assert response_due(tiers["coordinated"], received, resolution_at=due) == local(2026, 10, 1, 10)
    assert resolution_window(tiers["coordinated"], received) == (due, due)


def test_jizhou_key_problems_are_due_at_the_upper_bound_of_ten_to_fifteen_working_days(
    tiers, local
):
    received = local(2026, 9, 30, 10)
    # 10th working day after Sep 30: Oct 20; 15th: Oct 27 (the Oct 10 调休 Saturday counts).
    assert resolution_due(tiers["escalated"], received) == (local(2026, 10, 28), False)
    assert resolution_window(tiers["escalated"], received) == (
        local(2026, 10, 21),
        local(2026, 10, 28),
    )


def test_a_range_reaching_into_2027_warns(tiers, local):
    assert resolution_due(tiers["escalated"], local(2026, 12, 20, 10))[1] is True


def test_the_response_deadline_is_capped_at_the_resolution_deadline(db, local):
    tier = Tier(code="quick", name="快", handler="grid", deadline_hours=2, response_hours=24)
    received = local(2026, 10, 1, 8)
    assert response_due(tier, received) == local(2026, 10, 1, 10)


def test_a_tier_without_a_deadline_is_refused(db, local):
    with pytest.raises(ValueError):
        resolution_due(Tier(code="none", name="无", handler="grid"), local(2026, 10, 1))


def test_deadlines_take_any_aware_datetime(tiers, local):
    received = dt.datetime(2026, 9, 30, 2, tzinfo=dt.UTC)  # 10:00 in Shanghai
    assert resolution_due(tiers["coordinated"], received) == (local(2026, 10, 14), False)
