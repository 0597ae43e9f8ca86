"""Random action sequences on a few cases: nothing gets past the transition table.

A hypothesis state machine acts on a handful of cases with every action, random actors
(the demo accounts, a resident holding the tracking token, an anonymous caller) and
plausible or faulty data, sometimes with a stale version. After every step it checks:

- a success is a row of ``TABLE``: (state before, action) is in it, the state after is
  one of its targets, and the actor stands in one of the relations it names holding the
  action's verb (decided by an oracle written here from the definitions in
  ``cases.transitions`` and the capability table);
- a success bumps ``version`` by exactly one and writes exactly one timeline event
  whose from/to states are the case's states before and after;
- a failure changes nothing: the same row, no event, no assignment, no outbox row;
- a stale version always raises ``StaleVersion``.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cases.actions import Report, do_case_action, do_create_case
from cases.models import Assignment, Case, CaseEvent, Satisfaction, Status
from cases.transitions import ACTIONS, TABLE
from catalog.models import Tier
from gridgov.errors import ActionError, Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import Department, OrgNode, RoleAssignment, User
from org.permissions import active_table
from outbox.models import Outbox

DEMO_GRID = "360802001001001"  # demo-grid's grid; demo-resident lives there
OTHER_GRID = "360802002001001"  # another town: outside demo-street's subtree
ALL_CAPABILITIES = {"dispatcher", "handler", "supervisor", "summoned", "reporter"}
LIVE = ("pending", "accepted")
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

# Actors: a demo account, optionally holding the case's tracking token; or nobody.
ACTORS = [
    ("demo-admin", False),
    ("demo-leader", False),
    ("demo-street", False),
    ("demo-community", False),
    ("demo-grid", False),
    ("demo-dept", False),
    ("demo-resident", False),
    ("demo-resident", True),
    (None, True),  # a resident without an account, with the receipt's token
    (None, False),
]
# Who files new cases, through which channel, where.
CREATORS = [
    ("demo-grid", "grid_report", DEMO_GRID),
    ("demo-resident", "qr_code", DEMO_GRID),
    ("demo-community", "hotline_12345", None),
    ("demo-leader", "hotline_12343", OTHER_GRID),
]
CATEGORIES = ["JS-001", "HW-001", "SR-002", None]  # city management, sanitation, grid, none


class Person:
    """What the oracle knows about an actor: their seats (node, department, duty), read
    from the role assignments directly (not through org.permissions), and the verbs of
    each duty from the active capability table."""

    def __init__(self, user):
        self.user = user
        rows = RoleAssignment.objects.filter(user=user).select_related("role", "node")
        table = active_table()
        self.seats = [
            (r.node.code, r.department_id, table.get(r.role.duty, frozenset())) for r in rows
        ]

    def holds(self, verb: str, code: str, *, above=False) -> bool:
        return any(
            verb in verbs
            and department is None
            and code.startswith(seat)
            and not (above and code == seat)
            for seat, department, verbs in self.seats
        )

    def holds_for(self, verb: str, department_id) -> bool:
        return any(verb in verbs and d == department_id for _, d, verbs in self.seats)


def expected_capabilities(person, case, assignments, action, *, token_ok) -> set[str]:
    """The relations in which ``person`` may take ``action`` on ``case``, as
    cases.transitions and cases.permissions define them (with the action's verb)."""
    caps = {"reporter"} if token_ok else set()
    if person is None:
        return caps
    if person.user.is_superuser:
        return caps | ALL_CAPABILITIES
    if case.reporter_user_id == person.user.pk:
        caps.add("reporter")
    verb = f"cases.{action}"
    if person.holds(verb, case.org_code):
        caps.add("dispatcher")
    handling = case.handling_node.code if case.handling_node_id else case.org_code
    if person.holds(verb, handling, above=True):
        caps.add("supervisor")
    leads = [a for a in assignments if a.role == "lead" and a.status in LIVE]
    if leads:
        lead = leads[0]
        if lead.department_id:
            if person.holds_for(verb, lead.department_id):
                caps.add("handler")
        elif person.holds(verb, lead.node.code):
            caps.add("handler")
    elif person.holds(verb, handling):
        caps.add("handler")
    if any(
        a.role == "whistle"
        and a.status == "pending"
        and a.department_id
        and person.holds_for(verb, a.department_id)
        for a in assignments
    ):
        caps.add("summoned")
    return caps


def snapshot(case_id: int) -> dict:
    return {
        "row": Case.objects.filter(pk=case_id).values().get(),
        "events": list(CaseEvent.objects.filter(case_id=case_id).values_list("pk", flat=True)),
        "assignments": list(Assignment.objects.filter(case_id=case_id).order_by("pk").values()),
        "outbox": Outbox.objects.filter(subject_type="cases.case", subject_id=case_id).count(),
    }


class CaseMachine(RuleBasedStateMachine):
    # What the whole run reached, so the test can tell it was not vacuous.
    reached: set[str] = set()
    done: set[str] = set()

    def __init__(self):
        super().__init__()
        # Each example runs in its own savepoint, rolled back in teardown, so examples
        # (and hypothesis' replays while shrinking) start from the same city.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.users = {name: User.objects.get(username=name) for name, _ in ACTORS if name}
        self.people = {name: Person(user) for name, user in self.users.items()}
        self.departments = list(Department.objects.values_list("code", flat=True))
        self.nodes = list(
            OrgNode.objects.filter(code__startswith="360802001").values_list("code", flat=True)
        )
        self.tiers = list(Tier.objects.values_list("code", flat=True))
        self.case_ids: list[int] = []
        self.now = START

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- intake -------------------------------------------------------------------------

    def _create(self, creator: str, channel: str, grid: str | None, category: str | None):
        self.now += dt.timedelta(minutes=5)
        case = do_create_case(
            Report(
                title="楼道堆放杂物" if category is None else "路灯不亮了",
                description="随机测试",
                channel=channel,
                grid_code=grid,
                category_code=category,
                reporter_name="张三",
                reporter_phone="13800000000",
            ),
            actor=self.users[creator],
            at=self.now,
        )
        assert case.version == 1 and case.status == Status.SUBMITTED
        self.case_ids.append(case.pk)

    @initialize()
    def create_first_cases(self):
        self._create("demo-grid", "grid_report", DEMO_GRID, "JS-001")
        self._create("demo-resident", "qr_code", DEMO_GRID, "HW-001")
        self._create("demo-leader", "hotline_12343", OTHER_GRID, "SR-002")

    @precondition(lambda self: len(self.case_ids) < 5)
    @rule(creator=st.sampled_from(CREATORS), category=st.sampled_from(CATEGORIES))
    def create_case(self, creator, category):
        self._create(*creator, category)

    # -- actions ------------------------------------------------------------------------

    def _data_for(self, draw, action: str, case: Case) -> dict:
        def some(strategy):
            # Mostly given, sometimes missing.
            return None if draw(st.integers(0, 4)) == 0 else draw(strategy)

        note = st.sampled_from(["", "已到现场查看", "  ", "联系了物业 13912345678"])
        reason = st.sampled_from(["", "不属于本辖区", "需要上级协调", "x" * 2001])
        department = st.sampled_from([*self.departments, "no-such-department"])
        unit = st.one_of(
            st.builds(lambda code: {"department": code}, department),
            st.builds(lambda code: {"node": code}, st.sampled_from(self.nodes)),
            st.just({"grid": "x"}),
        )
        values: dict = {}
        if action in ("accept", "claim", "handle", "report_in", "close", "urge", "supervise"):
            values["note"] = some(note)
        elif action in ("reject", "return", "escalate", "reopen"):
            values["reason"] = some(reason)
        elif action == "progress":
            values["note"] = some(note)
        elif action == "resolve":
            values["result"] = some(st.sampled_from(["", "已修复", "已清理完毕"]))
        elif action in ("callback", "rate"):
            values["satisfaction"] = some(st.sampled_from([*Satisfaction.values, "meh"]))
            values["comment"] = some(note)
        elif action == "dispatch":
            values["lead"] = some(unit)
            values["assist"] = some(st.lists(unit, max_size=2))
            values["category_code"] = some(st.sampled_from(["JS-001", "HW-001", "NOPE"]))
            values["tier"] = some(st.sampled_from([*self.tiers, "nope"]))
        elif action == "whistle":
            values["departments"] = some(st.lists(department, max_size=3, unique=True))
            values["note"] = some(note)
        elif action == "request_extension":
            values["reason"] = some(reason)
            kind = draw(st.sampled_from(["days", "until", "naive", "earlier", "none"]))
            due = case.due_at or self.now
            if kind == "days":
                values["working_days"] = draw(st.sampled_from([-1, 0, 1, 3, 60, 61]))
            elif kind == "until":
                values["until"] = (due + dt.timedelta(days=draw(st.integers(1, 20)))).isoformat()
            elif kind == "naive":
                values["until"] = (due + dt.timedelta(days=3)).replace(tzinfo=None).isoformat()
            elif kind == "earlier":
                values["until"] = (due - dt.timedelta(hours=1)).isoformat()
        elif action == "approve_extension":
            values["approve"] = some(st.sampled_from([True, False, "yes"]))
        elif action == "merge":
            others = [pk for pk in self.case_ids if pk != case.pk]
            values["into"] = some(st.sampled_from([*others, case.pk, 10**9, "x"]))
        elif action == "publish":
            values["summary"] = some(st.sampled_from(["", "路灯已修复,联系 13812345678"]))
        return {key: value for key, value in values.items() if value is not None}

    @rule(data=st.data())
    def act(self, data):
        draw = data.draw
        case_id = draw(st.sampled_from(self.case_ids), label="case")
        case = Case.objects.select_related("handling_node").get(pk=case_id)
        allowed = sorted(action for state, action in TABLE if state == case.status)
        # Mostly an action the state allows, so the walk gets through the loop.
        plausible = allowed and draw(st.integers(0, 9), label="plausible?") < 8
        action = draw(st.sampled_from(allowed if plausible else ACTIONS), label="action")
        transition = TABLE.get((case.status, action))
        assignments = list(case.assignments.select_related("node"))

        def caps_of(actor_spec):
            username, with_token = actor_spec
            person = self.people.get(username)
            return expected_capabilities(person, case, assignments, action, token_ok=with_token)

        # Mostly an actor the table lets through, so the walk gets somewhere.
        fitting = [a for a in ACTORS if transition and caps_of(a) & set(transition.who)]
        pool = fitting if fitting and draw(st.integers(0, 9), label="fit?") < 7 else ACTORS
        username, with_token = draw(st.sampled_from(pool), label="actor")
        actor = self.users[username] if username else AnonymousUser()
        caps = caps_of((username, with_token))
        stale = draw(st.integers(0, 9), label="stale?") == 0
        version = case.version + draw(st.sampled_from([-1, 1, 7])) if stale else case.version
        payload = self._data_for(draw, action, case)
        self.now += dt.timedelta(minutes=draw(st.integers(1, 600)))
        at = self.now
        before = snapshot(case_id)
        try:
            result = do_case_action(
                case_id,
                action,
                actor=actor,
                version=version,
                data=payload,
                at=at,
                reporter_token=case.tracking_token if with_token else None,
            )
        except StaleVersion:
            assert stale, "a current version was refused as stale"
            assert snapshot(case_id) == before
            return
        except ActionError as error:
            assert not stale, f"a stale version got {type(error).__name__}, not StaleVersion"
            assert snapshot(case_id) == before, f"{action} failed ({error.code}) but wrote"
            if transition is None:
                assert type(error) is Conflict and error.code == "invalid_transition"
            elif not caps & set(transition.who):
                assert isinstance(error, NotPermitted), (action, caps, error)
            else:
                assert isinstance(error, (InvalidInput, NotPermitted, Conflict))
            return

        assert not stale, f"{action} succeeded with a stale version"
        assert transition is not None, f"{action} succeeded in {case.status}, not in TABLE"
        after = Case.objects.get(pk=case_id)
        assert after.status in transition.to, (case.status, action, after.status)
        assert caps & set(transition.who), f"{username} {caps} did {action} ({transition.who})"
        assert result.version == after.version == case.version + 1
        new = CaseEvent.objects.filter(case_id=case_id).exclude(pk__in=before["events"])
        assert new.count() == 1
        event = new.get()
        assert (event.action, event.from_status, event.to_status) == (
            action,
            case.status,
            after.status,
        )
        assert event.at == at
        assert event.actor_id == (actor.pk if actor.is_authenticated else None)
        CaseMachine.reached.add(after.status)
        CaseMachine.done.add(action)

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def version_counts_the_successful_actions(self):
        for case in Case.objects.filter(pk__in=self.case_ids):
            actions = CaseEvent.objects.filter(case=case).exclude(action__in=["submit", "light"])
            assert case.version == 1 + actions.count(), case.number
            assert CaseEvent.objects.filter(case=case, action="submit").count() == 1

    @invariant()
    def merged_and_rejected_cases_are_finished(self):
        for case in Case.objects.filter(pk__in=self.case_ids):
            if case.merged_into_id:
                assert case.status == Status.CLOSED
            if case.status in (Status.CLOSED, Status.REJECTED):
                assert case.closed_at is not None


@pytest.fixture
def walk_without_local_constants(monkeypatch):
    """Hypothesis mixes literals found in the project's own modules into what it draws
    (``providers._get_local_constants``), so adding a constant anywhere, or a worker
    having imported other modules, changed this fixed walk and let the coverage check
    below pass or fail by chance. The walk draws from the strategies alone."""
    from hypothesis.internal.cache import LRUCache
    from hypothesis.internal.conjecture import providers

    empty = providers.Constants(
        integers=providers.SortedSet(),
        floats=providers.SortedSet(key=providers.float_to_int),
        bytes=providers.SortedSet(),
        strings=providers.SortedSet(),
    )
    monkeypatch.setattr(providers, "_get_local_constants", lambda: empty)
    monkeypatch.setattr(providers, "CONSTANTS_CACHE", LRUCache(1024))


@pytest.mark.django_db
def test_random_action_sequences_only_follow_the_transition_table(
    city, walk_without_local_constants
):
    CaseMachine.reached, CaseMachine.done = set(), set()
    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=40,
            deadline=None,
            database=None,
            # A fixed walk: CI must not fail on one unlucky draw of the coverage check below.
            derandomize=True,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
        ),
    )
    # The walk went through the whole loop, not only refusals.
    assert {Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED} <= (
        CaseMachine.reached
    ), CaseMachine.reached
    assert len(CaseMachine.done) >= 12, sorted(CaseMachine.done)


@pytest.mark.django_db
def test_every_action_outside_the_table_is_refused_in_every_state(city):
    """The exhaustive complement: even the superuser cannot take a step TABLE lacks."""
    admin = User.objects.get(username="demo-admin")
    case = do_create_case(
        Report(title="路灯不亮", channel="grid_report", grid_code=DEMO_GRID), actor=admin, at=START
    )
    for status in Status.values:
        Case.objects.filter(pk=case.pk).update(status=status)
        for action in ACTIONS:
            if (status, action) in TABLE:
                continue
            with pytest.raises(Conflict) as caught:
                do_case_action(case.pk, action, actor=admin, version=1, data={}, at=START)
            assert caught.value.code == "invalid_transition"
    assert case.events.count() == 1  # only the submit event
