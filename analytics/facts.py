"""A case's fact: what it contributes to the KPIs, derived from the case, its timeline and
its assignments by one pure function, ``derive`` (no database access: the caller loads
the rows and the working-day calendar).

The definitions (``[kpi]``, ``analytics.preset.KpiSettings``):

- the cohort is the case's local date of receipt (``created_at`` in TIME_ZONE);
- an excluded case (merged duplicate; refused, when the preset says so) counts only in
  ``excluded``;
- ``accepted``: the case left 已提交 otherwise than refused; ``closed`` (办结): it is
  已办结 or 已销号 and was not merged;
- ``responded_any``: ``responded_at`` is set (accept, claim, handle, dispatch, refuse…);
  ``responded_on_time``: and by ``response_due_at`` (no deadline: on time); ``responded``
  is one of the two per ``[kpi].responded``;
- ``resolved`` per ``[kpi].resolved``; ``resolved_on_time``: closed by ``due_at`` (the
  deadline as extended; none: on time);
- ``rated``/``satisfied`` from the case's last rating; ``called_back``: closed and a 回访 event;
  ``reopened``: ``reopen_count`` > 0;
- ``whistles``: whistle assignments; ``report_ins``/``report_in_seconds``: those answered
  by reporting in, and the time it took; ``extensions``: approved extension events;
  ``escalations``: escalate events;
- handling time of a closed case: ``resolved_at − created_at`` in seconds, and in working
  days (the days after the day of receipt up to the day of resolution that are working
  days, as ``catalog.calendar.add_working_days`` counts them), and its histogram bin.
"""

from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import date

from django.utils import timezone

from analytics.models.facts import BIN_EDGES, MEASURES
from analytics.preset import KpiSettings

FINISHED = ("resolved", "closed")
OPEN = ("submitted", "accepted", "dispatched", "in_progress")

# (first, last) → number of working days in [first, last]
WorkdayCounter = Callable[[date, date], int]


def local_day(moment) -> date:
    return timezone.localtime(moment).date()


def handling_bin(seconds: float) -> int:
    """The histogram bin of a handling time: the first whose upper edge holds it."""
    return bisect_left(BIN_EDGES, seconds)


def derive(
    case,
    events: Iterable,
    assignments: Iterable,
    settings: KpiSettings,
    workdays: WorkdayCounter,
) -> dict:
    """The fact's fields of ``case`` (a ``cases.Case`` with ``category`` and ``tier``
    loaded), from its ``events`` (CaseEvent rows) and ``assignments`` (Assignment rows with
    ``department`` loaded): a dict with ``version``, the dimensions (codes, '' for none),
    ``day``/``month`` and every measure of ``MEASURES`` (ints) and ``handling_bin``."""
    day = local_day(case.created_at)
    category = case.category if case.category_id else None
    leads = [a for a in assignments if a.role == "lead"]
    lead = max(leads, key=lambda a: (a.created_at, a.pk)) if leads else None
    fact = {
        "version": case.version,
        "node_code": case.org_code,
        "day": day,
        "month": day.replace(day=1),
        "category": category.code if category else "",
        "group": category.group if category else "",
        "tier": case.tier.code if case.tier_id else "",
        "channel": case.channel,
        "unit": lead.department.code if lead is not None and lead.department_id else "",
        "handling_bin": None,
        **dict.fromkeys(MEASURES, 0),
    }
    merged = case.merged_into_id is not None
    if (merged and "merged" in settings.exclude) or (
        case.status == "rejected" and "rejected" in settings.exclude
    ):
        fact["excluded"] = 1
        return fact
    events = list(events)
    finished = case.status in FINISHED and not merged
    on_time_response = case.responded_at is not None and (
        case.response_due_at is None or case.responded_at <= case.response_due_at
    )
    satisfied = case.satisfaction in settings.satisfied
    if settings.resolved == "finished":
        resolved = finished
    elif settings.resolved == "not_unsatisfied":
        resolved = finished and case.satisfaction != "unsatisfied"
    else:
        resolved = finished and satisfied
    fact.update(
        received=1,
        accepted=int(case.status not in ("submitted", "rejected")),
        rejected=int(case.status == "rejected"),
        closed=int(finished),
        responded_any=int(case.responded_at is not None),
        responded_on_time=int(on_time_response),
        resolved=int(resolved),
        resolved_on_time=int(
            finished
            and case.resolved_at is not None
            and (case.due_at is None or case.resolved_at <= case.due_at)
        ),
        rated=int(bool(case.satisfaction)),
        satisfied=int(satisfied),
        called_back=int(finished and any(e.action == "callback" for e in events)),
        reopened=int(case.reopen_count > 0),
        extensions=sum(
            1 for e in events if e.action == "approve_extension" and e.data.get("approved")
        ),
        escalations=sum(1 for e in events if e.action == "escalate"),
    )
    fact["responded"] = (
        fact["responded_on_time"] if settings.responded == "on_time" else fact["responded_any"]
    )
    for a in assignments:
        if a.role != "whistle":
            continue
        fact["whistles"] += 1
        if a.status in ("reported_in", "done") and a.answered_at is not None:
            fact["report_ins"] += 1
            fact["report_in_seconds"] += round((a.answered_at - a.created_at).total_seconds())
    if finished and case.resolved_at is not None:
        seconds = max(0, round((case.resolved_at - case.created_at).total_seconds()))
        fact["handled"] = 1
        fact["handling_seconds"] = seconds
        fact["handling_bin"] = handling_bin(seconds)
        first, last = date.fromordinal(day.toordinal() + 1), local_day(case.resolved_at)
        fact["handling_workdays"] = workdays(first, last) if first <= last else 0
    return fact
