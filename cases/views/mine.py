"""A resident's own pages: reporting a problem in their grid with their account, and
finding a case again by its number and phone (for who reported by the QR code without
keeping the link)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.throttle import client_ip, public_report_lock, record_public_report
from cases.models import Case
from cases.photos import MAX_PHOTOS
from cases.views.forms import ReportForm
from cases.views.public import file_as_public
from gridgov.errors import ActionError
from org.models import OrgNode

# The channel of a report a resident files with their own account (cases.config).
RESIDENT_CHANNEL = "resident"


def home_grid(user) -> OrgNode | None:
    """The grid a resident reports in: their household's, else the grid their account is
    seated at; None when neither is known."""
    resident = getattr(user, "resident", None)
    if resident is not None:
        return resident.household.grid
    seat = user.assignments.exclude(node__grid_kind="").select_related("node__parent").first()
    return seat.node if seat is not None else None


def resident_report(request):
    """反映问题: the resident's report form, in their grid, recorded as their own report
    (channel ``resident``), followed as theirs on their 我的诉求 list."""
    grid = home_grid(request.user)
    form = ReportForm(request.POST if request.method == "POST" else None)
    error, status = None, 200
    if grid is None:
        error, status = _("您的账号还没有登记住址，请扫描所在网格的二维码反映问题。"), 200
    elif request.method == "POST":
        if form.is_valid():
            try:
                case = file_as_public(request, form, RESIDENT_CHANNEL, grid)
            except ActionError as failure:
                error, status = failure.detail, failure.status
            else:
                messages.success(request, _("已提交，您的诉求编号是 %s") % case.number)
                return redirect("cases:track", token=case.tracking_token)
        else:
            status = 400
    context = {"grid": grid, "form": form, "error": error, "max_photos": MAX_PHOTOS, "mine": True}
    return render(request, "cases/report.html", context, status=status)


@never_cache
def lookup(request):
    """查询进度: the case number and the phone given with the report open its tracking
    page. Both must match, and each address may try as often as it may report (the QR
    form's limit), so numbers cannot be walked. Sent by POST, so the phone never lands in
    an address, a server log or a Referer."""
    number = request.POST.get("number", "").strip().upper()
    phone = "".join(ch for ch in request.POST.get("phone", "") if ch.isdigit())
    error, status = None, 200
    if request.method == "POST":
        lock = public_report_lock(client_ip(request))
        if lock is not None:
            error = _("查询太频繁了，请 %d 分钟后再试。") % lock.minutes_left
            status = 429
        else:
            case = Case.objects.filter(number=number).exclude(reporter_phone="").first()
            digits = "".join(ch for ch in (case.reporter_phone if case else "") if ch.isdigit())
            if case is not None and len(phone) >= 7 and digits.endswith(phone[-11:]):
                return redirect("cases:track", token=case.tracking_token)
            record_public_report(client_ip(request))
            error, status = _("没有找到：请核对诉求编号和提交时留的电话。"), 404
    context = {"number": number, "phone": request.POST.get("phone", ""), "error": error}
    return render(request, "cases/lookup.html", context, status=status)
