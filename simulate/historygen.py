"""A year of demo history in bulk: the months before the month ``make_cases`` drives
through the real actions, written with ``bulk_create`` so a city-scale year takes minutes.

Each case's story is decided here in Python, then its case row, assignments and timeline
events are written in batches, with the shapes the real actions would have given them
(``cases.actions.flow``, ``cases.actions.intake``, ``cases.sla``): the same fields set at
the same steps, the same event actions, notes and ``data`` keys, one version per action,
the light sweep's events as the hourly sweep would have written them. Deadlines come from
the catalogue and the working-day calendar (``catalog.deadlines``, cached per tier and
day); routing follows ``catalog.routing``'s rule over preloaded rules and departments.
No notices are written (the outbox tells people of new work; this work is a year old).

Shapes a leader recognises: more cases in the summer rains and in the weeks before the
Spring Festival, fewer in its holiday and at weekends; a few slow departments and a few
excellent and weak grids (set by the seed); the preset's channels; most cases closed with
a satisfied callback, some late (urged, supervised, extended), some reopened once.

The same city, seed and ``before`` give the same cases, numbers, texts and timelines.
"""

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from analytics.aggregates import sync
from cases.actions.flow import public_summary
from cases.config import case_settings, channel_names
from cases.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseCounter,
    CaseEvent,
    CategorySource,
    Light,
    Satisfaction,
    Status,
)
from catalog.calendar import add_working_days
from catalog.deadlines import resolution_due
from catalog.models import CalendarDay, HandlerKind, RoutingRule
from catalog.routing import DEPARTMENT_HANDLERS
from org.permissions import verbs_of
from simulate import case_texts as texts
from simulate import names
from simulate.bulkrows import BulkInsert, Row, reset_sequences
from simulate.casegen import CaseGenerator
from simulate.caseplan import (
    CHANNEL_WEIGHTS,
    DEFAULT_CHANNEL_WEIGHT,
    DUTY_PREFERENCE,
    GRID_ENTERED,
    GRID_HOURS,
    HOUR_WEIGHTS,
    OFFICE_HOURS,
    SELF_SERVICE,
    TIER_SHARES,
    WEEKEND_FACTOR,
    CaseGenerationError,
)

# Cases written per transaction (one bulk insert of cases, then of their rows).
BATCH = 2000
# Routes remembered per (category, grid) before the cache starts again (memory at city scale).
ROUTE_CACHE_SIZE = 200_000
# The 12345 hotline carries most of a city's demand (福州's 12345 is its largest channel).
HISTORY_CHANNEL_WEIGHTS = {**CHANNEL_WEIGHTS, "hotline_12345": 8}
# Demand by month (Jan…Dec): the summer rains (梅雨, typhoons) bring flooding, drains and
# trees; the cold months are quieter. The Spring Festival is handled by date below.
MONTH_FACTOR = [0.9, 0.85, 0.95, 1.0, 1.15, 1.3, 1.35, 1.3, 1.1, 0.95, 0.95, 0.9]
# The three weeks before the Spring Festival (wages owed, neighbours, safety checks), and
# its holiday itself (few reports).
PRE_FESTIVAL_DAYS, PRE_FESTIVAL_FACTOR, FESTIVAL_FACTOR = 21, 1.3, 0.4
# Shares of the year's cases.
P_REJECT = 0.03
P_STALLED = 0.0015  # still open at the end of the history (积案), far past the deadline
P_WHISTLE = 0.06  # besides tiers the preset gives to departments together
P_ESCALATE = 0.05  # of grid-handled cases
P_PUBLISH = 0.6
P_PROGRESS = 0.5
# How units differ: (share of units, chance a case is late, handling speed factor,
# satisfaction weights as in caseplan.SATISFACTION).
SLOW_DEPARTMENTS = (0.15, 0.35, 1.25)
# Grids add the share of late first responses.
EXCELLENT_GRIDS = (
    0.05,
    0.02,
    0.6,
    [(Satisfaction.SATISFIED, 97), (Satisfaction.BASIC, 2), (Satisfaction.UNSATISFIED, 1)],
    0.005,
)
WEAK_GRIDS = (
    0.05,
    0.3,
    1.2,
    [(Satisfaction.SATISFIED, 74), (Satisfaction.BASIC, 14), (Satisfaction.UNSATISFIED, 12)],
    0.15,
)
NORMAL_LATE, NORMAL_LATE_RESPONSE = 0.1, 0.03
# First callbacks: a few percent unsatisfied, more after a late resolution or from a slow
# department; after 「不满意重办」 a good share stays unsatisfied (the answer then stays on
# record: flow._feedback closes the case past the reopen limit).
NORMAL_SATISFACTION = [
    (Satisfaction.SATISFIED, 90),
    (Satisfaction.BASIC, 6),
    (Satisfaction.UNSATISFIED, 4),
]
LATE_SATISFACTION = [
    (Satisfaction.SATISFIED, 68),
    (Satisfaction.BASIC, 17),
    (Satisfaction.UNSATISFIED, 15),
]
SLOW_SATISFACTION = [
    (Satisfaction.SATISFIED, 78),
    (Satisfaction.BASIC, 12),
    (Satisfaction.UNSATISFIED, 10),
]
AGAIN_SATISFACTION = [
    (Satisfaction.SATISFIED, 45),
    (Satisfaction.BASIC, 20),
    (Satisfaction.UNSATISFIED, 35),
]
# A case the normal pace would leave open at the history's end is told again in a hurry
# (a month-end push clears the desks), so only the last days' cases and the 积案 stay open.
HURRY_SHARE = (0.1, 0.4)  # of the time left, for each step
HURRY_CLOSES = 23.9  # local hour the push works until


@dataclass
class Story:
    """One case in the making: its case, events and assignments as ``Row``s."""

    case: Row
    events: list[Row] = field(default_factory=list)
    assignments: list[Row] = field(default_factory=list)


def light_at(case, now) -> str:
    """``Case.light_at`` for a case being built."""
    if case.status not in OPEN_STATUSES:
        return case.light
    if now >= case.due_at:
        return Light.RED
    return Light.YELLOW if now >= case.warn_at else Light.GREEN


def ceil_hour(t: dt.datetime) -> dt.datetime:
    """The first hourly sweep at or after ``t`` (the demo's sweep runs on the hour)."""
    floor = t.replace(minute=0, second=0, microsecond=0)
    return floor if floor == t else floor + dt.timedelta(hours=1)


class _Stop(Exception):
    pass


class HistoryGenerator(CaseGenerator):
    """``months`` of cases ending at local midnight of ``before`` (a date)."""

    status_names = frozenset(Status.values)

    def __init__(
        self, *, months=11, per_day=30, seed=1, before=None, progress=None, report_every=BATCH
    ):
        if months < 1 or per_day < 1:
            raise CaseGenerationError("months and per-day must be positive")
        self.months, self.per_day, self.seed = months, per_day, seed
        self.rng = random.Random(f"history:{seed}")
        self.progress = progress or (lambda message: None)
        self.report_every = report_every
        self.errors: list[str] = []
        before = before or default_before()
        tz = timezone.get_current_timezone()
        self.now = dt.datetime.combine(before, dt.time(), tzinfo=tz)
        self.start = dt.datetime.combine(
            before - relativedelta(months=months), dt.time(), tzinfo=tz
        )
        self.days = (self.now - self.start).days
        self._load()
        self._load_history()

    # -- the city, beyond CaseGenerator's ---------------------------------------------------

    def _load_history(self) -> None:
        settings = case_settings()
        self.prefix = settings["case_prefix"]
        self.yellow_at = settings["yellow_at"]
        self.channel_labels = channel_names()
        self.tz = timezone.get_current_timezone()
        self.surnames = [name for name, _ in names.SURNAMES]
        self.surname_cum = list(accumulate(weight for _, weight in names.SURNAMES))
        self.grid_cum = list(accumulate(self._grid_weights()))
        self.channel_cum = list(
            accumulate(
                HISTORY_CHANNEL_WEIGHTS.get(c, DEFAULT_CHANNEL_WEIGHT) for c in self.channels
            )
        )
        usable = [t for t in self.tiers if self.by_tier[t.pk]]
        self.tier_list = usable
        self.tier_cum = list(accumulate(TIER_SHARES.get(self.tiers.index(t), 0.1) for t in usable))
        self.bbox = {}
        for grid in self.grids:
            ring = grid.geometry["coordinates"][0]
            xs, ys = [c[0] for c in ring], [c[1] for c in ring]
            self.bbox[grid.pk] = (min(xs), max(xs), min(ys), max(ys))
        # Quality of units, fixed by the seed: a grid is excellent, weak or normal; a
        # department slow or normal.
        quality = random.Random(f"history-quality:{self.seed}")
        self.grid_quality = {}
        for grid in self.grids:
            roll = quality.random()
            if roll < EXCELLENT_GRIDS[0]:
                self.grid_quality[grid.pk] = EXCELLENT_GRIDS[1:]
            elif roll < EXCELLENT_GRIDS[0] + WEAK_GRIDS[0]:
                self.grid_quality[grid.pk] = WEAK_GRIDS[1:]
        self.slow_departments = {
            d.pk for d in self.departments if quality.random() < SLOW_DEPARTMENTS[0]
        }
        self.festival = self._festival_days()
        self._load_routing()
        self.whistle_verbs = set(verbs_of("grid_worker"))
        self.hurry = self.stalled = False
        self.due_cache: dict = {}
        self.staff_cache: dict = {}
        self.extension_cache: dict = {}

    def _festival_days(self) -> set[dt.date]:
        return set(
            CalendarDay.objects.filter(
                date__range=(self.start.date(), self.now.date()),
                is_workday=False,
                name__contains="春节",
            ).values_list("date", flat=True)
        )

    def _load_routing(self) -> None:
        """``catalog.routing.route``'s inputs in memory: rules per category and
        departments per kind, each by the code of their node."""
        self.rules = defaultdict(dict)
        for rule in RoutingRule.objects.select_related("node", "department__node"):
            self.rules[rule.category_id][rule.node.code] = rule
        self.departments_by_kind = defaultdict(dict)
        nodes_by_id = self.nodes
        for department in self.departments:
            code = nodes_by_id[department.node_id].code
            self.departments_by_kind[department.kind].setdefault(code, department)
        self.route_cache: dict = {}

    def route(self, category, grid):
        """(department, node) of ``catalog.routing.route(category, grid)``, the lead a
        dispatch without a named unit gets: the deepest rule, else the tier's handler."""
        key = (category.pk, grid.pk)
        hit = self.route_cache.get(key)
        if hit is not None:
            return hit
        prefixes = [grid.code[:n] for n in range(len(grid.code), 0, -1)]
        rules = self.rules.get(category.pk, {})
        rule = next((rules[p] for p in prefixes if p in rules), None)
        if rule is not None:
            handler, department = HandlerKind(rule.handler), rule.department
        else:
            handler, department = HandlerKind(category.default_tier.handler), None
            if handler in DEPARTMENT_HANDLERS and category.department_kind:
                kind = self.departments_by_kind.get(category.department_kind, {})
                department = next((kind[p] for p in prefixes if p in kind), None)
        if department is not None:
            found = (department, None)
        elif handler == HandlerKind.GRID:
            found = (None, grid)
        else:
            found = (None, self.nodes[grid.parent_id])
        if len(self.route_cache) > ROUTE_CACHE_SIZE:
            self.route_cache.clear()
        self.route_cache[key] = found
        return found

    def due(self, tier, created: dt.datetime) -> tuple[dt.datetime, bool]:
        """``catalog.deadlines.resolution_due``, cached per tier and local day when the
        tier counts working days (the deadline is then the end of a day)."""
        if tier.deadline_hours is not None:
            return resolution_due(tier, created)
        key = (tier.pk, timezone.localdate(created, self.tz))
        hit = self.due_cache.get(key)
        if hit is None:
            hit = self.due_cache[key] = resolution_due(tier, created)
        return hit

    def extended(self, due_at: dt.datetime, days: int) -> dt.datetime:
        """``request_extension``'s ``until`` for ``days`` working days (cached)."""
        key = (due_at, days)
        hit = self.extension_cache.get(key)
        if hit is None:
            last_moment = due_at - dt.timedelta(microseconds=1)
            hit = self.extension_cache[key] = add_working_days(last_moment, days, self.tz)[0]
        return hit

    # -- time, as CaseGenerator's but with the zone at hand (called ~10 times a case) ------

    def after(self, t, rng, low, high, *, office=False) -> dt.datetime:
        """``CaseGenerator.after``; in a hurry a share of the time left (``HURRY_SHARE``)
        at most."""
        minutes = rng.uniform(low, high)
        if self.hurry:
            left = (self.now - t).total_seconds() / 60
            minutes = min(minutes, max(1.0, left * rng.uniform(*HURRY_SHARE)))
        return self.at_work(t + dt.timedelta(minutes=minutes), rng, office)

    def at_work(self, t: dt.datetime, rng, office: bool) -> dt.datetime:
        # In a hurry offices keep weekend duty (grid hours) too, and work goes on late.
        opens, closes = OFFICE_HOURS if office and not self.hurry else GRID_HOURS
        if self.hurry:
            office, closes = False, HURRY_CLOSES
        local = t.astimezone(self.tz)
        day = local.date()
        for _ in range(30):
            if not office or self.is_workday(day):
                start = self._local(day, opens)
                if local < start:
                    return start + dt.timedelta(minutes=rng.uniform(0, 45))
                if local < self._local(day, closes):
                    return t
            day += dt.timedelta(days=1)
        return t

    def _local(self, day: dt.date, hours: float) -> dt.datetime:
        whole = int(hours)
        return dt.datetime.combine(day, dt.time(whole, int((hours - whole) * 60)), tzinfo=self.tz)

    def staff_at(self, node, rng, *duties):
        """``CaseGenerator.staff_at`` (same choices, same draws), its lists cached."""
        key = (node.pk, duties)
        found = self.staff_cache.get(key)
        if found is None:
            found = ()
            by_duty = self.staff.get(node.pk, {})
            for duty in [*duties, *DUTY_PREFERENCE, *sorted(by_duty)]:
                people = by_duty.get(duty)
                if people:
                    found = (people, [u for u in people if u.username.startswith("demo-")])
                    break
            self.staff_cache[key] = found
        if not found:
            return None
        people, demo = found
        if demo and rng.random() < 0.5:
            return rng.choice(demo)
        return rng.choice(people)

    def _person(self, rng) -> str:
        pool = names.GIVEN_MALE if rng.random() < 0.5 else names.GIVEN_FEMALE
        given = "".join(rng.choice(pool) for _ in range(rng.choice([1, 2, 2])))
        return rng.choices(self.surnames, cum_weights=self.surname_cum)[0] + given

    # -- arrivals ---------------------------------------------------------------------------

    def day_factor(self, day: dt.date) -> float:
        factor = MONTH_FACTOR[day.month - 1]
        if day in self.festival:
            return factor * FESTIVAL_FACTOR
        if self.festival and 0 < (min(self.festival) - day).days <= PRE_FESTIVAL_DAYS:
            factor *= PRE_FESTIVAL_FACTOR
        if not self.is_workday(day):
            factor *= WEEKEND_FACTOR
        return factor

    def per_day_for(self, total: int) -> float:
        """The ``per_day`` that gives about ``total`` cases over the history."""
        days = (self.start.date() + dt.timedelta(days=n) for n in range(self.days))
        return total / sum(self.day_factor(day) for day in days)

    def arrivals(self):
        """(time, grid, category, channel) of every case, in time order, day by day."""
        rng = self.rng
        day = self.start.date()
        hours = range(24)
        while day < self.now.date():
            expected = self.per_day * self.day_factor(day)
            count = max(0, round(rng.gauss(expected, expected**0.5 / 2)))
            moments = sorted(
                h * 3600 + rng.randrange(3600) for h in rng.choices(hours, HOUR_WEIGHTS, k=count)
            )
            grids = rng.choices(self.grids, cum_weights=self.grid_cum, k=count)
            tiers = rng.choices(self.tier_list, cum_weights=self.tier_cum, k=count)
            channels = rng.choices(self.channels, cum_weights=self.channel_cum, k=count)
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
            for i in range(count):
                category = rng.choice(self.by_tier[tiers[i].pk])
                yield (
                    midnight + dt.timedelta(seconds=moments[i]),
                    grids[i],
                    category,
                    channels[i],
                )
            day += dt.timedelta(days=1)

    # -- one case ---------------------------------------------------------------------------

    def make_story(self, at, grid, category, channel) -> Story:
        rng = self.rng
        tier = category.default_tier
        due, warning = self.due(tier, at)
        title, description, address = self._words(grid, category)
        x0, x1, y0, y1 = self.bbox[grid.pk]
        dx, dy = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        filer = None
        if channel not in SELF_SERVICE:
            filer = (
                self.grid_staff(grid, rng)
                if channel in GRID_ENTERED
                else self.community_staff(grid, rng)
            )
        named = rng.random() < 0.9
        case = Row(
            title=title[:200],
            description=description,
            channel=channel,
            status=Status.SUBMITTED,
            version=1,
            grid=grid,
            org_code=grid.code,
            handling_node=grid,
            lng=round(rng.uniform(x0 + dx, x1 - dx), 6),
            lat=round(rng.uniform(y0 + dy, y1 - dy), 6),
            address=address,
            category=category,
            category_source=CategorySource.PERSON,
            tier=tier,
            reporter_name=self._person(rng) if named else "",
            reporter_phone=self._phone(rng) if named else "",
            created_by=filer,
            tracking_token=f"{rng.getrandbits(128):032x}",
            created_at=at,
            response_due_at=min(at + dt.timedelta(hours=tier.response_hours), due),
            due_at=due,
            warn_at=at + (due - at) * self.yellow_at,
            deadline_warning=warning,
            light=Light.GREEN,
            responded_at=None,
            resolved_at=None,
            closed_at=None,
            result="",
            satisfaction="",
            reopen_count=0,
            is_supervised=False,
            extension_requested_until=None,
            is_published=False,
            public_summary="",
        )
        story = Story(case)
        self._event(story, at, "submit", filer, note=self.channel_labels.get(channel, channel))
        story.events[0].data = {"suggestions": [], HISTORY_MARK: self.seed}
        fresh = dict(case.__dict__)
        self.hurry = self.stalled = False
        try:
            self._live(story, grid, category, rng)
        except _Stop:
            pass  # the next step falls after the history's end: the case stays as it is
        if case.status in OPEN_STATUSES and not self.stalled:
            # Told again in a hurry (same draws for the same seed): finished unless it
            # came in the history's last hours.
            case.__dict__.update(fresh)
            story.events, story.assignments = story.events[:1], []
            self.hurry = True
            try:
                self._live(story, grid, category, rng)
            except _Stop:
                pass
            self.hurry = False
        if case.status in OPEN_STATUSES:
            self._sweep(story, self.now)
        return story

    def _words(self, grid, category) -> tuple[str, str, str]:
        rng = self.rng
        place = grid.name.removesuffix("网格").removesuffix("单位")
        road = rng.choice(names.ROAD_NAMES)
        values = {"p": place, "r": road, "b": f"{rng.randint(1, 12)}栋", "n": rng.randint(2, 7)}
        keywords = category.keywords or [category.name]
        values.update(name=category.name, kw=rng.choice(keywords), kw2=rng.choice(keywords))
        entry = texts.MATTERS.get(category.code)
        titles, details = (
            (entry[0], entry[1]) if entry else (texts.GENERIC_TITLES, texts.GENERIC_DETAILS)
        )
        title = rng.choice(titles).format(**values)
        description = (
            rng.choice(texts.OPENINGS).format(**values)
            + rng.choice(details).format(**values)
            + rng.choice(texts.CLOSINGS)
        )
        addresses = self.addresses.get(grid.pk)
        address = rng.choice(addresses) if addresses else f"{road}{rng.randint(1, 300)}号"
        return title, description, address

    # The timeline: each helper writes what the real action writes (cases.actions.flow).

    def _check(self, at) -> None:
        """Stop the story (before it changes anything) at a step after the history's end."""
        if at >= self.now:
            raise _Stop

    def _event(self, story, at, action, actor, *, to=None, note="", data=None):
        self._check(at)
        case = story.case
        if case.status in OPEN_STATUSES and action != "light" and story.events:
            self._sweep(story, at)
        before = case.status
        if to is not None:
            case.status = to
        if action not in ("submit", "light"):
            case.version += 1
        story.events.append(
            Row(
                action=action,
                actor=actor,
                at=at,
                from_status=before if action != "submit" else "",
                to_status=case.status,
                note=note,
                data=data if data is not None else {},
            )
        )

    def _sweep(self, story, until) -> None:
        """The hourly light sweep's events while the case was open up to ``until``."""
        case = story.case
        while case.light != Light.RED:
            threshold = (
                case.due_at if case.light == Light.YELLOW else min(case.warn_at, case.due_at)
            )
            # Not before the case's last step (a reopened case is swept again from then).
            moment = ceil_hour(max(threshold, story.events[-1].at))
            if moment >= until or moment >= self.now:
                return
            light = Light.RED if case.due_at <= moment else Light.YELLOW
            self._event(
                story,
                moment,
                "light",
                None,
                note=f"{Light(case.light).label} → {Light(light).label}",
                data={"from": case.light, "to": light},
            )
            case.light = light

    def _respond(self, case, at) -> None:
        self._check(at)
        if case.responded_at is None:
            case.responded_at = at

    def _live(self, story: Story, grid, category, rng) -> None:  # noqa: C901, PLR0912, PLR0915
        """Intake to closure (or a stall) of one case, step by step."""
        case = story.case
        t = case.created_at
        community_first = rng.random() < 0.3
        dispatcher = (
            self.community_staff(grid, rng) if community_first else self.grid_staff(grid, rng)
        )
        quality = self.grid_quality.get(grid.pk)
        late_response = NORMAL_LATE_RESPONSE if quality is None else quality[3]
        if not self.hurry and rng.random() < late_response:
            # Picked up only after the response deadline (a busy grid, a missed call).
            hours = (case.response_due_at - t).total_seconds() / 3600
            t = self.at_work(t + dt.timedelta(hours=hours * rng.uniform(1.1, 2.5)), rng, False)
        else:
            t = self.after(t, rng, 5, 90)
        if t >= self.now:
            return  # filed in the last minutes: still waiting
        if rng.random() < P_REJECT:
            reason = rng.choice(texts.REJECT_REASONS)
            self._respond(case, t)
            case.closed_at = t
            self._event(story, t, "reject", dispatcher, to=Status.REJECTED, note=reason)
            return
        stalled = rng.random() < P_STALLED and not self.hurry
        self.stalled = stalled
        department, node = self.route(category, grid)
        by_grid = department is None and node is not None and node.pk == grid.pk
        whistle = category.default_tier.handler == HandlerKind.DEPARTMENTS or (
            rng.random() < P_WHISTLE
        )
        lead = None
        if by_grid and not whistle:
            worker = dispatcher if not community_first else self.grid_staff(grid, rng)
            if rng.random() < 0.3:
                self._respond(case, t)
                self._event(
                    story,
                    t,
                    "claim",
                    worker,
                    to=Status.ACCEPTED,
                    note="已认领",
                    data={"node": grid.code},
                )
                t = self.after(t, rng, 2, 30)
            self._respond(case, t)
            self._event(
                story,
                t,
                "handle",
                worker,
                to=Status.IN_PROGRESS,
                note="网格员现场处置",
                data={"node": grid.code},
            )
        else:
            self._respond(case, t)
            self._event(story, t, "accept", dispatcher, to=Status.ACCEPTED, note="已受理")
            if whistle and self.departments:
                t = self._whistle(story, t, department, grid, rng)
            t = self.after(t, rng, 5, 120 if whistle else 60)
            self._check(t)
            lead = Row(
                department=department,
                node=node,
                role=AssignmentRole.LEAD,
                status=AssignmentStatus.PENDING,
                created_at=t,
            )
            assists = []
            if whistle and department is not None:
                summoned = [a.department for a in story.assignments]
                assists = [
                    Row(
                        department=d,
                        role=AssignmentRole.ASSIST,
                        status=AssignmentStatus.PENDING,
                        created_at=t,
                    )
                    for d in [d for d in summoned if d.pk != department.pk][:2]
                ]
            story.assignments += [lead, *assists]
            if node is not None:
                case.handling_node = node
            self._event(
                story,
                t,
                "dispatch",
                dispatcher,
                to=Status.DISPATCHED,
                note="请按时限办理",
                data={
                    "lead": self._unit_name(lead),
                    "assist": [self._unit_name(a) for a in assists],
                },
            )
            office = department is not None
            t = self.after(t, rng, 20, 600 if office else 240, office=office)
            unit = self._unit_user(lead, rng)
            self._check(t)
            lead.status, lead.answered_at, lead.note = AssignmentStatus.ACCEPTED, t, "已签收"
            self._event(
                story,
                t,
                "accept",
                unit,
                to=Status.IN_PROGRESS,
                note="已签收",
                data={"unit": self._unit_name(lead)},
            )
        if t >= self.now:
            return
        if stalled:
            self._nag(story, t, grid, rng)
            return
        if by_grid and lead is None and rng.random() < P_ESCALATE:
            t = self.after(t, rng, 10, 60)
            parent = self.nodes[case.handling_node.parent_id]
            self._event(
                story,
                t,
                "escalate",
                self.grid_staff(grid, rng),
                to=Status.ACCEPTED,
                note=rng.choice(texts.ESCALATE_REASONS),
                data={"from_node": case.handling_node.code, "to_node": parent.code},
            )
            case.handling_node = parent
            t = self.after(t, rng, 20, 240)
            taker = self.staff_up(parent, rng)
            self._event(
                story,
                t,
                "handle",
                taker,
                to=Status.IN_PROGRESS,
                note="上级接办",
                data={"node": parent.code},
            )
        t = self._resolve(story, t, lead, grid, rng, quality)
        if t is None:
            return
        for _round in range(self.reopen_limit + 1):
            t = self.after(t, rng, 60, 60 * 30)
            if t >= self.now:
                return
            weights = self._satisfaction_weights(case, lead, quality)
            satisfaction = rng.choices(*zip(*weights, strict=True))[0]
            caller = self.community_staff(grid, rng) if rng.random() < 0.4 else dispatcher
            case.satisfaction = satisfaction
            data = {"satisfaction": satisfaction}
            # Unsatisfied reopens the case within the limit (flow._feedback); past it, the
            # answer stays on record and the case is closed.
            reopen = (
                satisfaction == Satisfaction.UNSATISFIED and case.reopen_count < self.reopen_limit
            )
            if reopen:
                self._reopen(case, lead, t, data)
            self._event(
                story,
                t,
                "callback",
                caller,
                to=Status.IN_PROGRESS if reopen else Status.RESOLVED,
                note=rng.choice(texts.CALLBACK_NOTES[satisfaction]),
                data=data,
            )
            if not reopen:
                break
            t = self._resolve(story, t, lead, grid, rng, quality, again=True)
            if t is None:
                return
        t = self.after(t, rng, 1, 30)
        if t >= self.now:
            return
        case.closed_at = t
        self._event(story, t, "close", dispatcher, to=Status.CLOSED, note="办结销号")
        if rng.random() < P_PUBLISH:
            t = self.after(t, rng, 60 * 4, 60 * 24 * 3, office=True)
            if t < self.now:
                case.is_published = True
                case.public_summary = public_summary(
                    Row(
                        category_id=category.pk,
                        category=category,
                        title=case.title,
                        result=case.result,
                    )
                )
                self._event(story, t, "publish", self.community_staff(grid, rng))

    def _satisfaction_weights(self, case, lead, quality) -> list:
        """The callback's weights: after a reopening, after a late resolution, for a slow
        department's case, for a weak or excellent grid, else the normal ones."""
        if case.reopen_count:
            return AGAIN_SATISFACTION
        if case.resolved_at and case.resolved_at > case.due_at:
            return LATE_SATISFACTION
        if lead is not None and lead.department is not None:
            if lead.department.pk in self.slow_departments:
                return SLOW_SATISFACTION
        return quality[2] if quality else NORMAL_SATISFACTION

    def _reopen(self, case, lead, t, data) -> None:
        """``flow._reopen_now``: the resolving lead comes alive again."""
        if lead is not None and lead.status == AssignmentStatus.DONE:
            lead.status, lead.answered_at, lead.note = AssignmentStatus.ACCEPTED, t, "重办"
        case.reopen_count += 1
        case.resolved_at = None
        data["reopened"] = True

    def _whistle(self, story, t, department, grid, rng) -> dt.datetime:
        """Blow the whistle for two or three departments; report-ins come on their own
        time (``flow._whistle``, ``flow._report_in``). Returns when all have come, or
        the whistle time if some come only after the case moves on."""
        if "cases.whistle" in self.whistle_verbs:
            whistler = self.grid_staff(grid, rng)
        else:
            whistler = self.community_staff(grid, rng)
        t = self.after(t, rng, 10, 60)
        chosen = [department] if department is not None else []
        others = [
            d
            for d in rng.sample(self.departments, min(4, len(self.departments)))
            if d not in chosen
        ]
        while len(chosen) < min(len(self.departments), rng.randint(2, 3)) and others:
            chosen.append(others.pop())
        due = t + dt.timedelta(hours=self.report_in_hours)
        summoned = [
            Row(
                department=d,
                role=AssignmentRole.WHISTLE,
                status=AssignmentStatus.PENDING,
                created_at=t,
                report_in_due_at=due,
            )
            for d in chosen
        ]
        story.assignments += summoned
        self._event(
            story,
            t,
            "whistle",
            whistler,
            note=rng.choice(texts.WHISTLE_NOTES),
            to=story.case.status,
            data={"departments": [d.name for d in chosen], "report_in_due_at": due.isoformat()},
        )
        arrivals = []
        for assignment in summoned:
            late = rng.random() < 0.15
            hours = (
                rng.uniform(self.report_in_hours + 1, self.report_in_hours * 2)
                if late
                else rng.uniform(0.3, min(8, self.report_in_hours * 0.5))
            )
            arrivals.append(
                (self.at_work(t + dt.timedelta(hours=hours), rng, office=False), assignment)
            )
        arrivals.sort(key=lambda pair: pair[0])
        # Report-ins happen while the case waits for them (as casegen's stories do).
        for moment, assignment in arrivals:
            if moment >= self.now:
                break
            note = rng.choice(texts.REPORT_IN_NOTES)
            assignment.status, assignment.answered_at, assignment.note = (
                AssignmentStatus.REPORTED_IN,
                moment,
                note,
            )
            self._event(
                story,
                moment,
                "report_in",
                self.department_user(assignment.department, rng),
                to=story.case.status,
                note=note,
                data={"unit": assignment.department.name, "late": moment > due},
            )
            t = moment
        return t

    def _resolve(self, story, t, lead, grid, rng, quality, again=False):
        """Progress, perhaps an extension, urges when late, then resolve (``_handle`` of
        casegen's stories). Returns the resolution time, or None if it falls after the
        history's end (the case stays in progress)."""
        case = story.case
        slow = (
            lead is not None
            and lead.department is not None
            and (lead.department.pk in self.slow_departments)
        )
        late_share, speed = NORMAL_LATE, 1.0
        if quality:
            late_share, speed = quality[0], quality[1]
        if slow:
            late_share, speed = max(late_share, SLOW_DEPARTMENTS[1]), SLOW_DEPARTMENTS[2]
        office = lead is not None and lead.department is not None
        handler = self._unit_user(lead, rng) if lead else self.staff_up(case.handling_node, rng)
        created = case.created_at
        span = case.due_at - created
        if again or self.hurry:
            resolve_at = self.after(t, rng, 60 * 3, 60 * 24 * 3, office=office)
        elif span <= dt.timedelta(hours=6):
            late = rng.random() < late_share
            minutes = rng.uniform(130, 480) if late else rng.uniform(15, 80) * speed
            resolve_at = self.at_work(
                max(t + dt.timedelta(minutes=10), created + dt.timedelta(minutes=minutes)),
                rng,
                office,
            )
        else:
            late = rng.random() < late_share
            share = rng.uniform(1.02, 1.5) if late else min(0.95, rng.uniform(0.15, 0.8) * speed)
            resolve_at = self.at_work(
                max(t + dt.timedelta(minutes=30), created + span * share), rng, office
            )
        if resolve_at - t > dt.timedelta(hours=6) and rng.random() < P_PROGRESS:
            moment = self.at_work(t + (resolve_at - t) / 3, rng, office)
            if moment < resolve_at and moment < self.now:
                self._event(
                    story,
                    moment,
                    "progress",
                    handler,
                    note=rng.choice(texts.PROGRESS_NOTES),
                    to=case.status,
                )
                t = moment
        if resolve_at > case.due_at and span > dt.timedelta(hours=6) and rng.random() < 0.6:
            ask = self.at_work(
                max(t + dt.timedelta(minutes=10), case.due_at - dt.timedelta(hours=30)), rng, office
            )
            if ask < resolve_at and ask < case.due_at and ask < self.now:
                until = self.extended(case.due_at, rng.randint(3, 5))
                case.extension_requested_until = until
                self._event(
                    story,
                    ask,
                    "request_extension",
                    handler,
                    to=case.status,
                    note=rng.choice(texts.EXTENSION_REASONS),
                    data={"until": timezone.localtime(until, self.tz).isoformat()},
                )
                t = self.after(ask, rng, 30, 60 * 6, office=True)
                if t >= self.now:
                    return None
                approve = rng.random() < 0.85
                case.extension_requested_until = None
                self._sweep(story, t)
                if approve:
                    case.due_at = until
                    case.warn_at = created + (until - created) * self.yellow_at
                    case.light = light_at(case, t)
                self._event(
                    story,
                    t,
                    "approve_extension",
                    self.supervisor(case.handling_node, rng),
                    to=case.status,
                    note="同意延期" if approve else "不同意延期,请按时办结",
                    data={
                        "approved": approve,
                        "until": timezone.localtime(until, self.tz).isoformat(),
                    },
                )
        if resolve_at > case.due_at:
            urge_at = self.at_work(
                max(t, case.due_at) + dt.timedelta(minutes=rng.uniform(30, 600)), rng, False
            )
            if urge_at < resolve_at and urge_at < self.now:
                self._event(
                    story,
                    urge_at,
                    "urge",
                    self.community_staff(grid, rng),
                    to=case.status,
                    note=rng.choice(texts.URGE_NOTES),
                )
                t = urge_at
                if rng.random() < 0.5:
                    t = self.after(t, rng, 60, 60 * 8, office=True)
                    if t < resolve_at and t < self.now:
                        case.is_supervised = True
                        self._event(
                            story,
                            t,
                            "supervise",
                            self.supervisor(case.handling_node, rng),
                            to=case.status,
                            note=rng.choice(texts.SUPERVISE_NOTES),
                        )
        resolve_at = max(resolve_at, t + dt.timedelta(minutes=5))
        if resolve_at >= self.now:
            return None
        result = self._result(case.category)
        case.result = result
        case.resolved_at = resolve_at
        self._event(story, resolve_at, "resolve", handler, to=Status.RESOLVED, note=result)
        for assignment in story.assignments:
            if assignment.role == AssignmentRole.WHISTLE and (
                assignment.status == AssignmentStatus.PENDING
            ):
                assignment.status, assignment.answered_at, assignment.note = (
                    AssignmentStatus.WITHDRAWN,
                    resolve_at,
                    "已办结",
                )
        if lead is not None:
            lead.status, lead.answered_at, lead.note = AssignmentStatus.DONE, resolve_at, "办结"
        return resolve_at

    def _nag(self, story, t, grid, rng) -> None:
        """A case left lying (积案): urged and supervised after its deadline."""
        case = story.case
        urge_at = self.at_work(case.due_at + dt.timedelta(hours=rng.uniform(1, 20)), rng, False)
        if urge_at < self.now:
            self._event(
                story,
                urge_at,
                "urge",
                self.community_staff(grid, rng),
                to=case.status,
                note=rng.choice(texts.URGE_NOTES),
            )
            moment = self.at_work(urge_at + dt.timedelta(hours=rng.uniform(4, 48)), rng, True)
            if moment < self.now:
                case.is_supervised = True
                self._event(
                    story,
                    moment,
                    "supervise",
                    self.supervisor(case.handling_node, rng),
                    to=case.status,
                    note=rng.choice(texts.SUPERVISE_NOTES),
                )

    def _unit_name(self, assignment) -> str:
        return assignment.department.name if assignment.department else assignment.node.name

    def _unit_user(self, assignment, rng):
        if assignment.department is not None:
            return self.department_user(assignment.department, rng)
        return self.staff_up(assignment.node, rng)

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> dict:
        """Generate and write every case; returns counts and seconds."""
        started = time.perf_counter()
        self.progress(
            f"生成历史诉求: {self.start:%Y-%m-%d} 至 {self.now:%Y-%m-%d} (不含), "
            f"平均每天 {self.per_day:g} 件"
        )
        self.case_rows = BulkInsert(Case)
        self.event_rows = BulkInsert(CaseEvent)
        self.assignment_rows = BulkInsert(Assignment)
        counters = dict(
            CaseCounter.objects.filter(day__range=(self.start.date(), self.now.date())).values_list(
                "day", "last"
            )
        )
        written = Counter()
        batch: list[Story] = []
        for at, grid, category, channel in self.arrivals():
            story = self.make_story(at, grid, category, channel)
            day = at.date()
            counters[day] = counters.get(day, 0) + 1
            story.case.number = f"{self.prefix}-{day:%Y%m%d}-{counters[day]:06d}"
            batch.append(story)
            if len(batch) >= BATCH:
                self._write(batch, written)
                batch = []
                if written["cases"] % self.report_every < BATCH:
                    self._report(written, started)
        if batch:
            self._write(batch, written)
        reset_sequences(Case, CaseEvent, Assignment)
        self._write_counters(counters)
        seconds = time.perf_counter() - started
        self._report(written, started)
        return {**written, "seconds": round(seconds, 1)}

    def _report(self, written, started) -> None:
        seconds = time.perf_counter() - started
        self.progress(
            f"  {written['cases']} 件, {written['events']} 条记录, {written['assignments']} "
            f"条派单 ({seconds:.1f} 秒, {written['cases'] / max(seconds, 1e-9):.0f} 件/秒)"
        )

    @transaction.atomic
    def _write(self, batch: list[Story], written: Counter) -> None:
        self.case_rows.insert([s.case for s in batch])
        events, assignments = [], []
        for story in batch:
            case_id = story.case.id
            for event in story.events:
                event.case_id = case_id
            for assignment in story.assignments:
                assignment.case_id = case_id
            events += story.events
            assignments += story.assignments
            written[story.case.status] += 1
        self.event_rows.insert(events)
        self.assignment_rows.insert(assignments)
        written["cases"] += len(batch)
        written["events"] += len(events)
        written["assignments"] += len(assignments)

    def _write_counters(self, counters: dict) -> None:
        existing = set(
            CaseCounter.objects.filter(day__in=list(counters)).values_list("day", flat=True)
        )
        with transaction.atomic():
            for day in existing:
                CaseCounter.objects.filter(day=day, last__lt=counters[day]).update(
                    last=counters[day]
                )
            CaseCounter.objects.bulk_create(
                [
                    CaseCounter(day=d, last=n)
                    for d, n in sorted(counters.items())
                    if d not in existing
                ]
            )


def default_before() -> dt.date:
    """The first local day of the cases there are (the month ``make_cases`` generated), or
    30 days ago when there are none."""
    first = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return timezone.localdate() - dt.timedelta(days=30)
    return timezone.localdate(first)


HISTORY_MARK = "history"


def has_history() -> bool:
    """Whether history was generated already: the oldest case's first event says so."""
    first = Case.objects.order_by("created_at", "pk").values_list("pk", flat=True).first()
    if first is None:
        return False
    data = (
        CaseEvent.objects.filter(case_id=first, action="submit")
        .values_list("data", flat=True)
        .first()
    )
    return bool(data) and HISTORY_MARK in data


def sync_aggregates() -> dict:
    """Bring the KPI facts and cells up to the bulk rows, which bypass the timeline signal
    that keeps them in the actions' transactions (``analytics.signals``). Returns
    ``analytics.aggregates.sync``'s counts."""
    return sync()
