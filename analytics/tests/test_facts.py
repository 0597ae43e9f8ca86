"""``analytics.facts.derive`` on hand-made rows: each definition of the [kpi] section."""

import datetime as dt
from types import SimpleNamespace

import pytest

from analytics.facts import derive, handling_bin
from analytics.models.facts import BIN_EDGES, HOUR
from analytics.preset import KpiSettings

BJ = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 11, 27, 23, 30, tzinfo=BJ)  # a Friday night, Beijing time


def case(**fields):
    values = {
        "version": 3,
        "org_code": "360802001001001",
        "created_at": RECEIVED,
        "category_id": 1,
        "category": SimpleNamespace(code="JS-001", group="市政设施"),
        "tier_id": 1,
        "tier": SimpleNamespace(code="coordinated"),
        "channel": "grid_report",
        "status": "submitted",
        "merged_into_id": None,
        "responded_at": None,
        "response_due_at": RECEIVED + dt.timedelta(hours=24),
        "resolved_at": None,
        "due_at": RECEIVED + dt.timedelta(days=7),
        "satisfaction": "",
        "reopen_count": 0,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def event(action, **data):
    return SimpleNamespace(action=action, data=data)


def assignment(role, status="accepted", created=RECEIVED, answered=None, department="cg"):
    return SimpleNamespace(
        role=role,
        status=status,
        created_at=created,
        answered_at=answered,
        pk=id(object()),
        department_id=1 if department else None,
        department=SimpleNamespace(code=department) if department else None,
    )


def weekdays(first, last):
    return sum((first + dt.timedelta(days=n)).weekday() < 5 for n in range((last - first).days + 1))


def fact(c, events=(), assignments=(), **rules):
    return derive(c, list(events), list(assignments), KpiSettings(**rules), weekdays)


def test_the_cohort_is_the_local_day_and_the_dimensions_are_codes():
    f = fact(case())
    assert (f["day"], f["month"]) == (dt.date(2026, 11, 27), dt.date(2026, 11, 1))
    assert (f["category"], f["group"], f["tier"], f["unit"]) == (
        "JS-001",
        "市政设施",
        "coordinated",
        "",
    )
    assert (f["received"], f["accepted"], f["responded"], f["version"]) == (1, 0, 0, 3)
    uncategorised = fact(case(category_id=None, category=None, tier_id=None, tier=None))
    assert (uncategorised["category"], uncategorised["group"], uncategorised["tier"]) == (
        "",
        "",
        "",
    )


def test_the_unit_is_the_department_of_the_last_lead():
    first = assignment("lead", "withdrawn", department="cg")
    last = assignment("lead", created=RECEIVED + dt.timedelta(hours=1), department="hw")
    node_lead = assignment("lead", created=RECEIVED + dt.timedelta(hours=2), department=None)
    assert fact(case(), assignments=[last, first])["unit"] == "hw"
    assert fact(case(), assignments=[first, last, node_lead])["unit"] == ""


def test_merged_and_refused_cases_are_excluded_as_the_preset_says():
    merged = case(status="closed", merged_into_id=9)
    assert fact(merged)["excluded"] == 1 and fact(merged)["received"] == 0
    assert fact(merged, exclude=())["received"] == 1 and fact(merged, exclude=())["closed"] == 0
    refused = case(status="rejected", responded_at=RECEIVED + dt.timedelta(hours=1))
    assert (fact(refused)["rejected"], fact(refused)["responded"]) == (1, 1)
    assert fact(refused, exclude=("rejected",))["excluded"] == 1


def test_responded_on_time_or_at_all():
    late = case(status="accepted", responded_at=RECEIVED + dt.timedelta(hours=30))
    assert (fact(late)["responded"], fact(late)["responded_any"]) == (0, 1)
    assert fact(late, responded="any")["responded"] == 1
    no_deadline = case(status="accepted", responded_at=RECEIVED, response_due_at=None)
    assert fact(no_deadline)["responded_on_time"] == 1


@pytest.mark.parametrize(
    ("satisfaction", "rule", "resolved"),
    [
        ("", "finished", 1),
        ("", "not_unsatisfied", 1),
        ("", "satisfied", 0),
        ("unsatisfied", "not_unsatisfied", 0),
        ("unsatisfied", "finished", 1),
        ("basic", "satisfied", 1),
    ],
)
def test_resolved_by_the_preset_rule(satisfaction, rule, resolved):
    c = case(
        status="closed", resolved_at=RECEIVED + dt.timedelta(hours=5), satisfaction=satisfaction
    )
    assert fact(c, resolved=rule)["resolved"] == resolved


def test_satisfied_is_satisfied_and_basic_or_satisfied_only():
    basic = case(status="resolved", resolved_at=RECEIVED, satisfaction="basic")
    assert (fact(basic)["rated"], fact(basic)["satisfied"]) == (1, 1)
    assert fact(basic, satisfied=("satisfied",))["satisfied"] == 0


def test_handling_time_its_bin_and_working_days():
    resolved_at = RECEIVED + dt.timedelta(days=4, hours=1)  # Wednesday 00:30
    f = fact(case(status="closed", resolved_at=resolved_at))
    assert f["handled"] == 1 and f["handling_seconds"] == (4 * 24 + 1) * 3600
    assert BIN_EDGES[f["handling_bin"] - 1] < f["handling_seconds"] <= BIN_EDGES[f["handling_bin"]]
    # Saturday to Wednesday: Monday, Tuesday, Wednesday.
    assert f["handling_workdays"] == 3
    assert f["resolved_on_time"] == 1
    late = fact(case(status="resolved", resolved_at=RECEIVED + dt.timedelta(days=8)))
    assert late["resolved_on_time"] == 0 and late["closed"] == 1
    reopened = fact(case(status="in_progress", resolved_at=None, reopen_count=1))
    assert (reopened["handled"], reopened["reopened"], reopened["handling_bin"]) == (0, 1, None)


def test_bins_are_upper_edges_inclusive():
    assert handling_bin(0) == 0 and handling_bin(HOUR) == 0 and handling_bin(HOUR + 1) == 1
    assert handling_bin(BIN_EDGES[-1] + 1) == len(BIN_EDGES)


def test_events_and_whistles():
    c = case(status="closed", resolved_at=RECEIVED + dt.timedelta(hours=3))
    events = [
        event("callback", satisfaction="satisfied"),
        event("approve_extension", approved=True),
        event("approve_extension", approved=False),
        event("escalate"),
        event("escalate"),
    ]
    whistles = [
        assignment("whistle", "reported_in", answered=RECEIVED + dt.timedelta(minutes=90)),
        assignment("whistle", "pending"),
        assignment("whistle", "withdrawn", answered=RECEIVED),
    ]
    f = fact(c, events, whistles)
    assert (f["called_back"], f["extensions"], f["escalations"]) == (1, 1, 2)
    assert (f["whistles"], f["report_ins"], f["report_in_seconds"]) == (3, 1, 90 * 60)
    # A callback that reopened the case: not a closed case called back.
    assert fact(case(status="in_progress"), events)["called_back"] == 0
