"""The KPIs the plain way: straight from Case, CaseEvent and Assignment rows in Python
loops, for the property test to hold ``analytics.kpis.kpis`` against. It reads no fact,
no cell and nothing of ``analytics.facts`` or ``analytics.aggregates``; it follows the
definitions as written in the docstrings of ``analytics.kpis`` and ``analytics.preset``.
"""

import datetime as dt

from django.utils import timezone

from cases.models import Assignment, Case, CaseEvent
from catalog.models import CalendarDay
from org.models import OrgNode, RoleAssignment

EDGES_HOURS = [1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 240, 360, 480, 720, 1080, 1440, 2160]
EDGES_HOURS += [4320, 8760]
EDGES = [h * 3600 for h in EDGES_HOURS]


def _is_workday(day: dt.date) -> bool:
    row = CalendarDay.objects.filter(date=day).first()
    return row.is_workday if row else day.weekday() < 5


def _workdays_after(received: dt.date, resolved: dt.date) -> int:
    count, day = 0, received + dt.timedelta(days=1)
    while day <= resolved:
        count += _is_workday(day)
        day += dt.timedelta(days=1)
    return count


def _p90(durations: list[float]) -> float | None:
    """The same binning applied to the raw durations: the smallest edge with at least 90 %
    of the durations at or below it (the open last bin: the last edge)."""
    if not durations:
        return None
    for edge in EDGES:
        if sum(1 for d in durations if d <= edge) * 10 >= len(durations) * 9:
            return float(edge)
    return float(EDGES[-1])


def case_view(case: Case, settings) -> dict:
    """What the reference knows of one case."""
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    assignments = list(Assignment.objects.filter(case=case).order_by("created_at", "pk"))
    leads = [a for a in assignments if a.role == "lead"]
    lead = leads[-1] if leads else None
    excluded = (case.merged_into_id is not None and "merged" in settings.exclude) or (
        case.status == "rejected" and "rejected" in settings.exclude
    )
    finished = case.status in ("resolved", "closed") and case.merged_into_id is None
    view = {
        "case": case,
        "day": timezone.localtime(case.created_at).date(),
        "category": case.category.code if case.category else "",
        "group": case.category.group if case.category else "",
        "tier": case.tier.code if case.tier else "",
        "channel": case.channel,
        "unit": lead.department.code if lead and lead.department else "",
        "excluded": excluded,
        "finished": finished,
        "events": events,
        "assignments": assignments,
    }
    return view


def figures(views: list[dict], settings, now) -> dict:
    counted = [v for v in views if not v["excluded"]]
    received = len(counted)
    accepted = [v for v in counted if v["case"].status not in ("submitted", "rejected")]
    rejected = [v for v in counted if v["case"].status == "rejected"]
    finished = [v for v in counted if v["finished"]]
    responded_any = [v for v in counted if v["case"].responded_at is not None]
    on_time = [
        v
        for v in responded_any
        if v["case"].response_due_at is None or v["case"].responded_at <= v["case"].response_due_at
    ]
    responded = on_time if settings.responded == "on_time" else responded_any
    rated = [v for v in counted if v["case"].satisfaction]
    satisfied = [v for v in rated if v["case"].satisfaction in settings.satisfied]
    if settings.resolved == "finished":
        resolved = finished
    elif settings.resolved == "not_unsatisfied":
        resolved = [v for v in finished if v["case"].satisfaction != "unsatisfied"]
    else:
        resolved = [v for v in finished if v["case"].satisfaction in settings.satisfied]
    resolved_on_time = [
        v
        for v in finished
        if v["case"].resolved_at is not None
        and (v["case"].due_at is None or v["case"].resolved_at <= v["case"].due_at)
    ]
    handled = [v for v in finished if v["case"].resolved_at is not None]
    seconds = [
        max(0, round((v["case"].resolved_at - v["case"].created_at).total_seconds()))
        for v in handled
    ]
    workdays = [
        _workdays_after(v["day"], timezone.localtime(v["case"].resolved_at).date()) for v in handled
    ]
    whistles = [a for v in counted for a in v["assignments"] if a.role == "whistle"]
    reported = [a for a in whistles if a.status in ("reported_in", "done") and a.answered_at]
    report_seconds = [round((a.answered_at - a.created_at).total_seconds()) for a in reported]

    def share(part, whole):
        return len(part) / len(whole) if whole else None

    row = {
        "received": received,
        "accepted": len(accepted),
        "rejected": len(rejected),
        "closed": len(finished),
        "overdue_open": sum(
            1
            for v in views
            if v["case"].status in ("submitted", "accepted", "dispatched", "in_progress")
            and v["case"].due_at is not None
            and v["case"].due_at < now
        ),
        "response_rate": len(responded) / received if received else None,
        "resolution_rate": share(resolved, accepted),
        "satisfaction_rate": share(satisfied, rated),
        "closure_rate": share(finished, accepted),
        "on_time_response_rate": share(on_time, responded_any),
        "on_time_resolution_rate": share(resolved_on_time, finished),
        "callback_rate": share(
            [v for v in finished if any(e.action == "callback" for e in v["events"])], finished
        ),
        "reopen_rate": share([v for v in accepted if v["case"].reopen_count > 0], accepted),
        "avg_handling_seconds": sum(seconds) / len(seconds) if seconds else None,
        "p90_handling_seconds": _p90(seconds),
        "avg_handling_workdays": sum(workdays) / len(workdays) if workdays else None,
        "avg_report_in_seconds": sum(report_seconds) / len(report_seconds)
        if report_seconds
        else None,
        "whistles": len(whistles),
        "extensions": sum(
            1
            for v in counted
            for e in v["events"]
            if e.action == "approve_extension" and e.data.get("approved")
        ),
        "escalations": sum(1 for v in counted for e in v["events"] if e.action == "escalate"),
    }
    weights = settings.weights
    parts = [
        (weights.response_rate, row["response_rate"]),
        (weights.resolution_rate, row["resolution_rate"]),
        (weights.satisfaction_rate, row["satisfaction_rate"]),
    ]
    parts = [(w, r) for w, r in parts if r is not None]
    total = sum(w for w, _ in parts)
    row["score"] = 100 * sum(w * r for w, r in parts) / total if total else None
    return row


def reference(node_code, start, end, group_by, settings, now) -> dict[str, dict]:
    """key → figures, for the cases received under ``node_code`` from start to end."""
    views = [
        case_view(case, settings)
        for case in Case.objects.select_related("category", "tier").order_by("pk")
        if case.org_code.startswith(node_code)
        and start <= timezone.localtime(case.created_at).date() <= end
    ]
    if group_by is None:
        return {node_code: figures(views, settings, now)}
    if group_by == "child":
        children = list(OrgNode.objects.filter(parent__code=node_code).order_by("code"))
        codes = [c.code for c in children] or [node_code]
        out = {
            code: figures([v for v in views if v["case"].org_code.startswith(code)], settings, now)
            for code in codes
        }
        if children:  # the cases at the node itself: one more row when it has any figure
            here = figures([v for v in views if v["case"].org_code == node_code], settings, now)
            if any(here[field] for field in here):
                out[node_code] = here
        return out
    if group_by == "day":
        out, day = {}, start
        while day <= end:
            out[day.isoformat()] = figures([v for v in views if v["day"] == day], settings, now)
            day += dt.timedelta(days=1)
        return out
    if group_by == "month":
        out, month = {}, start.replace(day=1)
        while month <= end:
            key = f"{month:%Y-%m}"
            out[key] = figures([v for v in views if f"{v['day']:%Y-%m}" == key], settings, now)
            month = (month + dt.timedelta(days=31)).replace(day=1)
        return out
    if group_by == "worker":
        grids: dict[str, set[str]] = {}
        for seat in RoleAssignment.objects.select_related("role", "node__level", "user"):
            if (
                seat.node.code.startswith(node_code)
                and seat.node.level.kind == "grid"
                and seat.department_id is None
                and seat.role.duty in settings_duties_handling()
            ):
                grids.setdefault(seat.user.username, set()).add(seat.node.code)
        return {
            username: figures(
                [v for v in views if any(v["case"].org_code.startswith(g) for g in codes)],
                settings,
                now,
            )
            for username, codes in grids.items()
        }
    values = sorted({v[group_by] for v in views})
    return {
        value: figures([v for v in views if v[group_by] == value], settings, now)
        for value in values
    }


def settings_duties_handling() -> set[str]:
    """Duties that may handle a case on the spot (the workers of a grid), from the table."""
    from org.permissions import active_table

    return {duty for duty, verbs in active_table().items() if "cases.handle" in verbs}
