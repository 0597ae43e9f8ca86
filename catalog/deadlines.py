"""A case's response and resolution deadlines from its tier.

A tier's resolution deadline is in natural hours (Jizhou's 简易问题: 2 hours) or in
working days (5; or a range such as 10–15, where the case is due at the upper bound and
the lower one is only shown). The response deadline is in natural hours and never later
than the resolution deadline. Working days are counted in settings.TIME_ZONE
(see catalog.calendar.add_working_days for the rule).
"""

import datetime as dt

from django.utils import timezone

from catalog.calendar import add_hours, add_working_days
from catalog.models import Tier


def _by_days(tier: Tier) -> bool:
    if tier.deadline_hours is None and tier.deadline_working_days is None:
        raise ValueError(f"tier {tier.code!r} has no deadline")
    return tier.deadline_hours is None


def resolution_due(tier: Tier, received_at: dt.datetime) -> tuple[dt.datetime, bool]:
    """When a case received at ``received_at`` must be resolved, and whether that was
    counted through a year whose holidays are not entered (Monday–Friday assumed)."""
    if not _by_days(tier):
        return add_hours(received_at, tier.deadline_hours), False
    return add_working_days(
        received_at, tier.deadline_working_days, timezone.get_default_timezone()
    )


def resolution_window(tier: Tier, received_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(earliest, latest) resolution deadline for display: 「10至15个工作日」 gives the
    end of the 10th and of the 15th working day; a single limit gives it twice."""
    latest, _ = resolution_due(tier, received_at)
    if not _by_days(tier) or tier.min_working_days is None:
        return latest, latest
    earliest, _ = add_working_days(
        received_at, tier.min_working_days, timezone.get_default_timezone()
    )
    return min(earliest, latest), latest


def response_due(
    tier: Tier, received_at: dt.datetime, resolution_at: dt.datetime | None = None
) -> dt.datetime:
    """When the case must be responded to (受理/响应): ``tier.response_hours`` natural hours,
    capped at the resolution deadline. Pass ``resolution_at`` if already computed, to
    save the calendar queries."""
    if resolution_at is None:
        resolution_at, _ = resolution_due(tier, received_at)
    return min(add_hours(received_at, tier.response_hours), resolution_at)
