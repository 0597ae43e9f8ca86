"""Everything that happens to a volunteer order, each in one transaction with its timeline row.

Status changes run on the workflow engine (``ORDERS``, the table in
``participation.transitions``): the order row is locked, so when two volunteers take the
same order at once, one takes it and the other gets 409 ``already_taken``.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from credit.actions import VOLUNTEER_RULE, do_award_points
from credit.models import IncentiveRule
from gridgov import workflow
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from gridgov.parsing import form_amount
from org.models import OrgNode
from org.scoping import in_scope
from outbox.notify import notify
from participation.models import OrderEvent, OrderKind, OrderStatus, ServiceOrder
from participation.permissions import holds, may_post_for
from participation.transitions import ACTION_NAMES, TABLE
from residents.models import Resident

MAX_HOURS = Decimal(24)

EVENT_NAMES = {"post": _("点单"), **ACTION_NAMES, "anonymise": _("匿名化")}


@transaction.atomic
def do_post_order(
    *,
    actor,
    kind: str,
    title: str,
    description: str = "",
    grid_code: str = "",
    requester_id: int | None = None,
) -> ServiceOrder:
    """A resident orders a service or makes a wish for themselves; staff post one for a
    resident (or for the grid) in their subtree."""
    if kind not in OrderKind.values:
        raise InvalidInput("类型须为 order 或 wish", errors={"kind": ["无效的类型"]})
    title = title.strip()
    if not title:
        raise InvalidInput("请填写需求", errors={"title": ["不能为空"]})
    own = getattr(actor, "resident", None)
    if requester_id is None and not grid_code and own is not None:
        requester, node = own, own.household.grid
    else:
        requester = None
        if requester_id is not None:
            requester = (
                Resident.objects.restrict(actor)
                .select_related("household__grid")
                .filter(pk=requester_id)
                .first()
            )
            if requester is None:
                raise InvalidInput(
                    "没有这位居民，或不在您的管辖范围内", errors={"requester": ["无效"]}
                )
        if grid_code:
            node = OrgNode.objects.filter(code=grid_code).exclude(grid_kind="").first()
            if node is None:
                raise InvalidInput("没有这个网格", errors={"grid_code": ["无效"]})
            if not may_post_for(actor, node.code):
                raise NotPermitted("只有本网格、本社区的工作人员可以代居民点单")
            if not in_scope(actor, node.code, personal=True):
                raise InvalidInput(
                    "没有这个网格，或不在您的管辖范围内", errors={"grid_code": ["无效"]}
                )
            if requester is not None and requester.household.grid_id != node.pk:
                raise InvalidInput("居民不在这个网格", errors={"grid_code": ["与居民不符"]})
        elif requester is not None:
            node = requester.household.grid
        else:
            raise InvalidInput("请选择网格或居民", errors={"grid_code": ["不能为空"]})
        if not may_post_for(actor, node.code):
            raise NotPermitted("只有本网格、本社区的工作人员可以代居民点单")
    order = ServiceOrder.objects.create(
        kind=kind,
        title=title[:100],
        description=description[:2000],
        node=node,
        requester=requester,
        created_by=actor,
    )
    OrderEvent.objects.create(
        order=order, action="post", to_status=order.status, actor=actor, at=order.created_at
    )
    return order


def _hours(data: dict) -> Decimal:
    hours = form_amount(data.get("hours"))
    if hours is None or not 0 < hours <= MAX_HOURS or (hours * 2) % 1:
        raise InvalidInput(
            "服务时长须在 0.5 到 24 小时之间，以半小时计", errors={"hours": ["超出范围"]}
        )
    return hours


def _note(step: workflow.Step) -> None:
    step.note = str(step.data.get("note", "")).strip()[:200]


def _requester_users(order: ServiceOrder) -> list:
    """Who asked: the resident's account, else whoever posted the order for them."""
    if order.requester_id and order.requester.user_id:
        return [order.requester.user]
    return [order.created_by]


def _take(step: workflow.Step):
    _note(step)
    step.set(taker=step.actor, taken_at=step.now)
    step.tell("order_taken", _requester_users(step.obj), f"「{step.obj.title}」已有志愿者接单")


def _release(step: workflow.Step):
    _note(step)
    taker = step.obj.taker
    step.set(taker=None, taken_at=None)
    users = _requester_users(step.obj) + ([taker] if taker and taker != step.actor else [])
    step.tell("order_released", users, f"「{step.obj.title}」已退回，等待重新接单", step.note)


def _complete(step: workflow.Step):
    _note(step)
    step.set(done_at=step.now, hours=_hours(step.data))
    step.tell(
        "order_done",
        _requester_users(step.obj),
        f"「{step.obj.title}」已完成,请确认服务时长 {step.obj.hours} 小时",
    )


def _confirm(step: workflow.Step):
    _note(step)
    order = step.obj
    if step.data.get("hours") not in (None, ""):
        hours = _hours(step.data)
        if hours > order.hours:
            raise InvalidInput("确认的时长不能多于志愿者填报的时长", errors={"hours": ["超出填报"]})
        step.set(hours=hours)
    points = _pay_taker(order, step.actor)
    if points:
        step.set(points=points)
    step.tell("order_confirmed", [order.taker], f"「{order.title}」已确认完成，获得积分 {points}")


def _cancel(step: workflow.Step):
    _note(step)
    if step.obj.taker_id and step.obj.taker_id != step.actor.pk:
        step.tell("order_cancelled", [step.obj.taker], f"「{step.obj.title}」已取消", step.note)


class OrderWorkflow(workflow.Workflow):
    model = ServiceOrder
    event_model = OrderEvent
    subject_field = "order"
    table = TABLE
    handlers = {
        "take": _take,
        "release": _release,
        "complete": _complete,
        "confirm": _confirm,
        "cancel": _cancel,
    }
    names = ACTION_NAMES
    noun = "订单"
    version_required = False  # a tap on 接单 races on the state, not on what the page showed
    select_related = ("node", "requester__user", "taker", "created_by")

    def holds(self, actor, order, relation, action, context):
        return holds(actor, order, relation)

    def notify(self, order, event, users, title, body, at):
        notify(order, event, users, title, body, at=at)

    def refuse_stale(self, order, action):
        if action == "take" and order.status != OrderStatus.OPEN:
            # Said before "stale": the volunteer who was too late needs to hear just that.
            raise Conflict("这个订单已被他人接单", code="already_taken")
        super().refuse_stale(order, action)

    def refuse_transition(self, order, action):
        if action == "take" and order.status == OrderStatus.TAKEN:
            raise Conflict("这个订单已被他人接单", code="already_taken")
        raise Conflict(f"订单当前为「{order.get_status_display()}」,不能{ACTION_NAMES[action]}")


ORDERS = OrderWorkflow()


def do_order_action(order_id: int, action: str, *, actor, version=None, data=None) -> ServiceOrder:
    """Apply ``action`` to the order (``ORDERS.apply``): 403 without the relation, 409 when
    the order is no longer in a state the action applies to or ``version`` is stale."""
    return ORDERS.apply(order_id, action, actor=actor, version=version, data=data)


def allowed_actions(user, order: ServiceOrder) -> list[str]:
    return ORDERS.allowed_actions(user, order)


def _pay_taker(order: ServiceOrder, actor) -> int:
    """Volunteer hours grow the taker's credit, when the taker is also a resident here;
    the points paid (0 when none)."""
    resident = getattr(order.taker, "resident", None)
    rule = IncentiveRule.objects.filter(key=VOLUNTEER_RULE, is_active=True).first()
    if resident is None or rule is None:
        return 0
    entry = do_award_points(
        resident,
        rule,
        actor=actor,
        quantity=order.hours,
        source=f"order:{order.pk}",
        note=f"志愿服务:{order.title}"[:200],
        check_permission=False,
    )
    return entry.delta
