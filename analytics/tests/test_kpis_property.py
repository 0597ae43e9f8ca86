"""Random case histories driven through the real actions, with the clock moved; then for
random nodes, periods and groupings every figure of ``kpis()`` equals the plain
reference (``analytics.tests.reference``), and ``check_aggregates`` finds nothing.

Each example also draws the ``[kpi]`` definitions, so the delta path is checked under
every rule the preset may choose, not only the defaults."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analytics import aggregates
from analytics import kpis as kpis_module
from analytics.aggregates import cell_differences, fact_differences
from analytics.kpis import GROUP_BYS, KPI_FIELDS, kpis
from analytics.preset import KpiSettings, Weights
from analytics.tests.reference import reference
from cases.actions import Report, do_case_action, do_create_case
from cases.models import Case
from cases.transitions import TABLE
from gridgov.errors import ActionError
from org.models import Department, OrgNode, User

GRIDS = ["360802001001001", "360802001001002", "360802001002001", "360802002001001"]
CATEGORIES = ["JS-001", "HW-001", "SR-002", None]
CHANNELS = ["grid_report", "qr_code", "hotline_12345", "walk_in"]
START = dt.datetime(2026, 10, 27, 1, 0, tzinfo=dt.UTC)  # a week before November

kpi_settings = st.builds(
    KpiSettings,
    responded=st.sampled_from(["on_time", "any"]),
    resolved=st.sampled_from(["finished", "not_unsatisfied", "satisfied"]),
    satisfied=st.sampled_from([("satisfied", "basic"), ("satisfied",)]),
    exclude=st.sampled_from([("merged",), ("merged", "rejected"), ()]),
    weights=st.builds(
        Weights,
        response_rate=st.sampled_from([30.0, 0.0, 1.0]),
        resolution_rate=st.sampled_from([35.0, 1.0]),
        satisfaction_rate=st.sampled_from([35.0, 2.0]),
    ),
)


def _data(draw, action, case, case_ids, departments):
    if action in ("reject", "return", "escalate", "reopen", "request_extension"):
        data = {"reason": "测试"}
        if action == "request_extension":
            data["working_days"] = draw(st.integers(1, 10))
        return data
    if action == "resolve":
        return {"result": "已处理"}
    if action == "progress":
        return {"note": "已到现场"}
    if action in ("callback", "rate"):
        return {"satisfaction": draw(st.sampled_from(["satisfied", "basic", "unsatisfied"]))}
    if action == "dispatch":
        data = {"lead": {"department": draw(st.sampled_from(departments))}}
        if draw(st.booleans()):
            data["category_code"] = draw(st.sampled_from(["JS-001", "HW-001"]))
        return data
    if action == "whistle":
        return {
            "departments": draw(
                st.lists(st.sampled_from(departments), min_size=1, max_size=2, unique=True)
            )
        }
    if action == "approve_extension":
        return {"approve": draw(st.sampled_from([True, True, False]))}
    if action == "merge":
        return {"into": draw(st.sampled_from([pk for pk in case_ids if pk != case.pk] or [0]))}
    return {}


# A case's life as a few stages, each a choice of actions (None: nothing at that stage);
# between stages, now and then, any action its state allows (the wild walk).
LIFE = [
    ["accept", "claim", "handle", "dispatch", "reject", "merge", None],
    ["dispatch", "accept", "whistle", None, None],
    ["report_in", "escalate", "request_extension", "request_extension", "return", None],
    ["approve_extension", "approve_extension", "claim", "handle", None],
    ["resolve", "resolve", "resolve", None],
    ["callback", "rate", "callback", None],
    ["resolve", "close", "close", None],
    ["callback", "rate", "close", "publish", None],
]


def _history(draw, admin, departments, done: dict) -> dt.datetime:
    """Files 3–7 cases over about six weeks and takes each through a random life with
    the clock moving on (minutes to days per action); returns the latest time."""
    filed = START
    latest = START
    case_ids: list[int] = []
    for _ in range(draw(st.integers(3, 7), label="cases")):
        filed += dt.timedelta(hours=draw(st.integers(1, 24 * 9)))
        case = do_create_case(
            Report(
                title="路灯不亮了",
                channel=draw(st.sampled_from(CHANNELS)),
                grid_code=draw(st.sampled_from(GRIDS)),
                category_code=draw(st.sampled_from(CATEGORIES)),
            ),
            actor=admin,
            at=filed,
        )
        case_ids.append(case.pk)
        now = filed
        for stage in LIFE:
            current = Case.objects.get(pk=case.pk)
            action = draw(st.sampled_from(stage), label="action")
            if draw(st.integers(0, 4)) == 0:  # the wild walk
                allowed = sorted(a for s, a in TABLE if s == current.status and a != "add_photo")
                action = draw(st.sampled_from(allowed), label="wild") if allowed else None
            if action is None:
                continue
            # Mostly minutes to hours, sometimes days: deadlines both kept and missed.
            now += dt.timedelta(
                minutes=draw(st.sampled_from([5, 60, 60 * 6, 60 * 30, 60 * 24 * 6]))
            )
            try:
                do_case_action(
                    case.pk,
                    action,
                    actor=admin,
                    version=current.version,
                    data=_data(draw, action, current, case_ids, departments),
                    at=now,
                    reporter_token=current.tracking_token,
                )
                done[action] = done.get(action, 0) + 1
            except ActionError:
                pass  # refused as the workflow refuses: nothing changed
        latest = max(latest, now)
    return latest


def _same(got: dict, want: dict, where) -> None:
    for field in KPI_FIELDS:
        a, b = got[field], want[field]
        if a is None or b is None:
            assert a is b, (where, field, a, b)
        else:
            assert a == pytest.approx(b, rel=1e-9, abs=1e-9), (where, field, a, b)


@pytest.mark.django_db
def test_kpis_equal_the_reference_over_random_histories(city):
    admin = User.objects.get(username="demo-admin")
    departments = sorted(Department.objects.values_list("code", flat=True))[:4]
    root = OrgNode.objects.filter(parent__isnull=True).get().code
    nodes = sorted({root} | {g[:n] for g in GRIDS for n in (9, 12, 15)})

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        # No shrinking: each example is a database history, and shrinking one takes
        # minutes; a failure prints its draws, which is enough to replay it.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data(), rules=kpi_settings)
    def run(data, rules):
        draw = data.draw
        with (
            mock.patch.object(aggregates, "kpi_settings", return_value=rules),
            mock.patch.object(kpis_module, "kpi_settings", return_value=rules),
            transaction.atomic(),
        ):
            try:
                clock = _history(draw, admin, departments, done)
                now = clock + dt.timedelta(days=draw(st.integers(0, 20)))
                for index in range(5):
                    if index == 0:  # the whole history at the root, then random cuts
                        node, first, last = root, dt.date(2026, 10, 1), dt.date(2026, 12, 31)
                    else:
                        node = draw(st.sampled_from(nodes), label="node")
                        first = dt.date(2026, 10, 20) + dt.timedelta(days=draw(st.integers(0, 40)))
                        last = first + dt.timedelta(days=draw(st.integers(0, 70)))
                    group_by = draw(st.sampled_from([None, *GROUP_BYS]), label="group_by")
                    rows = kpis(node, first, last, group_by, now=now)
                    want = reference(node, first, last, group_by, rules, now)
                    got = {row["key"]: row for row in rows}
                    where = (node, first, last, group_by)
                    assert set(got) == set(want), (where, sorted(got), sorted(want))
                    for key, figures in want.items():
                        _same(got[key], figures, (*where, key))
                        seen.update(f for f in KPI_FIELDS if figures[f])
                assert list(fact_differences()) == []
                assert list(cell_differences()) == []
            finally:
                transaction.set_rollback(True)

    seen: set[str] = set()
    done: dict[str, int] = {}
    run()
    # Not vacuous: the lives went through the loop's figure-changing actions…
    assert {"resolve", "callback", "rate", "whistle", "report_in", "approve_extension"} <= set(
        done
    ), done
    assert {"merge", "reject", "escalate", "dispatch", "reopen"} <= set(done), done
    # …and every figure had a non-zero value somewhere.
    assert seen == set(KPI_FIELDS), sorted(set(KPI_FIELDS) - seen)
