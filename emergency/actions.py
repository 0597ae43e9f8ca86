"""Everything that happens in a 平急转换, each in one transaction with its timeline row and
its notices in the outbox.

- ``do_switch_on``: a holder of ``emergency.switch`` switches a node's subtree to
  emergency mode with a reason. The registered members (在册) whose home grid lies in the
  subtree are called up (one ``CallUp`` each, by home grid), and so are the subtree's
  teams and their members. The subtree's staff who command (``emergency.command``) and the
  called-up members with accounts are told through the outbox. One switch per subtree at
  a time: the same node again is 409 ``already_active``; a node above or below an active
  one is 409 ``nested_activation`` (refused, not merged: end the other first, or widen by
  switching the node above after ending it — one activation owns each member's call-up).
- ``do_end_emergency`` (workflow ``ACTIVATIONS``: active → ended): back to peacetime.
- ``do_give_task``: a holder of ``emergency.command`` gives a task (what, where, when) to
  a grid's called-up members or to a team.
- ``do_check_in`` (workflow ``CALLUPS``: called → checked_in): the member from their phone,
  or a commander for them; with the time and an optional position.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from emergency.models import (
    Activation,
    ActivationEvent,
    ActivationStatus,
    CallUp,
    CallUpEvent,
    CallUpStatus,
    Task,
    Team,
)
from emergency.permissions import (
    COMMAND,
    SWITCH,
    holds_activation,
    holds_callup,
    may_command,
    may_switch,
)
from emergency.transitions import (
    ACTIVATION_NAMES,
    ACTIVATION_TABLE,
    CALLUP_NAMES,
    CALLUP_TABLE,
)
from gridgov import workflow
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from members.models import Registration, RegistrationStatus
from org.codes import ancestor_prefixes, subtree_q
from org.models import OrgNode, User
from org.permissions import active_table, duties_with
from outbox.notify import notify

REASON_LENGTH = 200


def _staff(node_code: str):
    """Whom a switch is announced to: everyone seated in the subtree whose duty holds any
    verb (its staff and forces, not its residents), and those above it who command
    (``emergency.command``)."""
    table = active_table()
    working = [duty for duty, verbs in table.items() if verbs]
    commanding = duties_with(COMMAND)
    seats = Q(
        subtree_q(node_code, "assignments__node__code"), assignments__role__duty__in=working
    ) | Q(
        assignments__node__code__in=ancestor_prefixes([node_code]),
        assignments__role__duty__in=commanding,
    )
    return User.objects.filter(seats, is_active=True).distinct()


def _announce(activation: Activation, event: str, users, title: str, body: str, at) -> None:
    """Tell ``users`` of ``activation``, each with a link they can open: staff of 平急转换
    (``emergency.switch`` / ``emergency.command`` somewhere, ``works_emergencies``) the
    roll-call; called-up members 我的应急任务; the other forces the text alone (the
    roll-call would answer them 403)."""
    ids = {user.pk for user in users}
    staff = set(
        User.objects.filter(
            pk__in=ids, assignments__role__duty__in={*duties_with(SWITCH), *duties_with(COMMAND)}
        ).values_list("pk", flat=True)
    )
    members = set(_member_users(activation).values_list("pk", flat=True)) - staff
    rest = ids - staff - members
    for group, url in ((staff, None), (members, "/emergency/mine/"), (rest, "")):
        if group:
            who = User.objects.filter(pk__in=group)
            notify(activation, event, who, title, body, at=at, url=url)


def _member_users(activation: Activation):
    return User.objects.filter(
        registrations__callups__activation=activation, is_active=True
    ).distinct()


@transaction.atomic
def do_switch_on(*, actor, node_code: str, reason: str, at: datetime | None = None) -> Activation:
    """Switch the subtree of ``node_code`` to emergency mode; returns the activation.
    400 for an unknown node or an empty reason, 403 without ``emergency.switch`` there,
    409 ``already_active`` / ``nested_activation``."""
    node = OrgNode.objects.filter(code=str(node_code or "").strip()).first()
    if node is None:
        raise InvalidInput("没有这个组织节点", errors={"node": ["无效"]})
    if not may_switch(actor, node.code):
        raise NotPermitted("您不能对这个范围进行平急转换")
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput("请填写转换事由", errors={"reason": ["不能为空"]})
    now = at or timezone.now()
    active = Activation.objects.select_for_update().filter(status=ActivationStatus.ACTIVE)
    if active.filter(node=node).exists():
        raise Conflict(f"{node.name}已处于应急状态", code="already_active")
    other = (
        active.filter(
            subtree_q(node.code, "node__code") | Q(node__code__in=ancestor_prefixes([node.code]))
        )
        .select_related("node")
        .first()
    )
    if other is not None:
        raise Conflict(
            f"{other.node.name}已处于应急状态，与{node.name}范围重叠：请先恢复平时",
            code="nested_activation",
        )
    try:
        with transaction.atomic():
            activation = Activation.objects.create(
                node=node, reason=reason[:REASON_LENGTH], started_at=now, started_by=actor
            )
    except IntegrityError:
        raise Conflict(f"{node.name}已处于应急状态", code="already_active") from None
    called = _call_up(activation, now)
    ActivationEvent.objects.create(
        activation=activation,
        action="switch",
        actor=actor,
        at=now,
        from_status="",
        to_status=activation.status,
        note=activation.reason,
        data=called,
    )
    title = f"{node.name}转入应急状态"
    _announce(activation, "emergency_switched", _staff(node.code), title, activation.reason, now)
    notify(
        activation,
        "emergency_called_up",
        _member_users(activation),
        f"{title}：请到居住地网格报到签到",
        activation.reason,
        at=now,
        url="/emergency/mine/",
    )
    return activation


def _call_up(activation: Activation, now) -> dict:
    """One call-up per registered member living in the subtree, and per member of the
    subtree's teams; the teams themselves are recorded on the activation."""
    code = activation.node.code
    teams = list(Team.objects.filter(subtree_q(code, "node__code")))
    activation.teams.set(teams)
    team_of = {}
    for team_id, registration_id in Team.members.through.objects.filter(team__in=teams).values_list(
        "team_id", "registration_id"
    ):
        team_of.setdefault(registration_id, team_id)
    registrations = Registration.objects.filter(status=RegistrationStatus.ACTIVE).filter(
        subtree_q(code, "home_grid__code") | Q(pk__in=team_of)
    )
    rows = [
        CallUp(
            activation=activation,
            registration_id=pk,
            grid_id=grid_id,
            team_id=team_of.get(pk),
            called_at=now,
        )
        for pk, grid_id in registrations.values_list("pk", "home_grid_id")
    ]
    CallUp.objects.bulk_create(rows, batch_size=1000)
    return {"callups": len(rows), "teams": len(teams)}


class ActivationWorkflow(workflow.Workflow):
    model = Activation
    event_model = ActivationEvent
    subject_field = "activation"
    table = ACTIVATION_TABLE
    names = ACTIVATION_NAMES
    noun = "应急状态"
    select_related = ("node",)

    def __init__(self):
        self.handlers = {"end": _end}
        super().__init__()

    def holds(self, actor, activation, relation, action, context):
        return holds_activation(actor, activation, relation)

    def notify(self, activation, event, users, title, body, at):
        _announce(activation, event, users, title, body, at)

    def refuse_transition(self, activation, action):
        raise Conflict(f"{activation.node.name}已恢复平时", code="emergency_ended")


def _end(step: workflow.Step):
    activation = step.obj
    step.note = str(step.data.get("note", "")).strip()[:200]
    step.set(ended_at=step.now, ended_by=step.actor)
    checked = activation.callups.filter(status=CallUpStatus.CHECKED_IN).count()
    step.event_data = {"checked_in": checked, "callups": activation.callups.count()}
    users = list(_staff(activation.node.code)) + list(_member_users(activation))
    step.tell("emergency_ended", users, f"{activation.node.name}已恢复平时", step.note)


class CallUpWorkflow(workflow.Workflow):
    model = CallUp
    event_model = CallUpEvent
    subject_field = "callup"
    table = CALLUP_TABLE
    names = CALLUP_NAMES
    noun = "召集"
    version_required = False  # a tap on 签到 races on the state, not on what the page showed
    select_related = ("activation", "registration", "grid")

    def __init__(self):
        self.handlers = {"check_in": _check_in}
        super().__init__()

    def holds(self, actor, callup, relation, action, context):
        return holds_callup(actor, callup, relation)

    def notify(self, callup, event, users, title, body, at):
        notify(callup, event, users, title, body, at=at)

    def refuse_transition(self, callup, action):
        raise Conflict("已经签到过了", code="already_checked_in")


def _coordinate(value, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("位置格式不对", errors={"lng": ["应为数字"]}) from None
    if not low <= number <= high:
        raise InvalidInput("位置超出范围", errors={"lng": ["超出范围"]})
    return number


def _check_in(step: workflow.Step):
    callup = step.obj
    if callup.activation.status != ActivationStatus.ACTIVE:
        raise Conflict("应急状态已结束，不能再签到", code="emergency_ended")
    lng = _coordinate(step.data.get("lng"), -180, 180)
    lat = _coordinate(step.data.get("lat"), -90, 90)
    step.set(checked_in_at=step.now, checked_in_by=step.actor, lng=lng, lat=lat)
    by_self = callup.registration.user_id == step.actor.pk
    step.event_data = {"by": "self" if by_self else "staff", "lng": lng, "lat": lat}
    if not by_self and callup.registration.user_id:
        step.tell("emergency_checked_in", [callup.registration.user], "工作人员已为您签到")


ACTIVATIONS = ActivationWorkflow()
CALLUPS = CallUpWorkflow()


def do_end_emergency(pk: int, *, actor, version=None, note: str = "", at=None) -> Activation:
    """Back to peacetime (``ACTIVATIONS.apply``): 403 without ``emergency.switch`` at the
    node, 409 when already ended or ``version`` is stale."""
    return ACTIVATIONS.apply(pk, "end", actor=actor, version=version, data={"note": note}, at=at)


def do_check_in(pk: int, *, actor, lng=None, lat=None, version=None, at=None) -> CallUp:
    """签到 (``CALLUPS.apply``): the member or a commander at the grid; 409 when already
    checked in or the emergency has ended."""
    return CALLUPS.apply(
        pk, "check_in", actor=actor, version=version, data={"lng": lng, "lat": lat}, at=at
    )


@transaction.atomic
def do_give_task(
    activation_pk: int,
    *,
    actor,
    title: str,
    grid_code: str = "",
    team_id: int | None = None,
    place: str = "",
    due_at: datetime | None = None,
    at: datetime | None = None,
) -> Task:
    """A task for the called-up members of a grid, or for a team called up: 400 without a
    title or a target, 403 without ``emergency.command`` at the grid (the team's node),
    409 when the emergency has ended. On the switch's timeline; the members with accounts
    are told."""
    now = at or timezone.now()
    activation = Activation.objects.select_for_update().select_related("node").get(pk=activation_pk)
    if activation.status != ActivationStatus.ACTIVE:
        raise Conflict(f"{activation.node.name}已恢复平时，不能再派任务", code="emergency_ended")
    title = str(title or "").strip()
    if not title:
        raise InvalidInput("请填写任务内容", errors={"title": ["不能为空"]})
    grid = team = None
    if team_id:
        team = activation.teams.filter(pk=team_id).select_related("node").first()
        if team is None:
            raise InvalidInput("这支队伍没有被召集", errors={"team": ["无效"]})
        where = team.node.code
        callups = activation.callups.filter(team=team)
    elif grid_code:
        grid = OrgNode.objects.exclude(grid_kind="").filter(code=str(grid_code).strip()).first()
        if grid is None or not activation.callups.filter(grid=grid).exists():
            raise InvalidInput("这个网格没有召集的人员", errors={"grid": ["无效"]})
        where = grid.code
        callups = activation.callups.filter(grid=grid)
    else:
        raise InvalidInput("请选择网格或队伍", errors={"grid": ["不能为空"]})
    if not may_command(actor, where):
        raise NotPermitted("您不能给这个网格或队伍派任务")
    task = Task.objects.create(
        activation=activation,
        grid=grid,
        team=team,
        title=title[:100],
        place=str(place or "").strip()[:200],
        due_at=due_at,
        created_by=actor,
        created_at=now,
    )
    ids = list(callups.values_list("pk", flat=True))
    task.callups.set(ids)
    ActivationEvent.objects.create(
        activation=activation,
        action="task",
        actor=actor,
        at=now,
        from_status=activation.status,
        to_status=activation.status,
        note=task.title,
        data={
            "task": task.pk,
            "grid": grid.code if grid else "",
            "team": team_id,
            "callups": len(ids),
        },
    )
    users = User.objects.filter(registrations__callups__in=ids, is_active=True).distinct()
    body = "；".join(
        part
        for part in (
            task.place,
            timezone.localtime(due_at).strftime("%m-%d %H:%M") if due_at else "",
        )
        if part
    )
    notify(
        task.activation,
        "emergency_task",
        users,
        f"应急任务：{task.title}",
        body,
        at=now,
        url="/emergency/mine/",
    )
    return task


def rollcall(activation: Activation) -> dict:
    """The roll-call (点名): per grid ``{code, name, called, checked_in, on_task}`` sorted by
    code, and their ``total``; a member is on task when a task went to them."""
    rows = (
        activation.callups.values("grid__code", "grid__name")
        .annotate(
            called=Count("pk", distinct=True),
            checked_in=Count("pk", filter=Q(status=CallUpStatus.CHECKED_IN), distinct=True),
            on_task=Count("pk", filter=Q(tasks__isnull=False), distinct=True),
        )
        .order_by("grid__code")
    )
    grids = [
        {
            "code": row["grid__code"],
            "name": row["grid__name"],
            "called": row["called"],
            "checked_in": row["checked_in"],
            "on_task": row["on_task"],
        }
        for row in rows
    ]
    total = {key: sum(row[key] for row in grids) for key in ("called", "checked_in", "on_task")}
    return {"grids": grids, "total": total}
