"""Pages of the 双报到 register: the self-service form (报到) and 我的报到 for the person;
the community's register (list, search, the Excel import behind the exchange page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridgov.errors import ActionError
from gridgov.masking import mask_phone
from idempotency.keys import page_once
from members.actions import MANAGE, do_register_self
from members.models import Registration, RegistrationKind, RegistrationStatus
from org.codes import subtree_q
from org.models import OrgNode
from org.permissions import codes_with, restrict

PAGE_SIZE = 30
# Grids offered in the form's list (the person's community, or their seats' subtrees);
# beyond this many the code is typed or the phone's position is used.
GRID_CHOICES = 200


def _grids(user):
    """Grids to choose from: the person's community's, else those under their seats; each
    with its community (``parent``), which the form shows (two communities may each have a
    grid of the same name)."""
    resident = getattr(user, "resident", None)
    if resident is not None:
        community = resident.household.grid.parent
        grids = OrgNode.objects.filter(parent=community).exclude(grid_kind="")
    else:
        codes = [a.node.code for a in user.assignments.select_related("node")]
        if not codes:
            return []
        query = subtree_q(codes[0])
        for code in codes[1:]:
            query |= subtree_q(code)
        grids = OrgNode.objects.filter(query).exclude(grid_kind="")
    grids = list(grids.select_related("parent").order_by("code")[: GRID_CHOICES + 1])
    return grids if len(grids) <= GRID_CHOICES else []


@login_required
@page_once
def register(request):
    """报到: the signed-in person registers at their home grid (or changes it)."""
    user = request.user
    current = Registration.objects.filter(user=user).select_related("home_grid").first()
    error = None
    if request.method == "POST":
        try:
            do_register_self(
                actor=user,
                employer=request.POST.get("employer", ""),
                grid_code=request.POST.get("grid", "").strip(),
                lng=request.POST.get("lng") or None,
                lat=request.POST.get("lat") or None,
                skills=request.POST.get("skills", ""),
                kind=request.POST.get("kind", ""),
                phone=request.POST.get("phone", "").strip(),
            )
        except ActionError as exc:
            error = exc.detail
        else:
            messages.success(request, _("报到成功，社区有需要时会联系您。"))
            return redirect("members:mine")
    resident = getattr(user, "resident", None)
    own_grid = current.home_grid if current else (resident.household.grid if resident else None)
    context = {
        "current": current,
        "grids": _grids(user),
        "own_grid": own_grid,
        "kinds": RegistrationKind.choices,
        "error": error,
        "needs_phone": not (resident and resident.phone) and not user.phone,
    }
    return render(request, "members/register.html", context, status=400 if error else 200)


@login_required
def mine(request):
    """我的报到: one's registration, with its phone unmasked (it is one's own)."""
    registration = (
        Registration.objects.filter(user=request.user).select_related("home_grid__parent").first()
    )
    return render(request, "members/mine.html", {"registration": registration})


@login_required
def register_list(request):
    """The register of the subtrees where the user holds ``members.manage``, masked."""
    user = request.user
    if codes_with(user, MANAGE) == []:
        raise PermissionDenied
    rows = restrict(Registration.objects.all(), user, MANAGE).select_related("home_grid")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(name__contains=q) | rows.filter(employer__contains=q)
    status = request.GET.get("status", RegistrationStatus.ACTIVE)
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("home_grid__code", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": [(r, mask_phone(r.phone)) for r in page],
        "q": q,
        "status": status,
        "statuses": RegistrationStatus.choices,
        "total": page.paginator.count,
    }
    return render(request, "members/list.html", context)
