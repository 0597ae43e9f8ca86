"""A deterministic month of cases for the generated city, driven through the real actions.

Every case is filed with ``do_create_case`` and moved only with ``do_case_action``, by
real users holding the capability the transition table asks for, so each case has a true
timeline. The whole month is simulated in time order: arrivals, each case's next step and
an hourly ``sweep_lights`` run from one heap, so lights turn when they would have, merges
find their target still open and every timeline is consistent.

The same city, seed and "now" give the same cases, numbers, titles and statuses.
"""

import heapq
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.actions import Report, do_case_action, do_create_case
from cases.actions.flow import CASES
from cases.config import case_settings
from cases.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseEvent,
    Status,
)
from cases.sla import sweep_lights
from catalog.deadlines import resolution_due
from catalog.models import CalendarDay, HandlerKind, MatterCategory, Tier
from gridgov.errors import ActionError
from org.models import Building, Department, OrgNode, RoleAssignment, RoleKind, User
from org.permissions import active_table
from outbox.delivery import deliver_inbox_in_bulk
from outbox.notify import held_delivery
from presets.loader import active_preset
from simulate import case_texts as texts
from simulate import names
from simulate.caseplan import (
    CHANNEL_WEIGHTS,
    DEFAULT_CHANNEL_WEIGHT,
    DUTY_PREFERENCE,
    EXTRA_CHANNELS,
    GRID_ENTERED,
    GRID_HOURS,
    HOUR_WEIGHTS,
    OFFICE_HOURS,
    P_DUPLICATE,
    P_REJECT,
    P_STALL,
    SELF_SERVICE,
    STALL_STAGES,
    TIER_SHARES,
    WEEKEND_FACTOR,
    Act,
    CaseGenerationError,
    Plan,
)
from simulate.casestories import CaseStories


class CaseGenerator(CaseStories):
    def __init__(self, *, days=30, per_day=30, seed=1, now=None, progress=None):
        if days < 1 or per_day < 1:
            raise CaseGenerationError("days and per-day must be positive")
        self.days, self.per_day, self.seed = days, per_day, seed
        self.now = now or timezone.now()
        self.start = self.now - timedelta(days=days)
        self.rng = random.Random(seed)
        self.progress = progress or (lambda message: None)
        self.errors: list[str] = []
        self._load()

    # -- the city ---------------------------------------------------------------------------

    def _load(self) -> None:
        self.preset = active_preset()
        settings = case_settings()
        self.reopen_limit = settings["reopen_limit"]
        self.report_in_hours = settings["report_in_hours"]
        self.channels = list(dict.fromkeys([*settings["channels"], *EXTRA_CHANNELS]))
        self.nodes = {node.pk: node for node in OrgNode.objects.select_related("level")}
        if not self.nodes:
            raise CaseGenerationError("no city: run make_city first")
        self.root = next(n for n in self.nodes.values() if n.parent_id is None)
        self.grids = sorted(
            (n for n in self.nodes.values() if n.grid_kind and n.geometry), key=lambda n: n.code
        )
        self.tiers = list(Tier.objects.order_by("order"))
        categories = list(
            MatterCategory.objects.filter(is_active=True)
            .select_related("default_tier")
            .order_by("code")
        )
        if not self.tiers or not categories:
            raise CaseGenerationError("the preset has no tiers or matter catalogue")
        self.by_tier = defaultdict(list)
        for category in categories:
            self.by_tier[category.default_tier_id].append(category)
        self.departments = list(Department.objects.order_by("code"))
        self.department_kinds = {d.kind: d for d in self.departments}
        self.addresses = defaultdict(list)
        for grid_id, address in Building.objects.order_by("code").values_list("grid_id", "address"):
            self.addresses[grid_id].append(address)
        self._load_people()
        first = min(
            (self.nodes[d.node_id] for d in self.demo_assignments("demo-grid")),
            key=lambda n: n.code,
            default=self.grids[0],
        )
        self.demo_grid = first
        self.demo_community = self.nodes.get(first.parent_id)
        self.workdays = self._load_workdays()

    def _load_people(self) -> None:
        self.users: dict[int, User] = {}
        self.staff = defaultdict(lambda: defaultdict(list))  # node id → duty → users
        self.department_staff = defaultdict(list)
        self.department_user_ids: set[int] = set()
        self.demo: dict[str, User] = {}
        self._demo_assignments = defaultdict(list)
        rows = RoleAssignment.objects.select_related("role", "user").order_by("user__username")
        for assignment in rows:
            user = self.users.setdefault(assignment.user_id, assignment.user)
            if user.username.startswith("demo-"):
                self.demo[user.username] = user
                self._demo_assignments[user.username].append(assignment)
            kind = assignment.role.kind
            if kind in (RoleKind.STAFF, RoleKind.LEADER):
                self.staff[assignment.node_id][assignment.role.duty].append(user)
            if assignment.department_id:
                self.department_staff[assignment.department_id].append(user)
                self.department_user_ids.add(user.pk)
        self.demo_department = next(
            (a.department for a in self._demo_assignments.get("demo-dept", []) if a.department),
            None,
        )

    def demo_assignments(self, username):
        return self._demo_assignments.get(username, [])

    def _load_workdays(self) -> dict[date, bool]:
        first = timezone.localdate(self.start) - timedelta(days=1)
        last = timezone.localdate(self.now) + timedelta(days=90)
        return dict(
            CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday")
        )

    def is_workday(self, day: date) -> bool:
        return self.workdays.get(day, day.weekday() < 5)

    # -- choosing people --------------------------------------------------------------------

    def staff_at(self, node: OrgNode, rng: random.Random, *duties: str) -> User | None:
        """A staff member of ``node``: of the first of ``duties`` it has, else of the
        platform's usual duties; a demo account there is picked half the time."""
        by_duty = self.staff.get(node.pk, {})
        for duty in [*duties, *DUTY_PREFERENCE, *sorted(by_duty)]:
            people = by_duty.get(duty)
            if people:
                demo = [u for u in people if u.username.startswith("demo-")]
                if demo and rng.random() < 0.5:
                    return rng.choice(demo)
                return rng.choice(people)
        return None

    def staff_up(self, node: OrgNode, rng: random.Random, *duties: str) -> User:
        """A staff member of ``node`` or, if it has none, of its nearest staffed ancestor."""
        while node is not None:
            user = self.staff_at(node, rng, *duties)
            if user is not None:
                return user
            node = self.nodes.get(node.parent_id)
        raise CaseGenerationError("no staff anywhere up the tree")

    def grid_staff(self, grid, rng):
        return self.staff_up(grid, rng, "grid_worker", "grid_leader")

    def community_staff(self, grid, rng):
        return self.staff_up(self.nodes[grid.parent_id], rng, "community_secretary")

    def department_user(self, department: Department, rng) -> User:
        people = self.department_staff.get(department.pk)
        if not people:
            raise CaseGenerationError(f"department {department.code} has no staff")
        demo = [u for u in people if u.username.startswith("demo-")]
        return rng.choice(demo) if demo and rng.random() < 0.5 else rng.choice(people)

    def supervisor(self, node: OrgNode, rng) -> User:
        """Someone above ``node``: its parent's staff mostly, the leaders sometimes."""
        parent = self.nodes.get(node.parent_id) or node
        if rng.random() < 0.3 and parent.pk != self.root.pk and node.pk != self.root.pk:
            return self.staff_up(self.root, rng, "leader")
        return self.staff_up(parent, rng)

    def handler(self, case: Case, rng) -> User:
        """Someone of the unit holding the case: its live lead, else its handling node."""
        lead = (
            Assignment.objects.filter(
                case_id=case.pk,
                role=AssignmentRole.LEAD,
                status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED],
            )
            .select_related("department")
            .first()
        )
        if lead is not None and lead.department_id:
            return self.department_user(lead.department, rng)
        node_id = lead.node_id if lead is not None else case.handling_node_id
        return self.staff_up(self.nodes[node_id], rng)

    # -- time -------------------------------------------------------------------------------

    def at_work(self, t: datetime, rng, office: bool) -> datetime:
        """``t``, or the next opening of a grid worker's day (every day) or of the office
        (working days) if ``t`` falls outside it."""
        opens, closes = OFFICE_HOURS if office else GRID_HOURS
        local = timezone.localtime(t)
        day = local.date()
        for _ in range(30):
            if not office or self.is_workday(day):
                start = self._local(day, opens)
                if local < start:
                    return start + timedelta(minutes=rng.uniform(0, 45))
                if local < self._local(day, closes):
                    return t
            day += timedelta(days=1)
        return t

    @staticmethod
    def _local(day: date, hours: float) -> datetime:
        whole = int(hours)
        naive = datetime.combine(day, dtime(whole, int((hours - whole) * 60)))
        return timezone.make_aware(naive)

    def after(self, t, rng, low, high, *, office=False) -> datetime:
        """Between ``low`` and ``high`` minutes after ``t``, within working hours."""
        return self.at_work(t + timedelta(minutes=rng.uniform(low, high)), rng, office)

    # -- plans ------------------------------------------------------------------------------

    def _arrivals(self) -> list[datetime]:
        times = []
        day = timezone.localdate(self.start)
        last = timezone.localdate(self.now)
        while day <= last:
            weekend = not self.is_workday(day)
            expected = self.per_day * (WEEKEND_FACTOR if weekend else 1.0)
            count = max(0, round(self.rng.gauss(expected, expected**0.5 / 2)))
            hours = self.rng.choices(range(24), HOUR_WEIGHTS, k=count)
            for hour in hours:
                naive = datetime.combine(day, dtime(hour)) + timedelta(
                    seconds=self.rng.randrange(3600)
                )
                at = timezone.make_aware(naive)
                if self.start < at < self.now:
                    times.append(at)
            day += timedelta(days=1)
        return sorted(times)

    def _grid_weights(self) -> list[float]:
        count = len(self.grids)
        weights = []
        for grid in self.grids:
            weight = 1.0 if grid.grid_kind == "residential" else 0.5
            if grid.pk == self.demo_grid.pk:
                weight += max(2.0, count / 40)
            elif self.demo_community and grid.parent_id == self.demo_community.pk:
                weight += max(0.5, count / 120)
            weights.append(weight)
        return weights

    def _tier_category(self, rng, tier: Tier | None = None) -> MatterCategory:
        if tier is None:
            weights = [TIER_SHARES.get(i, 0.1) for i in range(len(self.tiers))]
            usable = [
                (t, w) for t, w in zip(self.tiers, weights, strict=True) if self.by_tier[t.pk]
            ]
            tier = rng.choices([t for t, _ in usable], [w for _, w in usable])[0]
        return rng.choice(self.by_tier[tier.pk])

    def make_plans(self) -> list[Plan]:
        arrivals = self._arrivals()
        grid_weights = self._grid_weights()
        channel_weights = [CHANNEL_WEIGHTS.get(c, DEFAULT_CHANNEL_WEIGHT) for c in self.channels]
        plans: list[Plan] = []
        for index, at in enumerate(arrivals):
            rng = random.Random(f"{self.seed}:{index}")
            grid = self.rng.choices(self.grids, grid_weights)[0]
            plan = Plan(
                index=index,
                at=at,
                grid=grid,
                category=self._tier_category(self.rng),
                channel=self.rng.choices(self.channels, channel_weights)[0],
                rng=rng,
            )
            if plans and self.rng.random() < P_DUPLICATE:
                recent = [
                    p
                    for p in plans[-200:]
                    if p.at > at - timedelta(hours=60)
                    and p.duplicate_of is None
                    and at - p.at > timedelta(minutes=30)
                ]
                if recent:
                    original = self.rng.choice(recent)
                    plan.duplicate_of = original.index
                    plan.grid, plan.category = original.grid, original.category
            plan.reject = plan.duplicate_of is None and self.rng.random() < P_REJECT
            if not plan.reject and plan.duplicate_of is None and self.rng.random() < P_STALL:
                stages, weights = zip(*STALL_STAGES, strict=True)
                plan.stall = self.rng.choices(stages, weights)[0]
            plan.send_category = not (plan.channel in SELF_SERVICE and self.rng.random() < 0.15)
            plans.append(plan)
        if not plans:
            raise CaseGenerationError("no arrivals: raise --per-day or --days")
        self._cover(plans)
        for plan in plans:
            self._dress(plan)
        return plans

    def _cover(self, plans: list[Plan]) -> None:
        """Make sure the month shows every channel, tier and status, and gives the demo
        accounts their work. Only plain plans (no duplicate, no stall) are changed."""
        rng = random.Random(f"{self.seed}:cover")
        taken: set[int] = {p.duplicate_of for p in plans if p.duplicate_of is not None}

        def pick(candidates):
            free = [p for p in candidates if p.index not in taken and p.duplicate_of is None]
            if not free:
                return None
            plan = rng.choice(free)
            taken.add(plan.index)
            plan.stall, plan.reject = None, False
            return plan

        def older(days):
            return [p for p in plans if p.at < self.now - timedelta(days=days)]

        def newer(hours):
            return [p for p in plans if p.at > self.now - timedelta(hours=hours)]

        used = {p.channel for p in plans}
        for channel in [c for c in self.channels if c not in used]:
            if (plan := pick(plans)) is not None:
                plan.channel = channel
        for tier in self.tiers:
            if self.by_tier[tier.pk] and not any(
                p.category.default_tier_id == tier.pk for p in plans
            ):
                if (plan := pick(plans)) is not None:
                    plan.category = self._tier_category(rng, tier)
        # One old case stuck at each open stage (red), one left resolved without callback.
        for stage in (
            Status.SUBMITTED,
            Status.ACCEPTED,
            Status.DISPATCHED,
            Status.IN_PROGRESS,
            Status.RESOLVED,
        ):
            if (plan := pick(older(min(8, self.days / 2)))) is not None:
                plan.stall = stage
        if (plan := pick(older(1))) is not None:
            plan.reject = True
        # Fresh ones: a report nobody has looked at yet, one in the dispatcher's hands.
        for stage in (Status.SUBMITTED, Status.ACCEPTED):
            plan = pick(newer(3)) or pick(plans[-5:])
            if plan is not None:
                plan.stall = stage
        self._cover_loop(plans, pick, older, rng)
        self._cover_yellow(plans, pick, rng)
        self._cover_demo(plans, pick, older, newer, rng)

    def _cover_loop(self, plans, pick, older, rng) -> None:
        """Old cases made to show an escalation, a return, an extension, a reopening, a late
        report-in and a merge, whatever the dice said."""
        by_days = [c for t in self.tiers if t.deadline_hours is None for c in self.by_tier[t.pk]]
        dispatched = [c for c in by_days if c.default_tier.handler != HandlerKind.GRID]
        if not by_days:
            return
        window = older(min(12, self.days / 2))
        for part in ("escalate", "return", "extension", "reopen", "late_report_in"):
            plan = pick(window)
            if plan is None:
                return
            plan.force.add(part)
            plan.category = rng.choice(dispatched or by_days)
        # A duplicate report a day later, merged into the first one.
        original = pick(window)
        if original is None:
            return
        original.category = rng.choice(by_days)
        later = [
            p
            for p in plans
            if original.at + timedelta(hours=1) < p.at < original.at + timedelta(hours=48)
        ]
        duplicate = pick(later)
        if duplicate is not None:
            duplicate.duplicate_of = original.index
            duplicate.grid, duplicate.category = original.grid, original.category

    def _cover_yellow(self, plans, pick, rng) -> None:
        """An open case past the yellow mark but not yet due: move a plan to such a time."""
        plan = pick([p for p in plans if p.at > self.now - timedelta(days=self.days / 2)])
        if plan is None:
            return
        tier = plan.category.default_tier
        for step in range(6, 6 * 24 * self.days):
            at = self.now - timedelta(minutes=step * 10 + rng.uniform(0, 5))
            due, _ = resolution_due(tier, at)
            if at + (due - at) * 0.8 <= self.now < at + (due - at) * 0.97:
                plan.at = at
                plan.stall = Status.IN_PROGRESS
                plans.sort(key=lambda p: p.at)
                return

    def _cover_demo(self, plans, pick, older, newer, rng) -> None:
        department = self.demo_department
        demo_grids = [g for g in self.grids if g.parent_id == self.demo_grid.parent_id]
        if department is not None:
            own = [
                c
                for tier in self.tiers
                for c in self.by_tier[tier.pk]
                if c.department_kind == department.kind
            ]

            # Recent enough to be waiting, old enough for the dispatcher to have acted even
            # on a report filed late in the evening (a longer window over a quiet weekend).
            def recent():
                for hours in (40, 72, 24 * self.days):
                    window = [p for p in newer(hours) if p.at < self.now - timedelta(hours=14)]
                    plan = pick(window)
                    if plan is not None:
                        return plan
                return pick(plans[-10:])

            # A whistle it still has to report in to.
            plan = recent()
            if plan is not None:
                plan.category = rng.choice(own) if own else plan.category
                plan.pending_whistle = department
                plan.grid = self.demo_grid
            # Pending dispatches in the department's inbox.
            for _ in range(3):
                plan = recent()
                if plan is not None:
                    plan.category = rng.choice(own) if own else plan.category
                    plan.lead_department = department
                    plan.stall = Status.DISPATCHED
        # Red cases on the leader's board in the demo community.
        for _ in range(2):
            plan = pick(older(min(10, self.days / 2)))
            if plan is not None:
                plan.grid = rng.choice(demo_grids)
                plan.stall = Status.IN_PROGRESS
        resident = self.demo.get("demo-resident")
        if resident is not None:
            span = len(plans)
            for fraction in (0.15, 0.5, 0.8, 0.97):
                plan = pick(plans[int(span * fraction) : int(span * fraction) + 20])
                if plan is not None:
                    plan.resident = resident
                    plan.channel = "qr_code"
                    plan.grid = self.demo_grid

    def _dress(self, plan: Plan) -> None:
        """Words, place, reporter and filer of a plan."""
        rng = plan.rng
        grid = plan.grid
        place = grid.name.removesuffix("网格").removesuffix("单位")
        road = rng.choice(names.ROAD_NAMES)
        values = {
            "p": place,
            "r": road,
            "b": f"{rng.randint(1, 12)}栋",
            "n": rng.randint(2, 7),
        }
        category = plan.category
        entry = texts.MATTERS.get(category.code)
        keywords = category.keywords or [category.name]
        values.update(name=category.name, kw=rng.choice(keywords), kw2=rng.choice(keywords))
        if entry is not None:
            titles, details, _ = entry
        else:
            titles, details = texts.GENERIC_TITLES, texts.GENERIC_DETAILS
        plan.title = rng.choice(titles).format(**values)
        opening = rng.choice(texts.OPENINGS).format(**values)
        plan.description = (
            opening + rng.choice(details).format(**values) + rng.choice(texts.CLOSINGS)
        )
        addresses = self.addresses.get(grid.pk)
        plan.address = rng.choice(addresses) if addresses else f"{road}{rng.randint(1, 300)}号"
        if plan.duplicate_of is None:
            plan.lng, plan.lat = self._point(grid, rng)
        if plan.resident is not None:
            plan.reporter_name = plan.resident.display_name
            plan.reporter_phone = plan.resident.phone or self._phone(rng)
            plan.creator = plan.resident
        else:
            if rng.random() < 0.9:
                plan.reporter_name = self._person(rng)
                plan.reporter_phone = self._phone(rng)
            plan.creator = self._filer(plan, rng)

    def _point(self, grid, rng) -> tuple[float, float]:
        ring = grid.geometry["coordinates"][0]
        xs, ys = [c[0] for c in ring], [c[1] for c in ring]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        dx, dy = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        return (
            round(rng.uniform(x0 + dx, x1 - dx), 6),
            round(rng.uniform(y0 + dy, y1 - dy), 6),
        )

    def _near(self, grid, lng, lat, rng) -> tuple[float, float]:
        """A point within about 40 m of (lng, lat), kept inside the grid."""
        ring = grid.geometry["coordinates"][0]
        xs, ys = [c[0] for c in ring], [c[1] for c in ring]
        dx, dy = (max(xs) - min(xs)) * 0.01, (max(ys) - min(ys)) * 0.01
        x = min(max(lng + rng.uniform(-0.0003, 0.0003), min(xs) + dx), max(xs) - dx)
        y = min(max(lat + rng.uniform(-0.0003, 0.0003), min(ys) + dy), max(ys) - dy)
        return round(x, 6), round(y, 6)

    @staticmethod
    def _person(rng) -> str:
        surnames, weights = zip(*names.SURNAMES, strict=True)
        pool = names.GIVEN_MALE if rng.random() < 0.5 else names.GIVEN_FEMALE
        given = "".join(rng.choice(pool) for _ in range(rng.choice([1, 2, 2])))
        return rng.choices(surnames, weights)[0] + given

    @staticmethod
    def _phone(rng) -> str:
        return rng.choice(["13", "15", "17", "18", "19"]) + f"{rng.randrange(10**9):09d}"

    def _filer(self, plan: Plan, rng) -> User | None:
        if plan.channel in SELF_SERVICE:
            return None
        if plan.channel in GRID_ENTERED:
            return self.grid_staff(plan.grid, rng)
        return self.community_staff(plan.grid, rng)

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.perf_counter()
        plans = self.make_plans()
        self.progress(
            f"计划 {len(plans)} 件诉求, {timezone.localtime(self.start):%Y-%m-%d %H:%M} 至 "
            f"{timezone.localtime(self.now):%Y-%m-%d %H:%M}"
        )
        self.case_ids: dict[int, int] = {}
        self.latest: dict[int, Case] = {}
        heap: list = []
        sequence = 0

        def push(at, kind, payload):
            nonlocal sequence
            sequence += 1
            heapq.heappush(heap, (at, sequence, kind, payload))

        for plan in plans:
            push(plan.at, "new", plan)
        sweep = self.start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while sweep < self.now:
            push(sweep, "sweep", None)
            sweep += timedelta(hours=1)
        push(self.now, "sweep", None)

        self.actions = 0
        with held_delivery():
            self._run_heap(heap, push, started)
        delivered = deliver_inbox_in_bulk()
        self.progress(f"站内消息 {delivered} 条已送达")
        elapsed = time.perf_counter() - started
        summary = summarize()
        summary.update(seconds=round(elapsed, 1), actions=self.actions, errors=len(self.errors))
        return summary

    def _run_heap(self, heap, push, started) -> None:
        while heap:
            # One transaction a simulated day: far fewer commits, the same timelines.
            day = timezone.localdate(heap[0][0])
            with transaction.atomic():
                while heap and timezone.localdate(heap[0][0]) == day:
                    at, _, kind, payload = heapq.heappop(heap)
                    self._step(at, kind, payload, push)
            self._report_day(day, started)

    def _step(self, at, kind, payload, push) -> None:
        if kind == "sweep":
            sweep_lights(at)
            return
        if kind == "new":
            case = self._create(payload)
            self._advance(self._story(payload, case), case, None, push)
            return
        story, act = payload
        case = self.latest[act.case_id]
        if act.action is None:
            self._advance(story, case, act, push)
            return
        if act.guard is not None and not act.guard(case):
            return
        actor = self._actor_for(case, act)
        try:
            case = do_case_action(
                case.pk,
                act.action,
                actor=actor,
                version=case.version,
                data=act.data,
                at=act.at,
            )
        except ActionError as error:
            self.errors.append(f"{case.number} {act.action} by {act.actor}: {error.detail}")
            if story is not None:
                story.close()
            return
        self.actions += 1
        self.latest[case.pk] = case
        if story is not None:
            self._advance(story, case, act, push)

    def _actor_for(self, case: Case, act: Act) -> User:
        """The story's actor, or, when their duty does not hold the action's verb in this
        preset (a grid worker who may not refuse a report), someone up the tree who does:
        the capability table decides, as it does for people."""
        if CASES.permits(act.actor, case, act.action):
            return act.actor
        table = active_table()
        verb = f"cases.{act.action}"
        node = case.grid or self.root
        while node is not None:
            by_duty = self.staff.get(node.pk, {})
            duties = [
                d
                for d in dict.fromkeys([*DUTY_PREFERENCE, *sorted(by_duty)])
                if by_duty.get(d) and verb in table.get(d, ())
            ]
            if duties:
                candidate = self.staff_at(node, random.Random(case.pk), duties[0])
                if CASES.permits(candidate, case, act.action):
                    return candidate
            node = self.nodes.get(node.parent_id)
        return act.actor

    def _report_day(self, day, started) -> None:
        self.progress(
            f"{day:%m-%d}: 累计 {len(self.case_ids)} 件, {self.actions} 次办理操作"
            f" ({time.perf_counter() - started:.1f} 秒)"
        )

    def _advance(self, story: Iterator, case: Case, act: Act | None, push) -> None:
        """Send the case to its story and queue the story's next step (or its side steps),
        unless it falls after now: then the case stays as it is."""
        try:
            nxt = story.send(case) if act is not None else next(story)
            while isinstance(nxt, list):  # side steps, queued on their own
                for side in nxt:
                    side.case_id = case.pk
                    if side.at <= self.now:
                        push(side.at, "act", (None, side))
                nxt = story.send(case)
        except StopIteration:
            return
        nxt.case_id = case.pk
        if act is not None and nxt.at < act.at:
            nxt.at = act.at
        if nxt.at <= self.now:
            push(nxt.at, "act", (story, nxt))
        else:
            story.close()

    def _create(self, plan: Plan) -> Case:
        lng, lat = plan.lng, plan.lat
        if plan.duplicate_of is not None:
            original = self.latest[self.case_ids[plan.duplicate_of]]
            lng, lat = self._near(plan.grid, original.lng, original.lat, plan.rng)
            plan.lng, plan.lat = lng, lat
        report = Report(
            title=plan.title,
            description=plan.description,
            channel=plan.channel,
            lng=lng,
            lat=lat,
            grid_code=plan.grid.code if plan.channel in GRID_ENTERED else None,
            address=plan.address,
            category_code=plan.category.code if plan.send_category else None,
            reporter_name=plan.reporter_name,
            reporter_phone=plan.reporter_phone,
        )
        case = do_create_case(report, actor=plan.creator, at=plan.at)
        if case.grid_id != plan.grid.pk:
            raise CaseGenerationError(
                f"{case.number} landed in {case.org_code}, not {plan.grid.code}"
            )
        self.case_ids[plan.index] = case.pk
        self.latest[case.pk] = case
        return case


def summarize() -> dict:
    """Counts of the generated cases, for the command's report and the tests."""
    cases = Case.objects.all()
    events = CaseEvent.objects.all()
    whistles = Assignment.objects.filter(role=AssignmentRole.WHISTLE)
    closed_rated = cases.exclude(satisfaction="").filter(status=Status.CLOSED)
    return {
        "cases": cases.count(),
        "status": dict(Counter(cases.values_list("status", flat=True))),
        "light": dict(Counter(cases.values_list("light", flat=True))),
        "open_light": dict(
            Counter(cases.filter(status__in=OPEN_STATUSES).values_list("light", flat=True))
        ),
        "channel": dict(Counter(cases.values_list("channel", flat=True))),
        "tier": dict(Counter(cases.values_list("tier__code", flat=True))),
        "events": events.count(),
        "whistles": whistles.count(),
        "reported_in": whistles.filter(status=AssignmentStatus.REPORTED_IN).count(),
        "late_report_ins": events.filter(action="report_in", data__late=True).count(),
        "pending_report_ins": whistles.filter(status=AssignmentStatus.PENDING).count(),
        "extensions_requested": events.filter(action="request_extension").count(),
        "extensions_approved": events.filter(
            action="approve_extension", data__approved=True
        ).count(),
        "escalations": events.filter(action="escalate").count(),
        "returns": events.filter(action="return").count(),
        "urges": events.filter(action="urge").count(),
        "supervisions": events.filter(action="supervise").count(),
        "reopened": cases.filter(reopen_count__gt=0).count(),
        "merged": cases.exclude(merged_into=None).count(),
        "published": cases.filter(is_published=True).count(),
        "satisfaction": dict(Counter(closed_rated.values_list("satisfaction", flat=True))),
        "open_red": cases.filter(status__in=OPEN_STATUSES, light="red").count(),
    }


def demo_work() -> dict:
    """What each demo account finds waiting, to check the demo has something to show."""
    result = {}
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    grid = users.get("demo-grid")
    if grid is not None:
        result["demo-grid"] = Case.objects.restrict(grid).filter(status__in=OPEN_STATUSES).count()
    community = users.get("demo-community")
    if community is not None:
        result["demo-community"] = Case.objects.restrict(community).count()
    dept = users.get("demo-dept")
    if dept is not None:
        departments = (
            RoleAssignment.objects.filter(user=dept).exclude(department=None).values("department")
        )
        mine = Assignment.objects.filter(department__in=departments)
        result["demo-dept pending dispatches"] = mine.filter(
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.PENDING,
            case__status=Status.DISPATCHED,
        ).count()
        result["demo-dept pending whistles"] = mine.filter(
            role=AssignmentRole.WHISTLE, status=AssignmentStatus.PENDING
        ).count()
    resident = users.get("demo-resident")
    if resident is not None:
        result["demo-resident"] = Case.objects.filter(reporter_user=resident).count()
    leader = users.get("demo-leader")
    if leader is not None:
        result["demo-leader red"] = (
            Case.objects.restrict(leader)
            .filter(Q(status__in=OPEN_STATUSES) & Q(light="red"))
            .count()
        )
    return result
