"""The residents' pages, without a login: the QR report (码上办), its printable code, the
track-my-case page with the rating, and a community's public list of published cases."""

import io

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.throttle import client_ip, public_report_lock, record_public_report
from cases.actions import do_case_action, do_create_case
from cases.models import Case, PhotoKind, Satisfaction, Status
from cases.photos import MAX_PHOTOS, add_photos, shared_photo_token
from cases.timeline import public_steps
from cases.views.common import handler_name, parse_version
from cases.views.forms import ReportForm, uploaded_photos
from gridgov.errors import ActionError
from org.codes import subtree_q
from org.models import OrgNode

PUBLIC_PER_PAGE = 20


def _grid_or_404(code: str) -> OrgNode:
    grid = OrgNode.objects.exclude(grid_kind="").select_related("parent").filter(code=code).first()
    if grid is None:
        raise Http404(gettext("没有这个网格"))
    return grid


def file_as_public(request, form, channel: str, grid: OrgNode) -> Case:
    """A resident's report (the QR form, their own form) with its photos, in one
    transaction: filed as the public does, by the signed-in person if there is one."""
    with transaction.atomic():
        photos = uploaded_photos(request)
        actor = request.user if request.user.is_authenticated else None
        case = do_create_case(form.report(channel, grid.code), actor=actor, as_public=True)
        add_photos(case, photos, PhotoKind.REPORT)
    return case


def report(request, grid_code):
    """码上办: a resident scans the grid's code and reports, with photos and location."""
    grid = _grid_or_404(grid_code)
    form = ReportForm(request.POST if request.method == "POST" else None)
    error = None
    status = 200
    anonymous = not request.user.is_authenticated
    lock = public_report_lock(client_ip(request)) if anonymous else None
    if request.method == "POST" and lock is not None:
        error = gettext("这个网络提交得太频繁了，请 %d 分钟后再试。") % lock.minutes_left
        status = 429
    elif request.method == "POST":
        if form.is_valid():
            try:
                case = file_as_public(request, form, "qr_code", grid)
            except ActionError as failure:
                error, status = failure.detail, failure.status
            else:
                if anonymous:
                    record_public_report(client_ip(request))
                messages.success(request, gettext("提交成功，您的诉求编号是 %s") % case.number)
                return redirect("cases:track", token=case.tracking_token)
        else:
            status = 400
    context = {"grid": grid, "form": form, "error": error, "max_photos": MAX_PHOTOS}
    return render(request, "cases/report.html", context, status=status)


def _report_url(request, grid: OrgNode) -> str:
    return request.build_absolute_uri(reverse("cases:report", args=[grid.code]))


def qr_svg(request, grid_code):
    """The grid's printable QR code, encoding the absolute address of its report page."""
    grid = _grid_or_404(grid_code)
    buffer = io.BytesIO()
    segno.make(_report_url(request, grid), error="m").save(
        buffer, kind="svg", scale=8, border=2, title=gettext("%s 码上办") % grid.name
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def poster(request, grid_code):
    """A page to print and post in the grid: the code, the grid's name, the address."""
    grid = _grid_or_404(grid_code)
    return render(
        request, "cases/poster.html", {"grid": grid, "report_url": _report_url(request, grid)}
    )


def _public_timeline(case: Case) -> list[dict]:
    return public_steps(case.events.all())


def _may_rate(case: Case) -> bool:
    """Rating is open while the case is resolved and not yet rated since it was resolved."""
    if case.status != Status.RESOLVED:
        return False
    last = case.events.filter(action__in=["resolve", "rate"]).order_by("-at", "-pk").first()
    return last is None or last.action != "rate"


def _track_page(request, case: Case, *, error=None, status=200):
    photos = [
        {
            "kind": photo.kind,
            "url": reverse("cases:shared_photo", args=[shared_photo_token(photo.pk)]),
        }
        for photo in case.photos.order_by("pk")
    ]
    context = {
        "case": case,
        "steps": _public_timeline(case),
        "may_rate": _may_rate(case),
        "satisfactions": Satisfaction.choices,
        "error": error,
        "report_photos": [p for p in photos if p["kind"] == PhotoKind.REPORT],
        "result_photos": [p for p in photos if p["kind"] == PhotoKind.RESULT],
        "unit": handler_name(case, list(case.assignments.select_related("department", "node"))),
        "plain": True,
    }
    return render(request, "cases/track.html", context, status=status)


def _tracked_case(token: str) -> Case:
    case = (
        Case.objects.select_related("category", "merged_into", "handling_node")
        .filter(tracking_token=token)
        .first()
    )
    if case is None:
        raise TrackingLinkNotFound
    return case


class TrackingLinkNotFound(Exception):
    """A tracking link that opens no case: a mistyped or cut-off address."""


def _link_not_found(request):
    return render(request, "cases/track_missing.html", status=404)


@never_cache
def track(request, token):
    """A resident follows their case with the secret token from the report's receipt."""
    try:
        return _track_page(request, _tracked_case(token))
    except TrackingLinkNotFound:
        return _link_not_found(request)


@never_cache
@require_POST
def rate(request, token):
    try:
        case = _tracked_case(token)
    except TrackingLinkNotFound:
        return _link_not_found(request)
    data = {"satisfaction": request.POST.get("satisfaction", "")}
    data["comment"] = request.POST.get("comment", "")
    try:
        do_case_action(
            case.pk,
            "rate",
            actor=request.user,
            version=parse_version(request.POST),
            data=data,
            reporter_token=token,
        )
    except ActionError as failure:
        case.refresh_from_db()
        return _track_page(request, case, error=failure.detail, status=failure.status)
    messages.success(request, gettext("感谢您的评价！"))
    return redirect("cases:track", token=token)


def community(request, code):
    """The published cases of a community (or any node's subtree): summaries only."""
    node = get_object_or_404(OrgNode.objects.select_related("level"), code=code)
    cases = (
        Case.objects.filter(subtree_q(node.code, "org_code"), is_published=True)
        .select_related("category")
        .order_by("-closed_at", "-pk")
    )
    page = Paginator(cases, PUBLIC_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/community.html", {"node": node, "page": page})
