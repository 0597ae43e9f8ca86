"""A case's story in the demo month: each step after intake, chosen from its plan and
taken by a user who holds the capability for it (see ``simulate.casegen``)."""

from datetime import datetime, timedelta

from cases.models import (
    OPEN_STATUSES,
    Case,
    Satisfaction,
    Status,
)
from catalog.models import HandlerKind, MatterCategory
from catalog.routing import route
from org.models import Department
from org.permissions import verbs_of
from simulate import case_texts as texts
from simulate.caseplan import SATISFACTION, Act, Plan


class CaseStories:
    """The steps of each case; mixed into ``CaseGenerator``, whose helpers it uses."""

    # -- a case's story ---------------------------------------------------------------------

    def _story(self, plan: Plan, case: Case):
        """Yield the case's steps one by one (each gets the updated case back), or a list
        of side steps that run on their own. Stops where the plan stalls."""
        rng = plan.rng
        grid = plan.grid
        t = case.created_at
        community_first = rng.random() < 0.3
        dispatcher = (
            self.community_staff(grid, rng) if community_first else self.grid_staff(grid, rng)
        )
        stall = plan.stall

        if stall == Status.SUBMITTED:
            yield self._nags(case, plan, t)
            return
        t = self.after(t, rng, 5, 90)
        if plan.duplicate_of is not None:
            case = yield Act(t, None)
            target = Case.objects.filter(pk=case.possible_duplicate_of_id).first()
            if (
                target is not None
                and target.grid_id == case.grid_id
                and target.merged_into_id is None
                and target.status in (*OPEN_STATUSES, Status.RESOLVED)
            ):
                yield Act(
                    t,
                    "merge",
                    dispatcher,
                    {"into": target.pk, "note": rng.choice(texts.MERGE_NOTES)},
                )
                return
        if plan.reject:
            yield Act(t, "reject", dispatcher, {"reason": rng.choice(texts.REJECT_REASONS)})
            return

        category = case.category or plan.category
        tier = case.tier if case.category_id else category.default_tier
        target = route(category, grid, tier)
        by_grid = (
            target.department is None and target.node is not None and target.node.pk == grid.pk
        )
        whistle = plan.pending_whistle is not None or (
            target.handler == HandlerKind.DEPARTMENTS
            or rng.random() < 0.06
            or "late_report_in" in plan.force
        )
        if (
            by_grid
            and case.category_id
            and not whistle
            and plan.lead_department is None
            and "return" not in plan.force
        ):
            # The grid handles it itself (简易问题): take it and get on with it.
            worker = dispatcher if not community_first else self.grid_staff(grid, rng)
            if rng.random() < 0.3 or stall == Status.ACCEPTED:
                case = yield Act(t, "claim", worker, {"note": "已认领"})
                if stall == Status.ACCEPTED:
                    yield self._nags(case, plan, t)
                    return
                t = self.after(t, rng, 2, 30)
            case = yield Act(t, "handle", worker, {"note": "网格员现场处置"})
        else:
            case = yield Act(t, "accept", dispatcher, {"note": "已受理"})
            if whistle:
                # The grid blows it where the preset gives the grid the whistle (吉州).
                if "cases.whistle" in verbs_of("grid_worker"):
                    whistler = self.grid_staff(grid, rng)
                else:
                    whistler = self.community_staff(grid, rng)
                summoned = self._summoned(plan, target, rng)
                t = self.after(t, rng, 10, 60)
                case = yield Act(
                    t,
                    "whistle",
                    whistler,
                    {
                        "departments": [d.code for d in summoned],
                        "note": rng.choice(texts.WHISTLE_NOTES),
                    },
                )
                report_ins = self._report_ins(
                    summoned,
                    t,
                    rng,
                    skip=plan.pending_whistle,
                    force_late="late_report_in" in plan.force,
                )
                yield report_ins
                if plan.pending_whistle is not None:
                    return
                # The units are dispatched once everyone summoned has reported in.
                t = max([t, *(act.at for act in report_ins)])
            if stall == Status.ACCEPTED:
                yield self._nags(case, plan, t)
                return
            t = self.after(t, rng, 5, 120 if whistle else 60)
            data = {"note": "请按时限办理"}
            if case.category_id is None:
                data["category_code"] = plan.category.code
            lead = plan.lead_department or (target.department if whistle else None)
            if plan.lead_department is not None:
                data["lead"] = {"department": lead.code}
            if whistle and lead is not None:
                assists = [d for d in summoned if d.pk != lead.pk][:2]
                data["assist"] = [{"department": d.code} for d in assists]
            case = yield Act(t, "dispatch", dispatcher, data)
            if stall == Status.DISPATCHED:
                yield self._nags(case, plan, t)
                return
            office = target.department is not None or plan.lead_department is not None
            t = self.after(t, rng, 20, 600 if office else 240, office=office)
            unit = self.handler(case, rng)
            if rng.random() < 0.06 or "return" in plan.force:
                case = yield Act(t, "return", unit, {"reason": rng.choice(texts.RETURN_REASONS)})
                # A department's return goes to the community; the community's to a department.
                if unit.pk in self.department_user_ids or not self.departments:
                    lead = {"node": self.nodes[grid.parent_id].code}
                    note = "改由社区牵头办理"
                else:
                    lead = {"department": rng.choice(self.departments).code}
                    note = "改派职能部门办理"
                t = self.after(t, rng, 20, 180)
                case = yield Act(t, "dispatch", dispatcher, {"lead": lead, "note": note})
                t = self.after(t, rng, 10, 180)
                unit = self.handler(case, rng)
            case = yield Act(t, "accept", unit, {"note": "已签收"})

        # In progress, at the grid, the community or with a department.
        if stall == Status.IN_PROGRESS:
            if rng.random() < 0.6:
                t = self.after(t, rng, 60, 60 * 24)
                case = yield Act(
                    t,
                    "progress",
                    self.handler(case, rng),
                    {"note": rng.choice(texts.PROGRESS_NOTES)},
                )
            yield self._nags(case, plan, t)
            return
        if (by_grid and rng.random() < 0.05) or "escalate" in plan.force:
            t = self.after(t, rng, 10, 60)
            case = yield Act(
                t,
                "escalate",
                self.handler(case, rng),
                {"reason": rng.choice(texts.ESCALATE_REASONS)},
            )
            t = self.after(t, rng, 20, 240)
            taker = self.staff_up(self.nodes[case.handling_node_id], rng)
            case = yield Act(t, "handle", taker, {"note": "上级接办"})
        case = yield from self._handle(case, plan, t, rng)
        t = case.resolved_at

        # Resolved: callback (or the reporter's own rating), reopen once if unsatisfied.
        if stall == Status.RESOLVED:
            return
        for _round in range(3):
            t = self.after(t, rng, 60, 60 * 30)
            satisfaction = rng.choices(*zip(*SATISFACTION, strict=True))[0]
            if "reopen" in plan.force and _round == 0:
                satisfaction = Satisfaction.UNSATISFIED
            if case.reopen_count >= self.reopen_limit and satisfaction == Satisfaction.UNSATISFIED:
                satisfaction = Satisfaction.BASIC
            note = rng.choice(texts.CALLBACK_NOTES[satisfaction])
            if plan.resident is not None and rng.random() < 0.7:
                case = yield Act(
                    t, "rate", plan.resident, {"satisfaction": satisfaction, "comment": note}
                )
            else:
                caller = self.community_staff(grid, rng) if rng.random() < 0.4 else dispatcher
                case = yield Act(
                    t, "callback", caller, {"satisfaction": satisfaction, "note": note}
                )
            if (
                case.status == Status.RESOLVED
                and case.reopen_count < self.reopen_limit
                and rng.random() < 0.01
            ):
                t = self.after(t, rng, 60, 600)
                case = yield Act(
                    t,
                    "reopen",
                    self.community_staff(grid, rng),
                    {"reason": "复查发现问题反弹,重新办理"},
                )
            if case.status == Status.RESOLVED:
                break
            case = yield from self._handle(case, plan, t, rng, again=True)
            t = case.resolved_at
        t = self.after(t, rng, 1, 30)
        case = yield Act(t, "close", dispatcher, {"note": "办结销号"})
        if rng.random() < 0.6:
            t = self.after(t, rng, 60 * 4, 60 * 24 * 3, office=True)
            yield Act(t, "publish", self.community_staff(grid, rng))

    def _handle(self, case: Case, plan: Plan, t: datetime, rng, again=False):
        """Progress, perhaps an extension, urges when late, then resolve."""
        handler = self.handler(case, rng)
        office = handler.pk in self.department_user_ids
        created = case.created_at
        span = case.due_at - created
        if again:
            resolve_at = self.after(t, rng, 60 * 3, 60 * 24 * 3, office=office)
        elif span <= timedelta(hours=6):
            late = rng.random() < 0.12
            minutes = rng.uniform(130, 480) if late else rng.uniform(15, 80)
            resolve_at = self.at_work(
                max(t + timedelta(minutes=10), created + timedelta(minutes=minutes)), rng, office
            )
        else:
            late = rng.random() < 0.12 or "extension" in plan.force
            share = rng.uniform(1.02, 1.5) if late else rng.uniform(0.15, 0.8)
            resolve_at = self.at_work(
                max(t + timedelta(minutes=30), created + span * share), rng, office
            )
        # Progress notes on the way.
        steps = rng.choice([0, 1, 1, 2]) if resolve_at - t > timedelta(hours=6) else 0
        for i in range(steps):
            moment = self.at_work(t + (resolve_at - t) * (i + 1) / (steps + 2), rng, office)
            if moment < resolve_at:
                case = yield Act(
                    moment, "progress", handler, {"note": rng.choice(texts.PROGRESS_NOTES)}
                )
                t = moment
        if (
            resolve_at > case.due_at
            and span > timedelta(hours=6)
            and (rng.random() < 0.6 or "extension" in plan.force)
        ):
            ask = self.at_work(
                max(t + timedelta(minutes=10), case.due_at - timedelta(hours=30)), rng, office
            )
            if ask < resolve_at and ask < case.due_at:
                case = yield Act(
                    ask,
                    "request_extension",
                    handler,
                    {
                        "reason": rng.choice(texts.EXTENSION_REASONS),
                        "working_days": rng.randint(3, 5),
                    },
                )
                t = self.after(ask, rng, 30, 60 * 6, office=True)
                approve = rng.random() < 0.85 or "extension" in plan.force
                case = yield Act(
                    t,
                    "approve_extension",
                    self.supervisor(self.nodes[case.handling_node_id], rng),
                    {
                        "approve": approve,
                        "note": "同意延期" if approve else "不同意延期,请按时办结",
                    },
                )
        if resolve_at > case.due_at:
            urge_at = self.at_work(
                max(t, case.due_at) + timedelta(minutes=rng.uniform(30, 600)), rng, False
            )
            if urge_at < resolve_at:
                case = yield Act(
                    urge_at,
                    "urge",
                    self.community_staff(plan.grid, rng),
                    {"note": rng.choice(texts.URGE_NOTES)},
                )
                t = urge_at
                if rng.random() < 0.5:
                    t = self.after(t, rng, 60, 60 * 8, office=True)
                    if t < resolve_at:
                        case = yield Act(
                            t,
                            "supervise",
                            self.supervisor(self.nodes[case.handling_node_id], rng),
                            {"note": rng.choice(texts.SUPERVISE_NOTES)},
                        )
        resolve_at = max(resolve_at, t + timedelta(minutes=5))
        result = self._result(case.category or plan.category)
        case = yield Act(resolve_at, "resolve", self.handler(case, rng), {"result": result})
        return case

    @staticmethod
    def _result(category: MatterCategory) -> str:
        entry = texts.MATTERS.get(category.code)
        if entry is not None:
            return entry[2]
        return texts.GENERIC_RESULT.format(name=category.name)

    def _summoned(self, plan: Plan, target, rng) -> list[Department]:
        chosen = []
        if plan.pending_whistle is not None:
            chosen.append(plan.pending_whistle)
        if target.department is not None and target.department not in chosen:
            chosen.append(target.department)
        others = [d for d in self.departments if d not in chosen]
        rng.shuffle(others)
        while len(chosen) < min(len(self.departments), rng.randint(2, 3)):
            chosen.append(others.pop())
        return chosen

    def _report_ins(self, summoned, t, rng, skip=None, force_late=False) -> list[Act]:
        acts = []
        for department in summoned:
            if department == skip:
                continue
            # Summoned units answer within hours, on any day; some come late.
            late = rng.random() < 0.15 or (force_late and not acts)
            hours = (
                rng.uniform(self.report_in_hours + 1, self.report_in_hours * 2)
                if late
                else rng.uniform(0.3, min(8, self.report_in_hours * 0.5))
            )
            acts.append(
                Act(
                    self.at_work(t + timedelta(hours=hours), rng, office=False),
                    "report_in",
                    self.department_user(department, rng),
                    {"note": rng.choice(texts.REPORT_IN_NOTES)},
                    guard=_still_working,
                )
            )
        return acts

    def _nags(self, case: Case, plan: Plan, t: datetime) -> list[Act]:
        """Urges and supervision for a case left lying after its deadline."""
        rng = plan.rng
        acts = []
        if case.due_at is None:
            return acts
        urge_at = self.at_work(
            max(t, case.due_at) + timedelta(hours=rng.uniform(1, 20)), rng, False
        )
        acts.append(
            Act(
                urge_at,
                "urge",
                self.community_staff(plan.grid, rng),
                {"note": rng.choice(texts.URGE_NOTES)},
                guard=_open,
            )
        )
        if rng.random() < 0.7:
            node = self.nodes[case.handling_node_id]
            supervise_at = self.at_work(urge_at + timedelta(hours=rng.uniform(4, 48)), rng, True)
            acts.append(
                Act(
                    supervise_at,
                    "supervise",
                    self.supervisor(node, rng),
                    {"note": rng.choice(texts.SUPERVISE_NOTES)},
                    guard=_open,
                )
            )
        return acts


def _open(case: Case) -> bool:
    return case.status in OPEN_STATUSES


def _still_working(case: Case) -> bool:
    return case.status in (Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS)
