"""Everything that happens to a volunteer order, each in one transaction with its timeline row.

Status changes are conditional UPDATEs on (status, version): when two volunteers take the
same order at once, exactly one UPDATE matches and the other gets 409 ``already_taken``.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit.actions import VOLUNTEER_RULE, do_award_points
from credit.models import IncentiveRule
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from gridgov.parsing import form_amount
from org.models import OrgNode
from org.scoping import in_scope, staff_over
from participation.models import OrderEvent, OrderKind, OrderStatus, ServiceOrder
from participation.permissions import capabilities
from residents.models import Resident

MAX_HOURS = Decimal(24)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    who: frozenset[str]
    name: str
    by_taker: bool = True  # False: the taker may not, whatever else they are


TRANSITIONS = {
    "take": Transition((OrderStatus.OPEN,), OrderStatus.TAKEN, frozenset({"volunteer"}), _("接单")),
    "release": Transition(
        (OrderStatus.TAKEN,), OrderStatus.OPEN, frozenset({"taker", "manager"}), _("退回")
    ),
    "complete": Transition((OrderStatus.TAKEN,), OrderStatus.DONE, frozenset({"taker"}), _("完成")),
    # Points are paid when someone other than the volunteer confirms the hours.
    "confirm": Transition(
        (OrderStatus.DONE,),
        OrderStatus.CONFIRMED,
        frozenset({"requester", "manager"}),
        _("确认完成"),
        by_taker=False,
    ),
    # Also once taken: a volunteer who never comes must not leave the resident stuck.
    "cancel": Transition(
        (OrderStatus.OPEN, OrderStatus.TAKEN),
        OrderStatus.CANCELLED,
        frozenset({"requester", "manager"}),
        _("取消"),
        by_taker=False,
    ),
}
EVENT_NAMES = {
    "post": _("点单"),
    **{key: t.name for key, t in TRANSITIONS.items()},
    "anonymise": _("匿名化"),
}


def _may(user, order: ServiceOrder, transition: Transition, caps: set[str]) -> bool:
    if not transition.by_taker and order.taker_id == user.pk:
        return False
    return bool(caps & transition.who)


def allowed_actions(user, order: ServiceOrder) -> list[str]:
    caps = capabilities(user, order)
    return [
        key
        for key, t in TRANSITIONS.items()
        if order.status in t.sources and _may(user, order, t, caps)
    ]


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
                    "没有这位居民,或不在您的管辖范围内", errors={"requester": ["无效"]}
                )
        if grid_code:
            node = OrgNode.objects.filter(code=grid_code).exclude(grid_kind="").first()
            if node is None or not in_scope(actor, node.code, personal=True):
                raise InvalidInput(
                    "没有这个网格,或不在您的管辖范围内", errors={"grid_code": ["无效"]}
                )
            if requester is not None and requester.household.grid_id != node.pk:
                raise InvalidInput("居民不在这个网格", errors={"grid_code": ["与居民不符"]})
        elif requester is not None:
            node = requester.household.grid
        else:
            raise InvalidInput("请选择网格或居民", errors={"grid_code": ["不能为空"]})
        if not staff_over(actor, node.code):
            raise NotPermitted("只有本网格、本社区的工作人员可以代居民点单")
    order = ServiceOrder.objects.create(
        kind=kind,
        title=title[:100],
        description=description[:2000],
        node=node,
        requester=requester,
        created_by=actor,
    )
    OrderEvent.objects.create(order=order, action="post", to_status=order.status, actor=actor)
    return order


def _hours(data: dict) -> Decimal:
    hours = form_amount(data.get("hours"))
    if hours is None or not 0 < hours <= MAX_HOURS or (hours * 2) % 1:
        raise InvalidInput(
            "服务时长须在 0.5 到 24 小时之间,以半小时计", errors={"hours": ["超出范围"]}
        )
    return hours


@transaction.atomic
def do_order_action(order_id: int, action: str, *, actor, version=None, data=None) -> ServiceOrder:
    """Apply ``action`` to the order: 403 without the capability, 409 when the order is no
    longer in a state the action applies to or ``version`` is stale."""
    data = data or {}
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(f"没有这个动作: {action}", code="unknown_action")
    order = ServiceOrder.objects.select_related("node", "requester", "taker").get(pk=order_id)
    if not _may(actor, order, transition, capabilities(actor, order)):
        raise NotPermitted("您不能对这个订单执行此操作")
    if action == "take" and order.status == OrderStatus.TAKEN:
        # Said before "stale": the volunteer who was too late needs to hear just that.
        raise Conflict("这个订单已被他人接单", code="already_taken")
    if version not in (None, "") and str(version) != str(order.version):
        raise StaleVersion("订单已被他人更新,请刷新后重试")
    if order.status not in transition.sources:
        raise Conflict(f"订单当前为「{order.get_status_display()}」,不能{transition.name}")
    now = timezone.now()
    changes = {"status": transition.target, "version": F("version") + 1}
    if action == "take":
        changes.update(taker=actor, taken_at=now)
    elif action == "release":
        changes.update(taker=None, taken_at=None)
    elif action == "complete":
        changes.update(done_at=now, hours=_hours(data))
    elif action == "confirm" and data.get("hours") not in (None, ""):
        hours = _hours(data)
        if hours > order.hours:
            raise InvalidInput("确认的时长不能多于志愿者填报的时长", errors={"hours": ["超出填报"]})
        changes.update(hours=hours)
    matched = ServiceOrder.objects.filter(
        pk=order.pk, status=order.status, version=order.version
    ).update(**changes)
    if not matched:
        # Another request changed the order between our read and our write.
        if action == "take":
            raise Conflict("这个订单已被他人接单", code="already_taken")
        raise StaleVersion("订单已被他人更新,请刷新后重试")
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=order.status,
        to_status=transition.target,
        actor=actor,
        note=str(data.get("note", ""))[:200],
    )
    order.refresh_from_db()
    if action == "confirm":
        _pay_taker(order, actor)
    return order


def _pay_taker(order: ServiceOrder, actor) -> None:
    """Volunteer hours grow the taker's credit, when the taker is also a resident here."""
    resident = getattr(order.taker, "resident", None)
    rule = IncentiveRule.objects.filter(key=VOLUNTEER_RULE, is_active=True).first()
    if resident is None or rule is None:
        return
    entry = do_award_points(
        resident,
        rule,
        actor=actor,
        quantity=order.hours,
        source=f"order:{order.pk}",
        note=f"志愿服务:{order.title}"[:200],
        check_permission=False,
    )
    ServiceOrder.objects.filter(pk=order.pk).update(points=entry.delta)
    order.points = entry.delta
