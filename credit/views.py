"""Pages of credit points: a resident's own points and the store; the keepers' counter
(redemptions to hand out), the stores' stock and the ranking; awards from a person's page.
Every form posts once (``page_once``) and redirects back with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credit.actions import (
    account_for,
    do_add_store_item,
    do_award_points,
    do_cancel_redemption,
    do_fulfil_redemption,
    do_redeem,
    do_restock,
)
from credit.models import (
    CreditAccount,
    IncentiveRule,
    Redemption,
    RedemptionStatus,
    StoreItem,
)
from credit.permissions import can_award, can_stock, keeper_codes, keeps
from gridgov.errors import ActionError
from gridgov.parsing import form_int
from idempotency.keys import page_once
from org.codes import ancestor_prefixes, any_subtree_q
from org.models import LevelKind, OrgNode
from org.permissions import has
from residents.models import Resident

RANKING_SIZE = 10
# A person's own ledger and redemptions, a page at a time.
MINE_PAGE = 20
COUNTER_PAGE = 20
# Beyond this many goods in reach (a leader's whole district), the store is shown one
# store at a time, picked from the list of stores.
STORE_AT_ONCE = 40


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _run(request, call, success: str) -> bool:
    try:
        call()
    except ActionError as error:
        messages.error(request, error.detail)
        return False
    messages.success(request, success)
    return True


def _counter(user):
    """Redemptions waiting at the stores this user keeps."""
    pending = (
        Redemption.objects.restrict(user)
        .filter(status=RedemptionStatus.PLACED)
        .select_related("item__node", "account__resident")
        .order_by("created_at", "pk")
    )
    if user.is_superuser:
        return pending
    kept = keeper_codes(user)
    return pending.filter(any_subtree_q(kept, "item__node__code")) if kept else pending.none()


def _store(request, user):
    """The goods to show: all in reach, or, when that is a whole district's, one store's."""
    items = StoreItem.objects.restrict(user).filter(is_active=True).select_related("node__level")
    if items.count() <= STORE_AT_ONCE:
        return items, [], ""
    stores = list(
        OrgNode.objects.filter(store_items__in=items)
        .annotate(goods=Count("store_items"))
        .order_by("code")
    )
    chosen = request.GET.get("store", "")
    if chosen not in {store.code for store in stores}:
        return items.none(), stores, ""
    return items.filter(node__code=chosen), stores, chosen


@login_required
def index(request):
    user = request.user
    own = getattr(user, "resident", None)
    account = CreditAccount.objects.filter(resident=own).first() if own else None
    items, stores, chosen = _store(request, user)
    keeper = user.is_superuser or bool(keeper_codes(user))
    counter = Paginator(_counter(user), COUNTER_PAGE).get_page(request.GET.get("counter"))
    context = {
        "own": own,
        "account": account,
        "balance": account.balance if account else 0,
        "entries": Paginator(
            account.entries.select_related("rule") if account else [], MINE_PAGE
        ).get_page(request.GET.get("entries")),
        "mine": Paginator(
            Redemption.objects.filter(account__resident=own).select_related("item") if own else [],
            MINE_PAGE,
        ).get_page(request.GET.get("redemptions")),
        "items": [(item, can_stock(user, item.node)) for item in items],
        "stores": stores,
        "chosen_store": chosen,
        # Stores belong to administrative nodes (a community, a street), not to grids.
        "stock_nodes": OrgNode.objects.filter(
            code__in=keeper_codes(user), level__kind=LevelKind.ADMIN
        ),
        "keeper": keeper,
        "counter": counter if keeper else None,
        # The ranking counts what people earned, so spending does not push them down.
        "ranking": CreditAccount.objects.restrict(user)
        .order_by("-earned", "pk")
        .select_related("resident__household__grid")[:RANKING_SIZE]
        if keeper
        else [],
        "rules": IncentiveRule.objects.filter(is_active=True),
    }
    return render(request, "credit/index.html", context)


def person_credit(user, resident) -> dict:
    """What a person's page shows of their credit, and the forms the user may use there."""
    account = CreditAccount.objects.filter(resident=resident).first()
    balance = account.balance if account else 0
    community_items = StoreItem.objects.filter(
        is_active=True, stock__gte=1, node__code__in=ancestor_prefixes([resident.household.code])
    ).select_related("node__level")
    kept_items = [item for item in community_items if can_stock(user, item.node)]
    waiting = Redemption.objects.filter(
        account__resident=resident, status=RedemptionStatus.PLACED
    ).select_related("item__node")
    return {
        "credit_account": account,
        "credit_entries": account.entries.select_related("rule")[:10] if account else [],
        "credit_rules": IncentiveRule.objects.filter(is_active=True)
        if can_award(user, resident)
        else [],
        "credit_keeper": bool(kept_items),
        "credit_items": [item for item in kept_items if item.cost <= balance],
        "credit_waiting": [(r, keeps(user, r.item.node.code)) for r in waiting],
        "may_order_for": has(user, "volunteer.post_for", resident.household.code),
    }


def _visible_resident(user, pk) -> Resident:
    if pk is None:
        raise Http404
    return get_object_or_404(Resident.objects.restrict(user).select_related("household"), pk=pk)


@require_POST
@login_required
@page_once
def award(request, pk):
    resident = _visible_resident(request.user, pk)
    rule = IncentiveRule.objects.filter(pk=form_int(request.POST.get("rule"))).first()
    if rule is None:
        messages.error(request, _("请选择激励事项。"))
    else:
        _run(
            request,
            lambda: do_award_points(
                resident,
                rule,
                actor=request.user,
                quantity=request.POST.get("quantity", "1"),
                note=request.POST.get("note", ""),
            ),
            _("已记积分。"),
        )
    return redirect(reverse("residents:person", args=[resident.pk]) + "#credit")


@require_POST
@login_required
@page_once
def redeem(request):
    user = request.user
    item = StoreItem.objects.restrict(user).filter(pk=form_int(request.POST.get("item"))).first()
    resident_id = form_int(request.POST.get("resident"))
    if resident_id is not None:
        resident = _visible_resident(user, resident_id)
    else:
        resident = getattr(user, "resident", None)
    if item is None or resident is None:
        messages.error(request, _("没有这件商品，或没有可用的积分账户。"))
    else:
        _run(
            request,
            lambda: do_redeem(account_for(resident), item, actor=user),
            _("兑换成功，请到社区领取。"),
        )
    return _back(request, reverse("credit:index") + "#mine")


@require_POST
@login_required
@page_once
def settle(request, pk, action):
    redemption = get_object_or_404(
        Redemption.objects.restrict(request.user).select_related("item__node", "account__resident"),
        pk=pk,
    )
    if action == "fulfil":
        _run(request, lambda: do_fulfil_redemption(redemption, actor=request.user), _("已发放。"))
    elif action == "cancel":
        _run(
            request,
            lambda: do_cancel_redemption(
                redemption, actor=request.user, reason=request.POST.get("reason", "")
            ),
            _("已取消，积分已退回。"),
        )
    else:
        raise Http404
    return _back(request, reverse("credit:index") + "#counter")


@require_POST
@login_required
@page_once
def add_item(request):
    user = request.user
    node = OrgNode.objects.restrict(user).filter(code=request.POST.get("node", "")).first()
    cost = form_int(request.POST.get("cost"))
    stock_text = request.POST.get("stock", "").strip()
    stock = form_int(stock_text) if stock_text else 0
    if node is None or cost is None:
        messages.error(request, _("请选择信用超市并填写所需积分（整数）。"))
    elif stock is None:
        messages.error(request, _("库存须为 0 到 10000 之间的整数。"))
    else:
        _run(
            request,
            lambda: do_add_store_item(
                node,
                actor=user,
                name=request.POST.get("name", ""),
                cost=cost,
                stock=stock,
                description=request.POST.get("description", ""),
            ),
            _("已上架。"),
        )
    return redirect(reverse("credit:index") + f"?store={node.code if node else ''}#store")


@require_POST
@login_required
@page_once
def restock(request, pk):
    item = get_object_or_404(StoreItem.objects.restrict(request.user).select_related("node"), pk=pk)
    quantity = form_int(request.POST.get("quantity"))
    if quantity is None:
        messages.error(request, _("请填写整数：正数为补货，负数为减少库存。"))
    else:
        _run(request, lambda: do_restock(item, quantity, actor=request.user), _("库存已更新。"))
    return redirect(reverse("credit:index") + f"?store={item.node.code}#item-{item.pk}")
