"""Pages of the volunteer marketplace: the market, posting an order or a wish, an order's
page with its timeline, and its actions (each a POST that redirects back)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from gridgov.errors import ActionError
from gridgov.parsing import form_int
from gridgov.timeline import timeline_rows
from idempotency.keys import page_once
from org.models import OrgNode
from org.permissions import codes_with, restrict
from participation.actions import (
    EVENT_NAMES,
    allowed_actions,
    do_order_action,
    do_post_order,
)
from participation.filters import OrderFilterSet
from participation.models import OrderKind, OrderStatus, ServiceOrder
from participation.transitions import ACTION_NAMES
from residents.masking import mask_name
from residents.models import Resident

PAGE_SIZE = 20


def _orders(user):
    return ServiceOrder.objects.restrict(user).select_related("node__parent", "requester", "taker")


def _requester_name(order, user) -> str:
    """Masked, except for the requester themselves."""
    if not order.requester_id:
        return ""
    return _("我") if order.requester.user_id == user.pk else mask_name(order.requester.name)


# The market's tabs: a status, everything, what I took, what I asked for.
TABS = [
    ("open", _lazy("待接单")),
    ("taken", _lazy("服务中")),
    ("done", _lazy("待确认")),
    ("confirmed", _lazy("已完成")),
    ("all", _lazy("全部")),
    ("mine", _lazy("我接的单")),
    ("asked", _lazy("我的点单")),
]


@login_required
def market(request):
    user = request.user
    tabs = dict(TABS)
    resident_only = hasattr(user, "resident") and not codes_with(user, "volunteer.take")
    tab = request.GET.get("tab", "")
    if tab not in tabs:
        tab = "asked" if resident_only else "open"
    params = {"kind": request.GET.get("kind", "")}
    if tab in OrderStatus.values:
        params["status"] = tab
    elif tab in ("mine", "asked"):
        params[tab] = "true"
    filterset = OrderFilterSet(params, queryset=_orders(user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, allowed_actions(user, order), _requester_name(order, user)) for order in page]
    context = {
        "page": page,
        "rows": rows,
        "tab": tab,
        "tabs": TABS,
        "kind": params["kind"],
        "may_post": _may_post(user),
    }
    return render(request, "participation/market.html", context)


# Up to this many grids are offered in a list; beyond (a leader's whole city) the grid's
# code is typed instead.
GRID_CHOICES = 800


def _postable_grids(user):
    """The grids the user may post for: a list, or None when there are too many to list."""
    if codes_with(user, "volunteer.post_for") == []:
        return []
    grids = list(
        restrict(OrgNode.objects.exclude(grid_kind=""), user, "volunteer.post_for").order_by(
            "code"
        )[: GRID_CHOICES + 1]
    )
    return None if len(grids) > GRID_CHOICES else grids


@login_required
@page_once
def new_order(request):
    user = request.user
    own = getattr(user, "resident", None)
    requester = None
    resident_id = request.POST.get("resident") or request.GET.get("resident")
    if resident_id:
        pk = form_int(resident_id)
        if pk is None:
            raise Http404
        requester = get_object_or_404(Resident.objects.restrict(user), pk=pk)
        if requester == own:
            requester = None  # a wish of one's own, not one posted for someone
    grids = _postable_grids(user)
    if grids == [] and own is None:
        messages.error(request, _("您的账号既不是居民，也不在网格或社区任职，不能点单。"))
        return redirect("participation:market")
    error = None
    if request.method == "POST":
        try:
            order = do_post_order(
                actor=user,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                grid_code="" if requester else request.POST.get("grid", ""),
                requester_id=requester.pk if requester else None,
            )
        except ActionError as exc:
            error = exc.detail
        else:
            messages.success(request, _("已发布，等待志愿者接单。"))
            return redirect("participation:detail", order.pk)
    context = {
        "requester": requester,
        "grids": grids or [],
        "type_grid": grids is None,
        "own": own,
        "kinds": OrderKind.choices,
        "error": error,
    }
    return render(request, "participation/new.html", context, status=400 if error else 200)


# The forms of an order's page, the usual next step first; handing back and cancelling last.
ACTION_ORDER = ["take", "complete", "confirm", "release", "cancel"]
FORWARD = {"take", "complete", "confirm"}


@login_required
def detail(request, pk):
    user = request.user
    order = get_object_or_404(_orders(user).prefetch_related("events__actor"), pk=pk)
    allowed = set(allowed_actions(user, order))
    requester_user = order.requester.user_id if order.requester_id else None
    # The resident who asked is named as elsewhere on the page: masked.
    events = timeline_rows(
        order.events.all(),
        EVENT_NAMES,
        user,
        who=lambda event: (
            _requester_name(order, user)
            if event.actor_id == requester_user and event.actor_id != user.pk
            else None
        ),
    )
    context = {
        "order": order,
        "actions": [action for action in ACTION_ORDER if action in allowed],
        "forward": FORWARD,
        "events": events,
        "requester_name": _requester_name(order, user),
        "names": ACTION_NAMES,
        "may_post": _may_post(user),
    }
    return render(request, "participation/detail.html", context)


def _may_post(user) -> bool:
    return hasattr(user, "resident") or _postable_grids(user) != []


@require_POST
@login_required
@page_once
def act(request, pk, action):
    order = get_object_or_404(_orders(request.user), pk=pk)
    if action not in ACTION_NAMES:
        messages.error(request, _("没有这个操作。"))
        return redirect("participation:detail", order.pk)
    try:
        do_order_action(
            order.pk,
            action,
            actor=request.user,
            version=request.POST.get("version"),
            data={"hours": request.POST.get("hours", ""), "note": request.POST.get("note", "")},
        )
    except ActionError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已%(action)s。") % {"action": ACTION_NAMES[action]})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("participation:detail", order.pk)
