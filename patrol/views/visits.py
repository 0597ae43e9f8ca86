"""Pages of household visits: the worker's to-do list (走访待办), the visit form (phone,
quick, ``data-offline``), a visit's page with its needs and their one-tap conversions, and
the community's coverage page (走访覆盖率). Views parse, check, call ``patrol.visits``."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import ActionError
from gridgov.masking import mask_name
from gridgov.parsing import form_int
from idempotency.keys import page_once
from idempotency.offline import offline_fields
from org.models import Household, OrgNode
from org.permissions import has
from patrol.care import care_schedules
from patrol.models import NeedCategory, Visit, VisitOutcome
from patrol.visit_coverage import (
    coverage,
    default_coverage_node,
    grids_under,
    local_today,
    may_see_coverage,
    month_bounds,
    standard,
    todo,
    visit_grids,
)
from patrol.visits import (
    TARGETS,
    VERB,
    NeedHeard,
    do_convert_need,
    do_record_visit,
    readable_visits,
)

PAGE_SIZE = 30
NEED_ROWS = 2  # need rows on the form; more can be added on the visit's page later


def _householder(household) -> str:
    """The householder's masked name (张**), for a list a passer-by may glimpse."""
    residents = list(household.residents.all())
    head = next((r for r in residents if r.is_householder), residents[0] if residents else None)
    return mask_name(head.name) if head else ""


@login_required
def todo_list(request):
    """走访待办: this month's households not yet visited, for the grid chosen (``?grid=``)."""
    user = request.user
    grids = list(visit_grids(user)[:500])
    if not grids:
        raise PermissionDenied(_("您不在网格任职，没有走访任务。"))
    code = request.GET.get("grid", "")
    grid = next((g for g in grids if g.code == code), grids[0])
    today = local_today()
    rows = todo(user, today, grid=grid).prefetch_related("residents")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    cover = coverage([grid], today)[0]
    overdue = care_schedules(user, node_code=grid.code).filter(due_on__lt=today).count()
    context = {
        "grids": grids,
        "grid": grid,
        "page": page,
        "rows": [(h, _householder(h)) for h in page],
        "cover": cover,
        "target": standard(),
        "month": today,
        "overdue": overdue,
        "may_see_coverage": may_see_coverage(user, grid.parent.code if grid.parent else grid.code),
    }
    return render(request, "patrol/visits/todo.html", context)


def _needs_from(post) -> list[NeedHeard]:
    texts = post.getlist("need_text")
    categories = post.getlist("need_category")
    residents = post.getlist("need_resident")
    needs = []
    for index, text in enumerate(texts):
        category = categories[index] if index < len(categories) else ""
        resident = residents[index] if index < len(residents) else ""
        needs.append(NeedHeard(text=text, category=category, resident_id=form_int(resident)))
    return needs


@login_required
@page_once
def visit_new(request):
    """The visit form for one household (``?household=<id>``), plain POST, marked
    ``data-offline``: a queued submission replays with its one-time token and its
    ``offline_at``, and is recorded once."""
    user = request.user
    pk = form_int(request.POST.get("household") or request.GET.get("household"))
    if pk is None:
        return redirect("patrol:visits_todo")
    household = get_object_or_404(
        Household.objects.restrict(user).select_related("grid", "building", "unit"), pk=pk
    )
    if not has(user, VERB, household.code):
        raise PermissionDenied(_("只有本网格的网格员、楼栋长等可以记录入户走访"))
    error = None
    if request.method == "POST":
        try:
            visit = do_record_visit(
                actor=user,
                household_id=household.pk,
                outcome=request.POST.get("outcome", ""),
                notes=request.POST.get("notes", ""),
                met_ids=[form_int(v) for v in request.POST.getlist("met")],
                needs=_needs_from(request.POST),
                **offline_fields(request.POST),
            )
        except ActionError as exc:
            error = exc.detail
        else:
            messages.success(request, _("走访已记录。"))
            if visit.time_note:
                messages.info(request, visit.time_note)
            return redirect("patrol:visit_detail", visit.pk)
    residents = list(household.residents.order_by("-is_householder", "pk"))
    context = {
        "household": household,
        "residents": [(r, mask_name(r.name)) for r in residents],
        "outcomes": VisitOutcome.choices,
        "categories": NeedCategory.choices,
        "need_rows": range(NEED_ROWS),
        "error": error,
        "last": household.visits.order_by("-visited_at").first(),
    }
    return render(request, "patrol/visits/new.html", context, status=400 if error else 200)


@login_required
def visit_detail(request, pk):
    user = request.user
    visit = get_object_or_404(
        readable_visits(user).select_related("household__grid", "visitor"), pk=pk
    )
    may_act = has(user, VERB, visit.household.code)
    may_order = has(user, "volunteer.post_for", visit.household.grid.code)
    needs = visit.needs.select_related("resident", "case", "order", "needs_item")
    context = {
        "visit": visit,
        "met": [mask_name(r.name) for r in visit.met.all()],
        "needs": [(n, mask_name(n.resident.name) if n.resident_id else "") for n in needs],
        "may_act": may_act,
        "may_order": may_order,
        "visitor": visit.visitor.display_name or visit.visitor.username,
        "contacts": visit.care_contacts.count(),
    }
    return render(request, "patrol/visits/detail.html", context)


@require_POST
@login_required
@page_once
def need_convert(request, pk):
    """One tap: the need becomes a case, an order, a wish or a needs-list item (the button's
    ``target``); a second tap lands on the same object."""
    target = request.POST.get("target", "")
    try:
        made, created = do_convert_need(pk, target, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.detail)
        visit_id = (
            readable_visits(request.user).filter(needs__pk=pk).values_list("pk", flat=True).first()
        )
        if visit_id is None:
            raise Http404 from None
        return redirect("patrol:visit_detail", visit_id)
    label = TARGETS[target][1]
    if created:
        messages.success(request, _("已%(what)s。") % {"what": label})
    else:
        messages.info(request, _("这条需求此前已转办，未重复办理。"))
    visit_id = Visit.objects.filter(needs__pk=pk).values_list("pk", flat=True).first()
    return redirect("patrol:visit_detail", visit_id)


def _month(raw: str, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in raw.split("-"))
        chosen = dt.date(year, month, 1)
    except ValueError:
        return today
    return chosen if chosen <= today else today


@login_required
def coverage_page(request):
    """走访覆盖率 of a node's grids (``?node=``, ``?month=YYYY-MM``): each grid's share of
    households visited this month against the standard, and its overdue care contacts."""
    user = request.user
    code = request.GET.get("node") or default_coverage_node(user)
    if not code or not may_see_coverage(user, code):
        raise Http404
    node = get_object_or_404(OrgNode, code=code)
    today = local_today()
    day = _month(request.GET.get("month", ""), today)
    rows = coverage(grids_under(code)[:500], day)
    overdue = {}
    for grid_code in (
        care_schedules(user, node_code=code)
        .filter(due_on__lt=today)
        .values_list("resident__household__grid__code", flat=True)
    ):
        overdue[grid_code] = overdue.get(grid_code, 0) + 1
    households = sum(r.households for r in rows)
    covered = sum(r.covered for r in rows)
    start, _end = month_bounds(day)
    context = {
        "node": node,
        "rows": [(r, overdue.get(r.grid.code, 0)) for r in rows],
        "households": households,
        "covered": covered,
        "percent": round(covered * 100 / households) if households else None,
        "target": standard(),
        "month": start.date(),
        "overdue_total": sum(overdue.values()),
        "children": OrgNode.objects.filter(parent=node, grid_kind="").order_by("code"),
    }
    return render(request, "patrol/visits/coverage.html", context)
