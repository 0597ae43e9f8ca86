"""Pages of the early warning (预警研判): a node's warnings with their counts by kind and the
weekly patrol-quality table of its grids; a warning's page with its timeline; its actions
(acknowledge, deal with: POSTs that redirect back)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts.models import Warning
from alerts.warnings.queries import (
    bad_query,
    counts_by_kind,
    filter_warnings,
    kind_names,
    may_read,
    node_for,
    parse_week,
    warnings_under,
)
from alerts.warnings.reverse import quality_by_child, week_start
from alerts.warnings.settings import warning_settings
from alerts.warnings.workflow import ACTION_NAMES, EVENT_NAMES, allowed_actions, do_warning_action
from gridgov.errors import ActionError
from gridgov.timeline import timeline_rows
from idempotency.keys import page_once

PAGE_SIZE = 20
STATUS_TABS = [
    ("active", "未处置"),
    ("open", "待处理"),
    ("acknowledged", "已签收"),
    ("dealt", "已处置"),
    ("all", "全部"),
]


def _yesterday():
    """The last day the daily job has run for: the patrol-quality table opens at its week."""
    return timezone.localdate() - dt.timedelta(days=1)


@login_required
def warning_list(request):
    user = request.user
    reason = bad_query(request.GET)
    if reason:
        return render(request, "alerts/warnings/none.html", {"reason": reason}, status=400)
    node = node_for(user, request.GET.get("node"))
    if node is None:
        return render(
            request, "alerts/warnings/none.html", status=404 if request.GET.get("node") else 200
        )
    if not may_read(user, node.code):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "active")
    mine = warnings_under(user, node)
    listed = filter_warnings(mine, kind=kind, status=status).order_by("-last_seen", "-pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    names = kind_names()
    rows = [(w, allowed_actions(user, w), names.get(w.kind, w.kind)) for w in page]
    counts = counts_by_kind(mine)
    week = week_start(parse_week(request.GET.get("week"), _yesterday()))
    by_child, quality = quality_by_child(node, week)
    context = {
        "node": node,
        "ancestors": _ancestors(user, node),
        "kind": kind,
        "status": status,
        "status_tabs": STATUS_TABS,
        "counts": counts,
        "active_total": sum(c["count"] for c in counts),
        "page": page,
        "rows": rows,
        "quality_by_child": by_child,
        "quality": quality,
        "week": week,
        "week_end": week + dt.timedelta(days=6),
        "previous_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7)
        if week + dt.timedelta(days=7) <= timezone.localdate()
        else None,
        "settings": warning_settings(),
    }
    return render(request, "alerts/warnings/list.html", context)


def _ancestors(user, node):
    """The visible nodes above ``node``, for the way back up (a leader going down the tree)."""
    found, current = [], node.parent
    while current is not None:
        found.append(current)
        current = current.parent
    visible = set(
        type(node)
        .objects.restrict(user)
        .filter(pk__in=[n.pk for n in found])
        .values_list("pk", flat=True)
    )
    return [n for n in reversed(found) if n.pk in visible]


@login_required
def warning_detail(request, pk):
    user = request.user
    warning = get_object_or_404(
        Warning.objects.restrict(user).select_related("node", "owner"), pk=pk
    )
    if not may_read(user, warning.node.code):
        raise PermissionDenied
    events = timeline_rows(
        warning.events.select_related("actor").order_by("at", "pk"),
        EVENT_NAMES,
        user,
        system=warning_settings().meeting,
    )
    context = {
        "warning": warning,
        "kind_label": kind_names().get(warning.kind, warning.kind),
        "actions": allowed_actions(user, warning),
        "events": events,
    }
    return render(request, "alerts/warnings/detail.html", context)


@require_POST
@login_required
@page_once
def warning_act(request, pk, action):
    warning = get_object_or_404(Warning.objects.restrict(request.user), pk=pk)
    if action not in ACTION_NAMES:
        messages.error(request, _("没有这个操作。"))
        return redirect("alerts:warning_detail", warning.pk)
    try:
        do_warning_action(
            warning.pk,
            action,
            actor=request.user,
            version=request.POST.get("version"),
            data={"note": request.POST.get("note", "")},
        )
    except ActionError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已%(action)s。") % {"action": ACTION_NAMES[action]})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("alerts:warning_detail", warning.pk)
