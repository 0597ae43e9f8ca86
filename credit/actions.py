"""Every change of credit points, each in one transaction with its ledger entry.

Balances and stock are changed by conditional UPDATEs (``balance >= cost``, ``stock >= 1``):
of two concurrent spends that together exceed the balance, the database lets exactly one
through, on SQLite and on PostgreSQL alike, and the other gets 409.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from credit.models import (
    CreditAccount,
    CreditEntry,
    EntryKind,
    IncentiveRule,
    Redemption,
    RedemptionStatus,
    RuleUnit,
    StockChange,
    StockReason,
    StoreItem,
)
from credit.permissions import can_award, can_cancel, can_settle, can_spend, can_stock
from gridgov.errors import Conflict, InvalidInput, NotPermitted
from gridgov.parsing import form_amount

MAX_QUANTITY = Decimal(100)
# The rule a volunteer order pays its taker with, per hour of service.
VOLUNTEER_RULE = "volunteer_hour"


def _record_stock(item_id: int, delta: int, reason: str, actor, redemption=None) -> int:
    stock = StoreItem.objects.values_list("stock", flat=True).get(pk=item_id)
    StockChange.objects.create(
        item_id=item_id,
        delta=delta,
        stock_after=stock,
        reason=reason,
        actor=actor,
        redemption=redemption,
    )
    return stock


def account_for(resident) -> CreditAccount:
    """The resident's account, opened on first use (safe when two requests race to open it)."""
    account = CreditAccount.objects.filter(resident=resident).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return CreditAccount.objects.create(resident=resident)
    except IntegrityError:
        return CreditAccount.objects.get(resident=resident)


def _points(rule: IncentiveRule, quantity: Decimal) -> int:
    return int((rule.points * quantity).to_integral_value(rounding=ROUND_HALF_UP))


@transaction.atomic
def do_award_points(
    resident,
    rule: IncentiveRule,
    *,
    actor,
    quantity=1,
    note: str = "",
    source: str = "",
    check_permission: bool = True,
) -> CreditEntry:
    """Credit ``resident`` with ``rule``'s points × ``quantity`` (deeds or hours).

    A ``source`` (such as ``order:12``) pays at most once: a second award for the same
    source answers the first entry."""
    if check_permission and not can_award(actor, resident):
        raise NotPermitted(
            "只有本网格、本社区的网格员和社区工作人员可以给居民记积分,且不能给自己记"
        )
    if not rule.is_active:
        raise InvalidInput("这个激励事项已停用", errors={"rule": ["已停用"]})
    quantity = form_amount(quantity)
    if quantity is None or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(
            "数量须大于 0、不超过 100,最多一位小数", errors={"quantity": ["超出范围"]}
        )
    if rule.unit == RuleUnit.DEED and quantity != quantity.to_integral_value():
        raise InvalidInput("按次计的事项数量须为整数", errors={"quantity": ["须为整数"]})
    points = _points(rule, quantity)
    account = account_for(resident)
    if source:
        earlier = CreditEntry.objects.filter(account=account, source=source).first()
        if earlier is not None:
            return earlier
    hours = quantity if rule.unit == RuleUnit.HOUR else 0
    CreditAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + points,
        earned=F("earned") + points,
        volunteer_hours=F("volunteer_hours") + hours,
        updated_at=timezone.now(),
    )
    balance = CreditAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    return CreditEntry.objects.create(
        account=account,
        kind=EntryKind.EARN,
        delta=points,
        balance_after=balance,
        rule=rule,
        quantity=quantity,
        source=source,
        note=note[:200],
        actor=actor,
    )


@transaction.atomic
def do_redeem(account: CreditAccount, item: StoreItem, *, actor) -> Redemption:
    """Spend ``item.cost`` points of ``account`` on one ``item``, taking it from stock."""
    if not can_spend(actor, account, item):
        raise NotPermitted("只能用自己的积分兑换，或由信用超市所在社区的工作人员代为兑换")
    if not item.is_active:
        raise Conflict("这件商品已下架", code="not_available")
    taken = StoreItem.objects.filter(pk=item.pk, is_active=True, stock__gte=1).update(
        stock=F("stock") - 1
    )
    if not taken:
        raise Conflict("这件商品已兑完", code="out_of_stock")
    # The price as it is now that the row is ours, not as the caller read it.
    item = StoreItem.objects.get(pk=item.pk)
    paid = CreditAccount.objects.filter(pk=account.pk, balance__gte=item.cost).update(
        balance=F("balance") - item.cost, updated_at=timezone.now()
    )
    if not paid:
        # Raising rolls the stock back with the rest of the transaction.
        raise Conflict("积分不足", code="insufficient_points")
    balance = CreditAccount.objects.values_list("balance", flat=True).get(pk=account.pk)
    redemption = Redemption.objects.create(account=account, item=item, cost=item.cost, actor=actor)
    _record_stock(item.pk, -1, StockReason.REDEEM, actor, redemption)
    CreditEntry.objects.create(
        account=account,
        kind=EntryKind.SPEND,
        delta=-item.cost,
        balance_after=balance,
        redemption=redemption,
        note=item.name,
        actor=actor,
    )
    return redemption


MAX_STOCK_CHANGE = 10_000


@transaction.atomic
def do_add_store_item(
    node, *, actor, name: str, cost: int, stock: int = 0, description: str = ""
) -> StoreItem:
    """Put goods on a community's credit store."""
    if not can_stock(actor, node):
        raise NotPermitted("信用超市设在社区（或街道），由那里的工作人员管理")
    if not name.strip():
        raise InvalidInput("请填写商品名称", errors={"name": ["不能为空"]})
    if not 0 < cost <= 100_000:
        raise InvalidInput("所需积分须在 1 到 100000 之间", errors={"cost": ["超出范围"]})
    if not 0 <= stock <= MAX_STOCK_CHANGE:
        raise InvalidInput("库存须在 0 到 10000 之间", errors={"stock": ["超出范围"]})
    item = StoreItem.objects.create(
        node=node, name=name.strip()[:60], cost=cost, stock=stock, description=description[:200]
    )
    _record_stock(item.pk, stock, StockReason.ADD, actor)
    return item


@transaction.atomic
def do_restock(item: StoreItem, quantity: int, *, actor) -> StoreItem:
    """Add to (or, negative, take from) the stock; relative, so it never overwrites a
    redemption made meanwhile."""
    if not can_stock(actor, item.node):
        raise NotPermitted("信用超市设在社区（或街道），由那里的工作人员管理")
    if not quantity or abs(quantity) > MAX_STOCK_CHANGE:
        raise InvalidInput(
            "数量须为非零整数，绝对值不超过 10000", errors={"quantity": ["超出范围"]}
        )
    changed = StoreItem.objects.filter(pk=item.pk, stock__gte=max(0, -quantity)).update(
        stock=F("stock") + quantity
    )
    if not changed:
        raise Conflict("库存不足，不能减少这么多", code="out_of_stock")
    _record_stock(item.pk, quantity, StockReason.RESTOCK, actor)
    item.refresh_from_db()
    return item


def _close(redemption: Redemption, status: str, actor) -> None:
    closed = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.PLACED).update(
        status=status, closed_at=timezone.now(), closed_by=actor
    )
    if not closed:
        raise Conflict("这张兑换单已办结", code="already_closed")


@transaction.atomic
def do_fulfil_redemption(redemption: Redemption, *, actor) -> Redemption:
    """The resident collected the goods."""
    if not can_settle(actor, redemption):
        raise NotPermitted("只有这个信用超市所在社区的工作人员可以发放")
    _close(redemption, RedemptionStatus.FULFILLED, actor)
    redemption.refresh_from_db()
    return redemption


@transaction.atomic
def do_cancel_redemption(redemption: Redemption, *, actor, reason: str = "") -> Redemption:
    """Undo a redemption not yet collected: the points go back and the item back into stock."""
    if not can_cancel(actor, redemption):
        raise NotPermitted("只能取消自己的兑换单，或由社区工作人员取消")
    _close(redemption, RedemptionStatus.CANCELLED, actor)
    StoreItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
    _record_stock(redemption.item_id, 1, StockReason.CANCEL, actor, redemption)
    CreditAccount.objects.filter(pk=redemption.account_id).update(
        balance=F("balance") + redemption.cost, updated_at=timezone.now()
    )
    balance = CreditAccount.objects.values_list("balance", flat=True).get(pk=redemption.account_id)
    CreditEntry.objects.create(
        account_id=redemption.account_id,
        kind=EntryKind.REFUND,
        delta=redemption.cost,
        balance_after=balance,
        redemption=redemption,
        note=(reason or "取消兑换")[:200],
        actor=actor,
    )
    redemption.refresh_from_db()
    return redemption
