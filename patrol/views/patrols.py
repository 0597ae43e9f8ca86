"""Patrol pages: 今日巡查 (the worker's day: start/end, findings, today's hours against the
standard, this week), a patrol's page (track on the map, findings, timeline) and the
week of a community's grids.

The start, end and finding forms are plain POST forms with a one-time token
(``page_once``) and ``data-offline``: queued offline, they come back with ``offline_at`` and
``offline_sent_at`` (``idempotency.offline.field_time``). A refusal is the page again with
the form, the reason and what was typed, answered 4xx (400/403/409): its token is not used
up, so the offline queue shows 「被退回：…」 and the person corrects it and sends it again
(a ``messages.error`` and a redirect would be answered as done). Only the track needs
JavaScript.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.photos import MAX_PHOTOS
from gridgov.errors import ActionError
from gridgov.timeline import timeline_rows
from idempotency.keys import page_once
from idempotency.offline import offline_fields
from org.models import OrgNode
from org.permissions import codes_with, has
from org.queries import ancestors, visible_node
from patrol import standards
from patrol.models.patrols import Finding, FindingKind, Patrol, PatrolStatus
from patrol.patrols import (
    VERB,
    allowed_actions,
    collected_kinds,
    do_patrol_action,
    do_report_finding,
    do_start_patrol,
    hours_of,
    open_patrol,
    patrol_grids,
    track_points,
)
from patrol.transitions_patrol import EVENT_NAMES

RECENT = 10
WEEK_GRIDS_PER_PAGE = 50


def _kinds():
    names = dict(FindingKind.choices)
    return [(kind, names[kind]) for kind in [FindingKind.PROBLEM, *collected_kinds()]]


def _map_data(grid, patrol=None) -> dict:
    data = {
        "boundary": grid.geometry,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        "track": [],
        "findings": [],
    }
    if patrol is not None:
        data["track"] = [[p[1], p[2]] for p in track_points(patrol)]
        data["findings"] = [
            {"lat": f.lat, "lng": f.lng, "label": f.get_kind_display()}
            for f in patrol.findings.all()
            if f.lat is not None
        ]
    return data


@login_required
def today(request):
    """今日巡查: the worker's open patrol or the start button, today's hours against the
    standard, this week, recent patrols."""
    if codes_with(request.user, VERB) == []:
        raise PermissionDenied("您没有巡查的职责")
    return render(request, "patrol/patrols/today.html", _today_context(request.user))


def _today_context(user) -> dict:
    grids = list(patrol_grids(user)[:200])
    current = open_patrol(user)
    week = standards.worker_week(user)
    today_row = next(d for d in week["days"] if d["date"] == standards.local_day(timezone.now()))
    recent = (
        Patrol.objects.filter(worker=user).select_related("grid").order_by("-started_at")[:RECENT]
    )
    return {
        "grids": grids,
        "current": current,
        "current_hours": round(hours_of(current), 1) if current else 0,
        "week": week,
        "today": today_row,
        "recent": [(p, round(hours_of(p), 1)) for p in recent],
        "kinds": _kinds(),
        "max_photos": MAX_PHOTOS,
        "track_config": {"patrol": current.pk, "url": _points_url(current)} if current else None,
        "finding_next": reverse("patrol:today"),
    }


def _refused(request, error: ActionError, form: str, patrol=None):
    """The page the refused ``form`` (``start``, ``end``, ``finding``) was on, again, with
    the reason and what was typed, answered ``error.status`` (400/403/409): the patrol's
    page when the form came from there, else 今日巡查."""
    refusal = {
        "form": form,
        "detail": error.detail,
        "errors": error.errors,
        "input": request.POST,
        "photos_lost": bool(_photos(request)),
    }
    on_detail = patrol is not None and request.POST.get("next") == reverse(
        "patrol:detail", args=[patrol.pk]
    )
    if on_detail:
        patrol = get_object_or_404(_shown(request.user), pk=patrol.pk)  # as it is now
        context = _detail_context(request.user, patrol)
        template = "patrol/patrols/detail.html"
    else:
        context = _today_context(request.user)
        template = "patrol/patrols/today.html"
    context.update(refusal=refusal, open_finding=form == "finding")
    return render(request, template, context, status=error.status)


def _points_url(patrol) -> str:
    return reverse("api:patrol-points", args=[patrol.pk])


def _back(request, fallback):
    """To the form's ``next`` (the patrol's page or 今日巡查) when it is one of ours."""
    target = request.POST.get("next", "")
    if target.startswith("/patrol/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@login_required
@page_once
def start(request):
    try:
        patrol = do_start_patrol(
            actor=request.user,
            grid_code=request.POST.get("grid", ""),
            **offline_fields(request.POST),
        )
    except ActionError as error:
        return _refused(request, error, "start")
    messages.success(request, f"已开始巡查：{patrol.grid.name}")
    return redirect("patrol:today")


def _patrols(user):
    return Patrol.objects.restrict(user).select_related("grid", "worker")


@require_POST
@login_required
@page_once
def end(request, pk):
    patrol = get_object_or_404(_patrols(request.user), pk=pk)
    action = "cancel" if request.POST.get("action") == "cancel" else "end"
    try:
        patrol = do_patrol_action(
            patrol.pk,
            action,
            actor=request.user,
            version=request.POST.get("version"),
            **offline_fields(request.POST),
        )
    except ActionError as error:
        return _refused(request, error, "end")
    if action == "end":
        messages.success(request, f"巡查已结束，本次 {hours_of(patrol):.1f} 小时")
    else:
        messages.success(request, "巡查已取消")
    return redirect("patrol:today")


@require_POST
@login_required
@page_once
def finding(request, pk):
    patrol = get_object_or_404(_patrols(request.user), pk=pk)
    try:
        with transaction.atomic():
            found = do_report_finding(
                patrol.pk,
                actor=request.user,
                kind=request.POST.get("kind", ""),
                text=request.POST.get("text", ""),
                title=request.POST.get("title", ""),
                lat=request.POST.get("lat") or None,
                lng=request.POST.get("lng") or None,
                household_code=request.POST.get("household", ""),
                photos=_photos(request) if request.POST.get("kind") == "problem" else (),
                **offline_fields(request.POST),
            )
    except ActionError as error:
        return _refused(request, error, "finding", patrol)
    if found.case_id:
        messages.success(request, f"已立案，编号 {found.case.number}")
    else:
        messages.success(request, f"已记录{found.get_kind_display()}信息")
    if found.time_note:
        messages.info(request, found.time_note)
    return _back(request, reverse("patrol:today"))


def _photos(request) -> list:
    """The chosen photos (a case takes at most ``MAX_PHOTOS``: ``cases.photos.add_photos``)."""
    return [upload for upload in request.FILES.getlist("photos") if upload.size]


@login_required
def detail(request, pk):
    patrol = get_object_or_404(_shown(request.user), pk=pk)
    return render(request, "patrol/patrols/detail.html", _detail_context(request.user, patrol))


def _shown(user):
    """Patrols with what their page shows."""
    return _patrols(user).prefetch_related("events__actor", "findings__case")


def _detail_context(user, patrol) -> dict:
    events = timeline_rows(patrol.events.all(), EVENT_NAMES, user)
    allowed = allowed_actions(user, patrol)
    return {
        "patrol": patrol,
        "hours": round(hours_of(patrol), 1),
        "events": events,
        "findings": list(patrol.findings.all()),
        "may_end": "end" in allowed,
        "may_report": patrol.worker_id == user.pk and patrol.status == PatrolStatus.ON_PATROL,
        "kinds": _kinds(),
        "max_photos": MAX_PHOTOS,
        "map_data": _map_data(patrol.grid, patrol),
        "crumbs": ancestors(patrol.grid, user) + [patrol.grid],
        "finding_next": reverse("patrol:detail", args=[patrol.pk]),
    }


@login_required
def week(request, code):
    """A node's week of patrols: each grid of its subtree × the days of the week, and the
    workers of those grids one by one (hours a day, days below standard)."""
    user = request.user
    node = visible_node(user, code)
    if not (has(user, "analytics.view", node.code) or has(user, VERB, node.code)):
        raise PermissionDenied("您不能查看这里的巡查统计")
    day = None
    if request.GET.get("week"):
        try:
            day = parse_date(request.GET["week"])
        except ValueError:
            day = None
    grids = OrgNode.objects.filter(code__startswith=node.code).exclude(grid_kind="")
    page = Paginator(grids.order_by("code"), WEEK_GRIDS_PER_PAGE).get_page(request.GET.get("page"))
    summary = standards.grids_week(node.code, day, grids=list(page))
    first = summary["week_start"]
    context = {
        "node": node,
        "crumbs": ancestors(node, user),
        "summary": summary,
        "workers": standards.workers_week(list(page), day),
        "today": standards.local_day(timezone.now()),
        "page": page,
        "previous": (first - timedelta(days=7)).isoformat(),
        "next": (first + timedelta(days=7)).isoformat(),
        "is_current": first == standards.week_of(standards.local_day(timezone.now()))[0],
        "recent_findings": Finding.objects.restrict(user)
        .filter(patrol__grid__code__startswith=node.code)
        .select_related("patrol__grid", "case")
        .order_by("-found_at")[:10],
    }
    return render(request, "patrol/patrols/week.html", context)
