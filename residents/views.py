"""Pages of households and residents. Personal data is masked; roles that may see it
reveal one field at a time with a POST that is written to the access log."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from org.models import Household
from org.queries import ancestors
from residents.masking import REVEALABLE_FIELDS, can_reveal, do_reveal_field, masked
from residents.models import Resident
from residents.panels import person_panels
from residents.revealed import remember, take


def _masked_fields(resident) -> dict[str, str]:
    return {field: masked(resident, field) for field in REVEALABLE_FIELDS}


@login_required
def household_detail(request, code):
    user = request.user
    household = get_object_or_404(
        Household.objects.restrict(user).select_related("grid", "building", "unit"), code=code
    )
    residents = Resident.objects.restrict(user).filter(household=household).prefetch_related("tags")
    context = {
        "household": household,
        # Every visible org node whose code is a prefix of the household's: district … grid.
        "crumbs": ancestors(household, user),
        "residents": [(resident, _masked_fields(resident)) for resident in residents],
    }
    return render(request, "residents/household.html", context)


def _visible_resident(user, pk):
    return get_object_or_404(
        Resident.objects.restrict(user)
        .select_related("household__grid", "household__building", "household__unit")
        .prefetch_related("tags"),
        pk=pk,
    )


def _person_page(request, resident, *, revealed=None):
    context = {
        "resident": resident,
        "crumbs": ancestors(resident.household, request.user),
        "masked": _masked_fields(resident),
        "revealed": revealed or {},
        "may_reveal": can_reveal(request.user, resident),
        **person_panels(request.user, resident),
    }
    return render(request, "residents/person.html", context)


@never_cache
@login_required
def person_detail(request, pk):
    return _person_page(
        request, _visible_resident(request.user, pk), revealed=take(request, f"resident:{pk}")
    )


@never_cache
@require_POST
@login_required
def person_reveal(request, pk):
    resident = _visible_resident(request.user, pk)
    if not can_reveal(request.user, resident):
        raise PermissionDenied
    field = request.POST.get("field", "")
    if field not in REVEALABLE_FIELDS:
        return HttpResponseBadRequest()
    value = do_reveal_field(
        resident, field, actor=request.user, ip=request.META.get("REMOTE_ADDR"), channel="page"
    )
    remember(request, f"resident:{pk}", field, value)
    return redirect(reverse("residents:person", args=[pk]) + f"#revealed-{field}")
