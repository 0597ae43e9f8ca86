"""The staff's case pages: the filtered list, the grid worker's queue with the quick
report, the dispatcher's triage console, the supervision board and staff entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import do_case_action, do_create_case
from cases.config import channel_names
from cases.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CaseEvent,
    Light,
    PhotoKind,
    Status,
    light_case,
)
from cases.permissions import LIVE
from cases.photos import MAX_PHOTOS, add_photos
from cases.views.common import (
    URGENT_ORDER,
    actions_for,
    grid_nodes,
    require_page,
    urgency,
    visible_cases,
    workbench,
)
from cases.views.dispatching import action_options, catalogue_groups, suggestions_for
from cases.views.filtering import filter_cases
from cases.views.forms import ReportForm, uploaded_photos
from cases.views.mine import resident_report
from catalog.models import MatterCategory, Tier
from gridgov.errors import ActionError, InvalidInput
from idempotency.keys import page_once
from idempotency.offline import OFFLINE_AT, field_time, offline_fields
from org.codes import any_subtree_q
from org.models import Department, OrgNode
from org.permissions import codes_with, has, restrict

PER_PAGE = 30
TRIAGE_PER_PAGE = 15
# Channels staff enter by hand (the others come from the QR page, the queue, a patrol or
# systems).
MACHINE_CHANNELS = {"qr_code", "grid_report", "patrol", "open311", "api", "resident"}


def _page(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@login_required
def case_list(request):
    """Every case the user may see, filtered with the API's filter set."""
    cases, filters = filter_cases(request, visible_cases(request.user))
    context = {
        "page": _page(request, cases.order_by("-created_at", "-pk"), PER_PAGE),
        "plain": workbench(request.user)["mine"],  # a resident's own list, in their words
        **filters,
    }
    return render(request, "cases/list.html", context)


def _create(request, form, channel, grid_code, **extra):
    """Create a case and its photos in one transaction; the case, or the error."""
    with transaction.atomic():
        photos = uploaded_photos(request)
        case = do_create_case(form.report(channel, grid_code, **extra), actor=request.user)
        add_photos(case, photos, PhotoKind.REPORT)
    return case


def _resolve_on_the_spot(request, case):
    """即办: the case just reported is handled and resolved by its reporter at once, in
    the reporter's transaction (the seeds' 「簡易問題由網格員自辦自結」), through the
    same two actions a case page offers, so the rulebook and the timeline are the same."""
    result = request.POST.get("result", "").strip()
    if not result:
        raise InvalidInput(_("请填写处理结果"), errors={"result": [_("当场办结要写明怎么处理的")]})
    case = do_case_action(
        case.pk, "handle", actor=request.user, version=case.version, data={"note": _("即办")}
    )
    return do_case_action(
        case.pk, "resolve", actor=request.user, version=case.version, data={"result": result}
    )


@login_required
@page_once
def queue(request):
    """A grid worker's cases: held at one of their grids and not closed, most urgent first;
    and the quick report from patrol (发现问题), sent on for triage or, for a simple
    problem put right on the spot, resolved in the same tap (即办).

    The quick report works offline (``data-offline``, idempotency.offline): a report kept
    on the phone is filed when it is sent, so its deadlines run from then, and the time it
    was written there is kept on its 提交 event (``offline_at``)."""
    require_page(request.user, "queue")
    grids = list(grid_nodes(request.user).order_by("code"))
    form = ReportForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    on_the_spot = [g for g in grids if has(request.user, "cases.handle", g.code)]
    if request.method == "POST":
        grid = next((g for g in grids if g.code == request.POST.get("grid")), None)
        resolve = request.POST.get("then") == "resolve"
        if form.is_valid():
            try:
                if grid is None:
                    raise InvalidInput(
                        _("请选择您负责的网格"), errors={"grid": [_("不是您的网格")]}
                    )
                # Kept on the 提交 event when believed (the case's clocks run from now).
                pressed, note = field_time(**offline_fields(request.POST))
                believed = request.POST.get(OFFLINE_AT) and not note
                extra = {"extra": {OFFLINE_AT: pressed.isoformat()}} if believed else {}
                with transaction.atomic():
                    case = _create(request, form, "grid_report", grid.code, **extra)
                    if resolve:
                        case = _resolve_on_the_spot(request, case)
            except ActionError as failure:
                error, status = failure.detail, failure.status
            else:
                if resolve:
                    messages.success(request, _("已当场办结，编号 %s") % case.number)
                    return redirect("cases:queue")
                messages.success(request, _("已提交，编号 %s") % case.number)
                return redirect("cases:detail", pk=case.pk)
        else:
            status = 400
    # A case a department leads is the department's to handle, though it stays in the grid.
    led_elsewhere = Assignment.objects.filter(
        case=OuterRef("pk"),
        role=AssignmentRole.LEAD,
        status__in=LIVE,
        department__isnull=False,
    )
    cases = (
        visible_cases(request.user)
        .filter(handling_node__in=grids)
        .exclude(status__in=[Status.CLOSED, Status.REJECTED])
        .exclude(Exists(led_elsewhere))
        .annotate(urgency=urgency())
        .order_by(*URGENT_ORDER)
    )
    context = {
        "grids": grids,
        "on_the_spot": bool(on_the_spot),
        "page": _page(request, cases, PER_PAGE),
        "form": form,
        "error": error,
        "open_form": request.method == "POST",
        "max_photos": MAX_PHOTOS,
    }
    return render(request, "cases/queue.html", context, status=status)


def _dispatcher_cases(user):
    """Cases in the subtrees where the user takes cases in (``cases.accept``), not just
    the visible ones."""
    cases = visible_cases(user)
    codes = codes_with(user, "cases.accept")
    return cases if codes is None else cases.filter(any_subtree_q(codes, "org_code"))


@login_required
def triage(request):
    """The dispatcher's console: new cases and cases back from a unit, each with the
    suggested category and route, a possible duplicate, and the triage actions."""
    require_page(request.user, "triage")
    returned = Assignment.objects.filter(case=OuterRef("pk"), status=AssignmentStatus.RETURNED)
    waiting = _dispatcher_cases(request.user).filter(status__in=[Status.SUBMITTED, Status.ACCEPTED])
    waiting, filters = filter_cases(request, waiting, statuses=False)
    cases = (
        waiting.select_related("possible_duplicate_of", "grid__parent")
        .prefetch_related(
            Prefetch(
                "assignments", queryset=Assignment.objects.select_related("department", "node")
            ),
        )
        .annotate(was_returned=Exists(returned), urgency=urgency())
        .order_by(*URGENT_ORDER)
    )
    page = _page(request, cases, TRIAGE_PER_PAGE)
    submitted = dict(
        CaseEvent.objects.filter(case__in=[c.pk for c in page], action="submit").values_list(
            "case_id", "data"
        )
    )
    departments = list(Department.objects.all())
    tiers = list(Tier.objects.all())
    catalogue = catalogue_groups()
    rows = []
    for case in page:
        actions = actions_for(request.user, case)
        suggestions = suggestions_for(case, submitted.get(case.pk) or {})
        rows.append(
            {
                "case": case,
                "actions": actions,
                "suggestions": suggestions,
                "shown_suggestions": [
                    s for s in suggestions if not case.category or s["code"] != case.category.code
                ],
                "options": action_options(
                    case,
                    actions,
                    suggestions,
                    catalogue=catalogue,
                    departments=departments,
                    tiers=tiers,
                ),
            }
        )
    return render(request, "cases/triage.html", {"page": page, "rows": rows, **filters})


@login_required
def board(request):
    """Supervision (督办): yellow and red open cases in scope, with the counts per light."""
    require_page(request.user, "board")
    open_cases = visible_cases(request.user).filter(status__in=OPEN_STATUSES)
    now = timezone.now()
    counts = dict(
        open_cases.annotate(light_now=light_case(now))
        .values_list("light_now")
        .annotate(n=Count("pk"))
        .values_list("light_now", "n")
    )
    urged, filters = filter_cases(
        request, open_cases.lit([Light.RED, Light.YELLOW], now), statuses=False
    )
    cases = (
        urged.prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("node"))
        )
        .annotate(urgency=urgency())
        .order_by(*URGENT_ORDER)
    )
    page = _page(request, cases, PER_PAGE)
    rows = [(case, actions_for(request.user, case)) for case in page]
    context = {
        "page": page,
        "rows": rows,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Light.choices],
        **filters,
    }
    return render(request, "cases/board.html", context)


# Up to this many grids are offered in a list; beyond (a district's 600) the code is typed.
GRID_CHOICES = 800


@login_required
def new_case(request):
    """Staff entry of a case from the hotline, the mailbox, a visit (六个一)…; who files
    cases as the public (a resident) gets their own report form instead."""
    if workbench(request.user)["mine"]:
        return resident_report(request)
    channels = {
        code: name for code, name in channel_names().items() if code not in MACHINE_CHANNELS
    }
    grids = list(
        restrict(OrgNode.objects.exclude(grid_kind=""), request.user, "cases.report").order_by(
            "code"
        )[: GRID_CHOICES + 1]
    )
    if len(grids) > GRID_CHOICES:  # a district's or a city's: the code is typed instead
        grids = None
    form = ReportForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST":
        channel = request.POST.get("channel", "")
        grid_code = request.POST.get("grid") or None
        category_code = request.POST.get("category_code") or None
        if form.is_valid():
            try:
                if channel not in channels:
                    raise InvalidInput(_("请选择渠道"), errors={"channel": [_("请选择")]})
                case = _create(request, form, channel, grid_code, category_code=category_code)
            except ActionError as failure:
                error, status = failure.detail, failure.status
            else:
                messages.success(request, _("已登记，编号 %s") % case.number)
                return redirect("cases:detail", pk=case.pk)
        else:
            status = 400
    context = {
        "form": form,
        "channels": channels,
        "grids": grids,
        "categories": MatterCategory.objects.filter(is_active=True).order_by("group", "code"),
        "error": error,
        "max_photos": MAX_PHOTOS,
    }
    return render(request, "cases/new.html", context, status=status)
