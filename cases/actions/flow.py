"""Every action on a case after intake, through one entry point: ``do_case_action``, which
runs the case workflow (``CASES``) on the one workflow engine (``gridgov.workflow``): lock,
version (409), table (409), relation and verb (403), the action's handler below, one
timeline event and the notices to the outbox, in one transaction.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cases import notify
from cases.config import case_settings
from cases.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseEvent,
    CategorySource,
    PhotoKind,
    Satisfaction,
    Status,
)
from cases.permissions import LIVE, holds, live_lead, verb
from cases.photos import add_photos
from cases.sla import light_for, warn_at_for
from cases.transitions import TABLE
from catalog.calendar import add_working_days
from catalog.deadlines import resolution_due, response_due
from catalog.models import CalendarYear, MatterCategory, Tier
from catalog.routing import route
from gridgov import workflow
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from gridgov.masking import mask_text
from org.models import Department, OrgNode
from org.permissions import codes_with, has

# The longest extension one request may ask (60 working days are about three months).
MAX_EXTENSION = timedelta(days=366)

ACTION_NAMES = {
    "accept": _("受理/签收"),
    "reject": _("不予受理"),
    "claim": _("认领"),
    "handle": _("直接办理"),
    "dispatch": _("派单"),
    "return": _("退单"),
    "whistle": _("吹哨"),
    "report_in": _("报到"),
    "request_extension": _("申请延期"),
    "approve_extension": _("审批延期"),
    "escalate": _("上报上级"),
    "progress": _("记录进展"),
    "resolve": _("办结"),
    "callback": _("回访"),
    "rate": _("评价"),
    "reopen": _("重办"),
    "close": _("销号"),
    "urge": _("催办"),
    "supervise": _("督办"),
    "merge": _("合并"),
    "publish": _("公示"),
    "add_photo": _("补充照片"),
}


class Step(workflow.Step):
    """A case action in progress (``gridgov.workflow.Step``) with the case's own words."""

    @property
    def case(self) -> Case:
        return self.obj

    @property
    def assignments(self) -> list[Assignment]:
        return self.context["assignments"]


def _text(step: Step, name: str, *, required: bool, limit: int = 2000) -> str:
    value = step.data.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{name} 必须是文字", errors={name: ["必须是文字"]})
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写 {name}", errors={name: ["不能为空"]})
    if len(value) > limit:
        raise InvalidInput(f"{name} 太长", errors={name: [f"最多 {limit} 字"]})
    return value


def _own_node(step: Step, action: str) -> OrgNode | None:
    """The actor's deepest node holding the case where they hold the action's verb."""
    codes = [
        c for c in codes_with(step.actor, verb(action)) or [] if step.case.org_code.startswith(c)
    ]
    return OrgNode.objects.filter(code=max(codes, key=len)).first() if codes else None


def _live_lead(step: Step) -> Assignment | None:
    return live_lead(step.assignments)


def _my_assignment(step: Step, role: str, statuses, action: str) -> Assignment | None:
    """The actor's unit's assignment of that role: their department's, or a node's where
    they hold the action's verb (any for a superuser)."""
    name = verb(action)
    for assignment in step.assignments:
        if assignment.role != role or assignment.status not in statuses:
            continue
        if assignment.department_id:
            if has(step.actor, name, department=assignment.department_id):
                return assignment
        elif assignment.node_id and has(step.actor, name, assignment.node.code):
            return assignment
    return None


def _answer(assignment: Assignment, status: str, now, note: str = "") -> None:
    assignment.status = status
    assignment.answered_at = now
    assignment.note = note[:500]
    assignment.save(update_fields=["status", "answered_at", "note"])


def _respond(step: Step) -> None:
    if step.case.responded_at is None:
        step.set(responded_at=step.now)


def _reporter_users(case: Case):
    return [case.reporter_user] if case.reporter_user_id else []


# -- handlers -----------------------------------------------------------------------------


def _accept(step: Step):
    step.note = _text(step, "note", required=False)
    _respond(step)
    if step.case.status == Status.DISPATCHED:
        mine = _my_assignment(step, AssignmentRole.LEAD, [AssignmentStatus.PENDING], "accept")
        if mine is None:
            raise NotPermitted("只有牵头单位可以签收")
        _answer(mine, AssignmentStatus.ACCEPTED, step.now, step.note)
        step.event_data["unit"] = mine.unit_name


def _short(title: str) -> str:
    """A case's title as a notice names it, so a person knows which problem it is about."""
    return title if len(title) <= 30 else title[:29] + "…"


def _reject(step: Step):
    step.note = _text(step, "reason", required=True)
    step.set(closed_at=step.now)
    _respond(step)
    step.tell(
        "case_rejected",
        _reporter_users(step.case),
        f"您反映的「{_short(step.case.title)}」不予受理（{step.case.number}）",
        mask_text(step.note),  # residents are told: masked as on their tracking page
    )


def _take(step: Step):
    node = _own_node(step, "claim") or step.case.handling_node
    step.note = _text(step, "note", required=False)
    step.set(handling_node=node)
    _respond(step)
    step.event_data["node"] = node.code if node else None


def _dispatch(step: Step):
    case = step.case
    step.note = _text(step, "note", required=False)
    if "category_code" in step.data:
        category = MatterCategory.objects.filter(
            code=step.data["category_code"], is_active=True
        ).first()
        if category is None:
            raise InvalidInput("没有这个事项", errors={"category_code": ["事项清单里没有"]})
        step.set(category=category, category_source=CategorySource.PERSON)
        if "tier" not in step.data:
            _set_tier(step, category.default_tier)
    elif case.category_id and case.category_source != CategorySource.PERSON:
        # Dispatching by the category shown (「不变」) confirms it: a training example,
        # and the category's own tier, which a guess was not given (intake).
        step.set(category_source=CategorySource.PERSON)
        if "tier" not in step.data and case.tier_id != case.category.default_tier_id:
            _set_tier(step, case.category.default_tier)
    if "tier" in step.data:
        tier = Tier.objects.filter(code=step.data["tier"]).first()
        if tier is None:
            raise InvalidInput("没有这个办理层级", errors={"tier": ["没有这个层级"]})
        _set_tier(step, tier)
    lead = _unit(step.data.get("lead")) if step.data.get("lead") else None
    if lead is None:
        if case.category is None or case.grid is None:
            raise InvalidInput("请指定牵头单位", errors={"lead": ["没有事项或网格，无法自动派单"]})
        suggestion = route(case.category, case.grid)
        lead = (suggestion.department, None) if suggestion.department else (None, suggestion.node)
    assist = step.data.get("assist") or []
    if not isinstance(assist, list):
        raise InvalidInput("协办单位应为列表", errors={"assist": ["应为列表"]})
    assists = [_unit(unit) for unit in assist]
    for assignment in step.assignments:
        if (
            assignment.role in (AssignmentRole.LEAD, AssignmentRole.ASSIST)
            and assignment.status in LIVE
        ):
            _answer(assignment, AssignmentStatus.WITHDRAWN, step.now, "重新派单")
    created = [
        Assignment(
            case=case,
            department=lead[0],
            node=lead[1],
            role=AssignmentRole.LEAD,
            created_at=step.now,
        )
    ]
    created += [
        Assignment(case=case, department=d, node=n, role=AssignmentRole.ASSIST, created_at=step.now)
        for d, n in assists
    ]
    Assignment.objects.bulk_create(created)
    if lead[1] is not None:
        step.set(handling_node=lead[1])
    _respond(step)
    step.event_data["lead"] = created[0].unit_name
    step.event_data["assist"] = [a.unit_name for a in created[1:]]
    for assignment in created:
        users = (
            notify.department_users([assignment.department_id])
            if assignment.department_id
            else notify.node_staff([assignment.node_id], verb="cases.accept")
        )
        step.tell(
            "case_dispatched",
            users,
            f"新派单（{assignment.get_role_display()}）{case.number}：{case.title}",
        )


def _set_tier(step: Step, tier: Tier) -> None:
    due, warning = resolution_due(tier, step.case.created_at)
    step.set(
        tier=tier,
        due_at=due,
        deadline_warning=warning,
        warn_at=warn_at_for(step.case.created_at, due),
        response_due_at=response_due(tier, step.case.created_at),
    )
    step.set(light=light_for(step.case, step.now))


def _unit(spec) -> tuple[Department | None, OrgNode | None]:
    if not isinstance(spec, dict) or len(spec) != 1 or not ({"department", "node"} & spec.keys()):
        raise InvalidInput(
            '单位格式应为 {"department": 编码} 或 {"node": 编码}', errors={"lead": ["单位格式不对"]}
        )
    if "department" in spec:
        department = Department.objects.filter(code=spec["department"]).first()
        if department is None:
            raise InvalidInput("没有这个部门", errors={"department": [str(spec["department"])]})
        return department, None
    node = OrgNode.objects.filter(code=spec["node"]).first()
    if node is None:
        raise InvalidInput("没有这个节点", errors={"node": [str(spec["node"])]})
    return None, node


def _return(step: Step):
    step.note = _text(step, "reason", required=True)
    mine = _my_assignment(step, AssignmentRole.LEAD, LIVE, "return")
    if mine is None:
        raise NotPermitted("只有牵头单位可以退单")
    _answer(mine, AssignmentStatus.RETURNED, step.now, step.note)
    step.event_data["unit"] = mine.unit_name
    step.tell(
        "case_returned",
        notify.node_staff([step.case.handling_node_id], verb="cases.dispatch"),
        f"{mine.unit_name} 退单 {step.case.number}",
        step.note,
    )


def _whistle(step: Step):
    codes = step.data.get("departments")
    if not isinstance(codes, list) or not codes:
        raise InvalidInput("请选择要吹哨的部门", errors={"departments": ["至少一个部门"]})
    departments = list(Department.objects.filter(code__in=codes))
    if len(departments) != len(set(codes)):
        raise InvalidInput("有部门编码不存在", errors={"departments": ["编码不对"]})
    waiting = {
        a.department_id
        for a in step.assignments
        if a.role == AssignmentRole.WHISTLE and a.status == AssignmentStatus.PENDING
    }
    again = [d.name for d in departments if d.pk in waiting]
    if again:
        raise InvalidInput(
            f"已向{'、'.join(again)}吹哨，正等待报到", errors={"departments": ["已吹哨"]}
        )
    step.note = _text(step, "note", required=False)
    due = step.now + timedelta(hours=case_settings()["report_in_hours"])
    Assignment.objects.bulk_create(
        [
            Assignment(
                case=step.case,
                department=d,
                role=AssignmentRole.WHISTLE,
                created_at=step.now,
                report_in_due_at=due,
            )
            for d in departments
        ]
    )
    step.event_data.update(
        departments=[d.name for d in departments], report_in_due_at=due.isoformat()
    )
    step.tell(
        "case_whistle",
        notify.department_users([d.pk for d in departments]),
        f"吹哨报到 {step.case.number}：请于 {timezone.localtime(due):%m-%d %H:%M} 前报到",
        step.note,
    )


def _report_in(step: Step):
    mine = _my_assignment(step, AssignmentRole.WHISTLE, [AssignmentStatus.PENDING], "report_in")
    if mine is None:
        raise NotPermitted("您的部门没有被吹哨")
    step.note = _text(step, "note", required=False)
    _answer(mine, AssignmentStatus.REPORTED_IN, step.now, step.note)
    step.event_data.update(unit=mine.unit_name, late=step.now > mine.report_in_due_at)


def _request_extension(step: Step):
    step.note = _text(step, "reason", required=True)
    if "working_days" in step.data:
        days = step.data["working_days"]
        # bool is an int in Python: ``true`` is not a number of days.
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 60:
            raise InvalidInput("延期天数应为 1–60", errors={"working_days": ["1–60"]})
        # A deadline is the end (24:00) of its last day: count from that day, not the next.
        last_moment = step.case.due_at - timedelta(microseconds=1)
        until, _warning = add_working_days(last_moment, days, timezone.get_current_timezone())
    else:
        try:
            until = parse_datetime(str(step.data.get("until", "")))
        except ValueError:  # well-formed but impossible, such as 30 February
            until = None
        if until is None or timezone.is_naive(until):
            raise InvalidInput(
                "请给出延期到的时间（带时区）或工作日数",
                errors={"until": ["ISO 8601 时间，带时区"]},
            )
    if until <= step.case.due_at:
        raise InvalidInput("延期时间要晚于现在的时限", errors={"until": ["不晚于现时限"]})
    if until > step.case.due_at + MAX_EXTENSION:
        raise InvalidInput("一次最多延期一年，请核对日期", errors={"until": ["超过现时限一年以上"]})
    step.set(extension_requested_until=until)
    step.event_data["until"] = timezone.localtime(until).isoformat()
    step.tell(
        "extension_requested",
        notify.supervisor_users(step.case),
        f"{step.case.number} 申请延期",
        step.note,
    )


def _approve_extension(step: Step):
    until = step.case.extension_requested_until
    if until is None:
        raise Conflict("没有待审批的延期申请", code="no_extension_request")
    approve = step.data.get("approve", True)
    if not isinstance(approve, bool):
        raise InvalidInput("approve 应为 true 或 false", errors={"approve": ["布尔值"]})
    step.note = _text(step, "note", required=False)
    step.set(extension_requested_until=None)
    if approve:
        year_known = CalendarYear.objects.filter(year=timezone.localtime(until).year).exists()
        step.set(
            due_at=until,
            warn_at=warn_at_for(step.case.created_at, until),
            deadline_warning=step.case.deadline_warning or not year_known,
        )
        step.set(light=light_for(step.case, step.now))
    step.event_data.update(approved=approve, until=timezone.localtime(until).isoformat())
    step.tell(
        "extension_decided",
        notify.handler_users(step.case),
        f"{step.case.number} 延期{'已批准' if approve else '未批准'}",
        step.note,
    )


def _escalate(step: Step):
    step.note = _text(step, "reason", required=True)
    current = step.case.handling_node
    if current is None or current.parent_id is None:
        raise Conflict("已经在最高一级，无法再上报", code="cannot_escalate")
    parent = current.parent
    lead = _live_lead(step)
    if lead is not None:
        _answer(lead, AssignmentStatus.WITHDRAWN, step.now, "上报上级")
    step.set(handling_node=parent)
    step.event_data.update(from_node=current.code, to_node=parent.code)
    step.tell(
        "case_escalated",
        notify.node_staff([parent.pk], verb="cases.accept"),
        f"上报 {step.case.number}：{step.case.title}",
        step.note,
    )


def _withdraw_whistles(step: Step, why: str) -> None:
    """Whistles nobody reported in to end with the case's handling: withdrawn, not open."""
    for assignment in step.assignments:
        if (
            assignment.role == AssignmentRole.WHISTLE
            and assignment.status == AssignmentStatus.PENDING
        ):
            _answer(assignment, AssignmentStatus.WITHDRAWN, step.now, why)


def _progress(step: Step):
    step.note = _text(step, "note", required=True)


def _resolve(step: Step):
    result = _text(step, "result", required=True, limit=5000)
    step.note = result
    step.set(result=result, resolved_at=step.now)
    _withdraw_whistles(step, "已办结")
    if step.data.get("photos"):
        photos = add_photos(step.case, step.data["photos"], PhotoKind.RESULT)
        step.event_data["photos"] = [photo.pk for photo in photos]
    lead = _live_lead(step)
    if lead is not None:
        _answer(lead, AssignmentStatus.DONE, step.now, "办结")
    step.tell(
        "case_resolved",
        [
            *_reporter_users(step.case),
            *notify.node_staff([step.case.handling_node_id], verb="cases.callback"),
        ],
        mask_text(f"「{_short(step.case.title)}」已办结（{step.case.number}）"),
        mask_text(result),  # the reporter is told: masked as on their tracking page
    )


def _feedback(step: Step):
    satisfaction = step.data.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise InvalidInput("请选择满意度", errors={"satisfaction": list(Satisfaction.values)})
    step.note = _text(step, "note" if "note" in step.data else "comment", required=False)
    step.set(satisfaction=satisfaction)
    step.event_data["satisfaction"] = satisfaction
    if (
        satisfaction == Satisfaction.UNSATISFIED
        and step.case.reopen_count < case_settings()["reopen_limit"]
    ):
        _reopen_now(step)


def _reopen_now(step: Step):
    """Back to the unit that resolved it (重办): the lead assignment closed by that
    resolution comes alive again; a case the node resolved itself stays with the node."""
    resolver = next(
        (
            a
            for a in step.assignments
            if a.role == AssignmentRole.LEAD
            and a.status == AssignmentStatus.DONE
            and a.answered_at == step.case.resolved_at
        ),
        None,
    )
    if resolver is not None:
        _answer(resolver, AssignmentStatus.ACCEPTED, step.now, "重办")
    step.set(reopen_count=step.case.reopen_count + 1, resolved_at=None)
    step.to = Status.IN_PROGRESS
    step.event_data["reopened"] = True
    step.tell(
        "case_reopened",
        notify.handler_users(step.case),
        f"{step.case.number} 重办",
        step.note,
    )


def _reopen(step: Step):
    step.note = _text(step, "reason", required=True)
    _reopen_now(step)


def _close(step: Step):
    step.note = _text(step, "note", required=False)
    step.set(closed_at=step.now)
    # Residents' words (cases.timeline): 已办完, not the office's 已销号.
    step.tell(
        "case_closed",
        [*_reporter_users(step.case), *_merged_reporters(step.case)],
        mask_text(f"您反映的「{_short(step.case.title)}」已办完（{step.case.number}）"),
        mask_text(f"办理结果：{step.case.result}"),
    )


def _merged_reporters(case: Case) -> list:
    """Reporters of every case merged into this one, also through cases merged in turn."""
    reporters, frontier = [], [case.pk]
    while frontier:
        merged = list(Case.objects.filter(merged_into__in=frontier).select_related("reporter_user"))
        reporters += [c.reporter_user for c in merged if c.reporter_user_id]
        frontier = [c.pk for c in merged]
    return reporters


def _urge(step: Step):
    step.note = _text(step, "note", required=False)
    step.tell(
        "case_urged",
        notify.handler_users(step.case),
        f"催办 {step.case.number}：{step.case.title}",
        step.note,
    )


def _supervise(step: Step):
    step.note = _text(step, "note", required=False)
    step.set(is_supervised=True)
    step.tell(
        "case_supervised",
        [*notify.handler_users(step.case), *notify.supervisor_users(step.case)],
        f"督办 {step.case.number}：{step.case.title}",
        step.note,
    )


def _merge(step: Step):
    target_id = step.data.get("into")
    if not isinstance(target_id, int) or target_id == step.case.pk:
        raise InvalidInput("请给出要并入的案件 id", errors={"into": ["另一个案件的 id"]})
    target = Case.objects.restrict(step.actor).filter(pk=target_id).first()
    if target is None:
        raise InvalidInput("没有这个案件", errors={"into": ["没有这个案件，或不在您的范围"]})
    if target.status not in (*OPEN_STATUSES, Status.RESOLVED) or target.merged_into_id:
        raise Conflict("只能并入未销号的案件", code="merge_target_closed")
    step.note = _text(step, "note", required=False)
    step.set(merged_into=target, closed_at=step.now)
    _withdraw_whistles(step, "已合并")
    step.event_data["into"] = target.number
    step.tell(
        "case_merged",
        _reporter_users(step.case),
        f"您反映的「{_short(step.case.title)}」已与同类诉求 {target.number} 合并办理",
    )


def public_summary(case: Case) -> str:
    """An anonymised summary: category, title and result, with phones, ID and card numbers
    and e-mail addresses masked (``gridgov.masking``). No names, no exact address."""
    category = case.category.name if case.category_id else "其他"
    text = f"【{category}】{case.title}。办理结果：{case.result or '已办结'}"
    return mask_text(text)


def _publish(step: Step):
    summary = _text(step, "summary", required=False) or public_summary(step.case)
    step.set(is_published=True, public_summary=mask_text(summary))


def _add_photo(step: Step):
    """Photos of what the reporter saw, or of the result: those only from the unit holding
    the case or the staff over it, never from the reporter."""
    kind = step.data.get("kind", PhotoKind.REPORT)
    if kind not in PhotoKind.values:
        raise InvalidInput("kind 只能是 report 或 result", errors={"kind": ["report 或 result"]})
    if kind == PhotoKind.RESULT and not step.relations & {"handler", "dispatcher"}:
        raise NotPermitted("办理结果照片只能由办理单位上传")
    uploads = step.data.get("photos") or []
    if not isinstance(uploads, list) or not uploads:
        raise InvalidInput("请上传照片（字段 photos）", errors={"photos": ["至少一张"]})
    photos = add_photos(step.case, uploads, kind)
    step.event_data.update(kind=kind, photos=[photo.pk for photo in photos])


HANDLERS = {
    "accept": _accept,
    "reject": _reject,
    "claim": _take,
    "handle": _take,
    "dispatch": _dispatch,
    "return": _return,
    "whistle": _whistle,
    "report_in": _report_in,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "escalate": _escalate,
    "progress": _progress,
    "resolve": _resolve,
    "callback": _feedback,
    "rate": _feedback,
    "reopen": _reopen,
    "close": _close,
    "urge": _urge,
    "supervise": _supervise,
    "merge": _merge,
    "publish": _publish,
    "add_photo": _add_photo,
}
assert set(HANDLERS) == {action for _, action in TABLE}


class CaseWorkflow(workflow.Workflow):
    model = Case
    event_model = CaseEvent
    subject_field = "case"
    table = TABLE
    handlers = HANDLERS
    names = ACTION_NAMES
    noun = "案件"
    select_related = ("handling_node", "grid", "category", "tier")
    step_class = Step

    def load(self, case, actor, *, reporter_token=None, assignments=None):
        if assignments is None:
            assignments = list(case.assignments.select_related("node", "department"))
        return {"assignments": assignments, "reporter_token": reporter_token}

    def holds(self, actor, case, relation, action, context):
        return holds(
            actor, case, relation, action, context["assignments"], context["reporter_token"]
        )

    def notify(self, case, event, users, title, body, at):
        notify.notify(case, event, users, title, body, at=at)

    def refuse_transition(self, case, action):
        raise Conflict(f"案件{case.get_status_display()}，不能{ACTION_NAMES[action]}")


CASES = CaseWorkflow()


def do_case_action(
    case_id: int, action: str, *, actor, version, data=None, at=None, reporter_token=None
) -> Case:
    """Apply ``action`` to the case (``CASES.apply``). The caller has checked that the actor
    may see it (or holds the case's ``reporter_token``, for a resident without an account)."""
    return CASES.apply(
        case_id,
        action,
        actor=actor,
        version=version,
        data=data,
        at=at,
        reporter_token=reporter_token,
    )


def allowed_actions(user, case: Case, *, reporter_token=None) -> list[str]:
    """The actions ``user`` may take on ``case`` now (the API's ``allowed_actions``)."""
    context = CASES.load(
        case, user, reporter_token=reporter_token, assignments=list(case.assignments.all())
    )
    return CASES.allowed_actions(user, case, context)
