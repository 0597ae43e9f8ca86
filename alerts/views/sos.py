"""SOS pages: the alarms of the grids where the user answers them (the grid worker's
求助告警 list; a community's or street's staff see every grid below them, with the
figures), an alarm's page with its timeline and times, its actions (POSTs that redirect
back), and the devices page (vendors, devices, the Excel sheet that binds them)."""

import statistics

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts.api.sos import alarms_for
from alerts.models import LIVE_STATUSES, AlarmStatus, Device, Vendor
from alerts.sos.access import alarm_address, may_see_alarms
from alerts.sos.actions import allowed_actions, do_alarm_action, do_alarm_to_case, may_file_case
from alerts.sos.chain import VERB
from alerts.sos.devices import DeviceSheetError, do_import_devices
from alerts.sos.keys import do_create_vendor
from alerts.sos.transitions import ACTION_NAMES, EVENT_NAMES
from gridgov.errors import ActionError
from gridgov.masking import mask_address
from gridgov.timeline import timeline_rows
from idempotency.keys import page_once
from org.models import OrgNode
from org.permissions import codes_with, has, restrict
from residents.masking import mask_name

PAGE_SIZE = 20
# The list's buttons, the usual next step first.
QUICK = ["acknowledge", "arrive"]
ACTION_ORDER = ["acknowledge", "arrive", "close", "false_alarm", "cancel"]


def _require(user, verb):
    if not codes_with(user, verb) and not user.is_superuser:
        raise PermissionDenied


def _require_sight(user):
    """403 unless ``alerts.sos.access.may_see_alarms``: a leader, district, street or
    community staff then reads the alarms of every grid of their scope (``org.scoping``);
    residents, volunteers and departments do not. Buttons still need ``alerts.respond`` at
    the alarm's grid."""
    if not may_see_alarms(user):
        raise PermissionDenied


def _minutes(seconds):
    return None if seconds is None else round(seconds / 60, 1)


@login_required
def alarm_list(request):
    user = request.user
    _require_sight(user)
    alarms = alarms_for(user)
    live = request.GET.get("tab", "live") != "all"
    shown = alarms.filter(status__in=LIVE_STATUSES) if live else alarms
    page = Paginator(shown.order_by("-pressed_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # A list row's address is masked for everyone (alerts.sos.access): the alarm's page
    # shows it in full to those who must go there.
    rows = [
        (alarm, allowed_actions(user, alarm), mask_name(alarm.resident.name), alarm_address(alarm))
        for alarm in page
    ]
    # The figures of the last 30 days of the user's grids (the community's view).
    recent = list(
        alarms.filter(pressed_at__gte=_days_ago(30)).values_list(
            "status", "pressed_at", "acknowledged_at", "arrived_at"
        )
    )
    to_ack = [(a - p).total_seconds() for _, p, a, _ in recent if a]
    to_arrive = [(r - p).total_seconds() for _, p, _, r in recent if r]
    figures = {
        "total": len(recent),
        "open": sum(1 for s, *_ in recent if s == AlarmStatus.OPEN),
        "false": sum(1 for s, *_ in recent if s == AlarmStatus.FALSE_ALARM),
        "ack_minutes": _minutes(statistics.median(to_ack)) if to_ack else None,
        "arrive_minutes": _minutes(statistics.median(to_arrive)) if to_arrive else None,
    }
    context = {
        "page": page,
        "rows": rows,
        "live": live,
        "figures": figures,
        "quick": QUICK,
        "names": ACTION_NAMES,
        "many_grids": not _one_grid(user),
        "may_manage": bool(codes_with(user, "alerts.manage_devices")) or user.is_superuser,
    }
    return render(request, "alerts/sos/list.html", context)


def _one_grid(user) -> bool:
    """Whether the user answers for one grid only (the list then leaves the grid out)."""
    codes = codes_with(user, VERB)
    if codes is None or len(codes) != 1:
        return False
    return OrgNode.objects.filter(code=codes[0]).exclude(grid_kind="").exists()


def _days_ago(days):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(days=days)


@login_required
def alarm_detail(request, pk):
    user = request.user
    try:
        _require_sight(user)
    except PermissionDenied:
        raise Http404 from None  # an alarm outside one's sight is not found, never forbidden
    alarm = get_object_or_404(alarms_for(user), pk=pk)
    allowed = set(allowed_actions(user, alarm))
    events = timeline_rows(alarm.events.select_related("actor").order_by("pk"), EVENT_NAMES, user)
    context = {
        "alarm": alarm,
        "resident_name": mask_name(alarm.resident.name),
        "address": alarm_address(alarm, user),
        "actions": [action for action in ACTION_ORDER if action in allowed],
        "names": ACTION_NAMES,
        "events": events,
        "ack_minutes": _minutes(alarm.seconds_to_acknowledge),
        "arrive_minutes": _minutes(alarm.seconds_to_arrive),
        "may_file_case": may_file_case(user, alarm),
    }
    return render(request, "alerts/sos/detail.html", context)


def _done(action) -> str:
    """The flash after an action: 「已响应。」, but 「已到场。」 (the name already says 已)."""
    name = str(ACTION_NAMES[action])
    if name.startswith("已"):
        return _("%(action)s。") % {"action": name}
    return _("已%(action)s。") % {"action": name}


def _back(request, alarm):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("alerts:sos_detail", alarm.pk)


@require_POST
@login_required
@page_once
def alarm_act(request, pk, action):
    alarm = get_object_or_404(alarms_for(request.user), pk=pk)
    if action not in ACTION_NAMES:
        messages.error(request, _("没有这个操作。"))
        return redirect("alerts:sos_detail", alarm.pk)
    try:
        do_alarm_action(
            alarm.pk,
            action,
            actor=request.user,
            version=request.POST.get("version"),
            data={"note": request.POST.get("note", "")},
        )
    except ActionError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _done(action))
    return _back(request, alarm)


@require_POST
@login_required
@page_once
def alarm_case(request, pk):
    alarm = get_object_or_404(alarms_for(request.user), pk=pk)
    try:
        alarm, case, created = do_alarm_to_case(alarm.pk, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.detail)
        return redirect("alerts:sos_detail", alarm.pk)
    if created:
        messages.success(request, _("已转为案件 %(number)s。") % {"number": case.number})
    return redirect("alerts:sos_detail", alarm.pk)


def _who(resident) -> tuple[str, str]:
    """A device's resident as the devices page shows them: the name and the address masked.
    The devices page is a list: the whole address is for the one alarm's page of those who
    respond at its grid (``alerts.sos.access``), never for a list."""
    if resident is None:
        return "", ""
    return mask_name(resident.name), mask_address(resident.household.address)


# -- devices --------------------------------------------------------------------------------


@login_required
@page_once
def devices(request):
    """Vendors and the devices of the user's residents; a new vendor (its key shown once)
    and the Excel sheet that registers and binds devices."""
    user = request.user
    _require(user, "alerts.manage_devices")
    new_key = errors = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "vendor":
                vendor, new_key = do_create_vendor(request.POST.get("name", ""), actor=user)
                # Shown once, on the page this POST renders; never stored in clear.
                messages.success(request, _("已创建厂商 %(name)s。") % {"name": vendor.name})
            else:
                upload = request.FILES.get("file")
                result = do_import_devices(upload, actor=user)
                messages.success(
                    request,
                    _("已导入 %(added)s 台设备，更新 %(updated)s 台。") % result,
                )
                return redirect("alerts:sos_devices")
        except DeviceSheetError as exc:
            errors = exc.rows
        except ActionError as exc:
            messages.error(request, exc.detail)
    shown = restrict(Device.objects.all(), user, "alerts.manage_devices").select_related(
        "vendor", "resident__household"
    )
    page = Paginator(shown.order_by("vendor__name", "device_id"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "vendors": Vendor.objects.order_by("name"),
        "page": page,
        "rows": [(d, *_who(d.resident)) for d in page],
        "new_key": new_key,
        "errors": errors,
        "admin": has(user, "alerts.manage_devices") and user.is_staff,
    }
    status = 400 if errors else 200
    return render(request, "alerts/sos/devices.html", context, status=status)
