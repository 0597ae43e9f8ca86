"""Pages of 平急转换: the leader's page (switch a subtree with a reason, the emergencies in
force, registered vs the preset's target), the roll-call (点名) of one emergency with its
live counts, tasks and the switch back, and a member's 我的应急任务 with the check-in."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from emergency.actions import (
    ACTIVATIONS,
    do_check_in,
    do_end_emergency,
    do_give_task,
    do_switch_on,
    rollcall,
)
from emergency.models import ActivationStatus, CallUp, CallUpStatus
from emergency.permissions import (
    COMMAND,
    SWITCH,
    activations_for,
    callups_for,
    works_emergencies,
)
from emergency.preset import emergency_settings
from emergency.transitions import EVENT_NAMES
from gridgov.errors import ActionError
from gridgov.timeline import timeline_rows
from idempotency.keys import page_once
from members.figures import count_registered
from org.codes import any_subtree_q
from org.models import OrgNode
from org.permissions import codes_with, has

# Nodes offered in the switch form (the seat and the administrative nodes under it, down to
# communities); a grid is not switched alone from the page.
NODE_CHOICES = 300
RECENT = 10
STAFF_ONLY = _lazy("平急转换只对有转换、召集职责的工作人员开放；被召集的人请看“我的应急任务”。")


def _switchable(user) -> list[OrgNode]:
    codes = codes_with(user, SWITCH)
    nodes = OrgNode.objects.filter(grid_kind="")
    if codes is not None:
        if not codes:
            return []
        nodes = nodes.filter(any_subtree_q(codes))
    return list(nodes.select_related("level").order_by("code")[:NODE_CHOICES])


def _activations(user):
    """The emergencies whose pages the user may open: staff only (``works_emergencies``,
    else 403 like ``/emergency/``), and only those their scope meets (else 404)."""
    if not works_emergencies(user):
        raise PermissionDenied(STAFF_ONLY)
    return activations_for(user).select_related("node", "started_by")


def _target(user) -> dict:
    """Registered members (在册) under the user's first seat vs the preset's target."""
    codes = codes_with(user, SWITCH) or codes_with(user, COMMAND)
    roots = OrgNode.objects.filter(parent=None).values_list("code", flat=True)
    code = codes[0] if codes else (roots[0] if roots else "")
    target = emergency_settings().registered_members
    node = OrgNode.objects.filter(code=code).first()
    return {"node": node, "registered": count_registered(code) if code else 0, "target": target}


@login_required
@page_once
def index(request):
    user = request.user
    if not works_emergencies(user):
        raise PermissionDenied(STAFF_ONLY)
    error = None
    if request.method == "POST":
        try:
            activation = do_switch_on(
                actor=user,
                node_code=request.POST.get("node", ""),
                reason=request.POST.get("reason", ""),
            )
        except ActionError as exc:
            error = exc.detail
        else:
            messages.success(
                request, _("已转入应急状态，已召集 %(n)s 人。") % {"n": activation.callups.count()}
            )
            return redirect("emergency:rollcall", activation.pk)
    activations = _activations(user)
    context = {
        "nodes": _switchable(user),
        "active": list(activations.filter(status=ActivationStatus.ACTIVE)),
        "recent": list(activations.filter(status=ActivationStatus.ENDED)[:RECENT]),
        "target": _target(user),
        "keeps_register": bool(codes_with(user, "members.manage") or user.is_superuser),
        "error": error,
    }
    return render(request, "emergency/index.html", context, status=400 if error else 200)


def _rollcall_context(user, activation) -> dict:
    return {"activation": activation, "counts": rollcall(activation), "now": timezone.now()}


@login_required
def rollcall_page(request, pk):
    user = request.user
    activation = get_object_or_404(_activations(user), pk=pk)
    counts = rollcall(activation)
    commandable = (
        [row for row in counts["grids"] if has(user, COMMAND, row["code"])]
        if activation.status == ActivationStatus.ACTIVE
        else []
    )
    teams = (
        [
            team
            for team in activation.teams.select_related("node")
            if has(user, COMMAND, team.node.code)
        ]
        if activation.status == ActivationStatus.ACTIVE
        else []
    )
    events = timeline_rows(activation.events.select_related("actor"), EVENT_NAMES, user)
    context = {
        **_rollcall_context(user, activation),
        "may_end": "end" in ACTIVATIONS.allowed_actions(user, activation),
        "grids": commandable,
        "teams": teams,
        "tasks": activation.tasks.select_related("grid", "team").all(),
        "events": events,
    }
    return render(request, "emergency/rollcall.html", context)


@login_required
def counts(request, pk):
    """The roll-call's counts alone, for the page's refresh every few seconds (htmx)."""
    activation = get_object_or_404(_activations(request.user), pk=pk)
    return render(request, "emergency/_counts.html", _rollcall_context(request.user, activation))


def _when(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@require_POST
@login_required
@page_once
def task(request, pk):
    activation = get_object_or_404(_activations(request.user), pk=pk)
    target = request.POST.get("target", "")
    kind, _sep, value = target.partition(":")
    try:
        do_give_task(
            activation.pk,
            actor=request.user,
            title=request.POST.get("title", ""),
            grid_code=value if kind == "grid" else "",
            team_id=int(value) if kind == "team" and value.isdigit() else None,
            place=request.POST.get("place", ""),
            due_at=_when(request.POST.get("due_at", "")),
        )
    except ActionError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("任务已下达。"))
    return redirect("emergency:rollcall", activation.pk)


@require_POST
@login_required
@page_once
def end(request, pk):
    activation = get_object_or_404(_activations(request.user), pk=pk)
    try:
        do_end_emergency(
            activation.pk,
            actor=request.user,
            version=request.POST.get("version"),
            note=request.POST.get("note", ""),
        )
    except ActionError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已恢复平时。"))
    return redirect("emergency:rollcall", activation.pk)


@login_required
def grid_roll(request, pk, code):
    """One grid's call-ups on the roll-call, with 代签到 for a commander there (a member
    without a phone at hand checks in through the staff). Names in full, as on the register
    (``/members/``) and the call-ups API: registered members are named to the staff who
    manage or command them, the only ones who open this page; phones are not shown."""
    user = request.user
    activation = get_object_or_404(_activations(user), pk=pk)
    callups = (
        callups_for(user)
        .filter(activation=activation, grid__code=code)
        .select_related("registration", "team", "grid")
        .order_by("status", "registration__name")
    )
    rows = list(callups)
    if not rows:
        raise Http404
    commands = activation.status == ActivationStatus.ACTIVE and has(user, COMMAND, code)
    context = {
        "activation": activation,
        "grid": rows[0].grid,
        "rows": rows,
        "commands": commands,
    }
    return render(request, "emergency/grid.html", context)


@login_required
def mine(request):
    """我的应急任务: the person's call-ups, those in force first, with their tasks."""
    callups = list(
        CallUp.objects.filter(registration__user=request.user)
        .select_related("activation__node", "grid", "team")
        .prefetch_related("tasks")
        .order_by("activation__status", "-called_at")
    )
    rows = [
        (
            callup,
            callup.activation.status == ActivationStatus.ACTIVE
            and callup.status == CallUpStatus.CALLED,
        )
        for callup in callups
    ]
    return render(request, "emergency/mine.html", {"rows": rows})


@require_POST
@login_required
@page_once
def check_in(request, pk):
    """签到: the member themselves (or a commander at the grid, on the API)."""
    callup = get_object_or_404(callups_for(request.user), pk=pk)
    try:
        do_check_in(
            callup.pk,
            actor=request.user,
            lng=request.POST.get("lng") or None,
            lat=request.POST.get("lat") or None,
        )
    except ActionError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已签到。"))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("emergency:mine")
