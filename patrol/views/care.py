"""Pages of key populations' care: the care list (due / overdue first) with a phone contact
to record, and, for those who plan care, the schedule's rhythm to change."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from gridgov.errors import ActionError
from gridgov.masking import mask_name, mask_phone
from idempotency.keys import page_once
from idempotency.offline import offline_fields
from org.permissions import codes_with, has
from patrol.care import (
    CONTACT_VERB,
    DUE_SOON_DAYS,
    PLAN_VERB,
    care_schedules,
    do_plan_care,
    do_record_contact,
    status_of,
)
from patrol.models import Carer, CareSchedule, ContactKind
from patrol.visit_coverage import local_today

PAGE_SIZE = 30
FILTERS = {"all": _lazy("全部"), "overdue": _lazy("已逾期"), "due": _lazy("近期应联系")}


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else ""


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
def care_list(request):
    """关爱名单: the key-population residents the user keeps in touch with (or plans for),
    overdue first (``?show=overdue|due|all``, ``?grid=``). Names and phones masked; the
    person's page reveals them (and logs it)."""
    user = request.user
    if not codes_with(user, CONTACT_VERB) and not codes_with(user, PLAN_VERB):
        if not user.is_superuser:
            raise PermissionDenied(_("您没有关爱联系的任务。"))
    today = local_today()
    show = request.GET.get("show", "")
    if show not in FILTERS:
        show = "all"
    schedules = care_schedules(user, node_code=request.GET.get("grid", ""))
    overdue = schedules.filter(due_on__lt=today).count()
    if show == "overdue":
        schedules = schedules.filter(due_on__lt=today)
    elif show == "due":
        schedules = schedules.filter(due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    page = Paginator(schedules, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for schedule in page:
        code = schedule.resident.household.code
        rows.append(
            {
                "schedule": schedule,
                "name": mask_name(schedule.resident.name),
                "phone": mask_phone(schedule.resident.phone),
                "status": status_of(schedule, today),
                "days_late": (today - schedule.due_on).days,
                "may_contact": has(user, CONTACT_VERB, code),
                "may_plan": has(user, PLAN_VERB, code),
            }
        )
    context = {
        "page": page,
        "rows": rows,
        "show": show,
        "filters": FILTERS,
        "overdue": overdue,
        "carers": Carer.choices,
        "grid": request.GET.get("grid", ""),
    }
    return render(request, "patrol/care/list.html", context)


def _refused(request, schedule, form: str, exc: ActionError):
    """The form again with its reason and what was typed, answered with the refusal's 4xx:
    no redirect, so ``page_once`` keeps the one-time token and the offline queue shows
    the refusal (as ``patrol.views.visits.visit_new`` does)."""
    context = {
        "schedule": schedule,
        "name": mask_name(schedule.resident.name),
        "form": form,
        "error": exc.detail,
        "carers": Carer.choices,
        "next": _safe_next(request),
    }
    return render(request, "patrol/care/refused.html", context, status=exc.status)


@require_POST
@login_required
@page_once
def care_contact(request, pk):
    """A phone call (电话联系) to a scheduled resident; moves their next due date. ``kind``
    absent means a phone call; any other kind is refused (a visit has its own form)."""
    schedule = get_object_or_404(
        CareSchedule.objects.restrict(request.user).select_related("resident"), pk=pk
    )
    try:
        do_record_contact(
            schedule.pk,
            actor=request.user,
            kind=request.POST.get("kind") or ContactKind.PHONE,
            note=request.POST.get("note", ""),
            **offline_fields(request.POST),
        )
    except ActionError as exc:
        return _refused(request, schedule, "contact", exc)
    messages.success(request, _("已记录关爱联系。"))
    return _back(request, "patrol:care_list")


@require_POST
@login_required
@page_once
def care_plan(request, pk):
    """Change a schedule's rhythm and carer kind (``patrol.plan_care``)."""
    schedule = get_object_or_404(
        CareSchedule.objects.restrict(request.user).select_related("resident"), pk=pk
    )
    try:
        do_plan_care(
            schedule.resident_id,
            actor=request.user,
            every_days=request.POST.get("every_days"),
            by=request.POST.get("by", ""),
            version=request.POST.get("version"),
        )
    except ActionError as exc:
        return _refused(request, schedule, "plan", exc)
    messages.success(request, _("关爱计划已更新。"))
    return _back(request, "patrol:care_list")
