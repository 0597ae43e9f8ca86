"""A case's page (facts, map, photos, assignments, timeline, one form per allowed action),
the one endpoint every page's action forms post to, and the photos."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit import record as audit
from cases.actions import ACTION_NAMES, do_case_action, public_summary
from cases.config import channel_names
from cases.models import (
    Assignment,
    Case,
    CaseEvent,
    CasePhoto,
    PhotoKind,
    Satisfaction,
    Status,
)
from cases.origins import origins_of
from cases.permissions import reporter_only
from cases.photos import shared_photo_pk, strip_metadata
from cases.views.common import (
    EVENT_NAMES,
    action_data,
    actions_for,
    handler_name,
    map_data,
    parse_version,
    visible_case_or_404,
    visible_cases,
)
from cases.views.dispatching import action_options, suggestions_for
from cases.views.forms import uploaded_photos
from gridgov.errors import ActionError
from gridgov.masking import mask_name, mask_phone
from org.permissions import has
from residents.revealed import remember, take

# Actions whose form may carry photos (the result's, for resolve).
PHOTO_ACTIONS = {"resolve"}


@login_required
def photo(request, pk):
    """A case photo, for whoever may see the case."""
    item = get_object_or_404(
        CasePhoto.objects.filter(case__in=Case.objects.restrict(request.user)), pk=pk
    )
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")


def shared_photo(request, token):
    """A case photo by its signed address (Open311's media_url), without a login."""
    pk = shared_photo_pk(token)
    item = get_object_or_404(CasePhoto, pk=pk) if pk is not None else None
    if item is None:
        raise Http404
    with item.image.open("rb") as handle:  # a few hundred kB: re-encoded at most 2048 px
        data = strip_metadata(handle.read())
    response = FileResponse(io.BytesIO(data), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _case_for_page(user, pk) -> Case:
    queryset = (
        visible_cases(user)
        .select_related("merged_into", "possible_duplicate_of", "grid__parent")
        .prefetch_related(
            Prefetch(
                "assignments", queryset=Assignment.objects.select_related("department", "node")
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            "photos",
        )
    )
    return visible_case_or_404(user, pk, queryset)


def _timeline(case: Case) -> list[dict]:
    rows = []
    for event in case.events.all():
        rows.append(
            {
                "event": event,
                "label": EVENT_NAMES.get(event.action, event.action),
                "actor": _actor_name(event),
                "details": _event_details(event),
                "moved": event.from_status != event.to_status,
                "from_label": _status_label(event.from_status),
                "to_label": _status_label(event.to_status),
            }
        )
    return rows


def _actor_name(event: CaseEvent) -> str:
    if event.actor is not None:
        return event.actor.display_name or event.actor.username
    return _("反映人") if event.action == "rate" else ""


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


def _event_details(event: CaseEvent) -> list[str]:
    """The event's data in words (who was dispatched, until when, how satisfied…)."""
    data = event.data or {}
    details = []
    if data.get("lead"):
        details.append(_("牵头：%s") % data["lead"])
    if data.get("assist"):
        details.append(_("协办：%s") % "、".join(data["assist"]))
    if data.get("departments"):
        details.append(_("吹哨：%s") % "、".join(data["departments"]))
    if data.get("unit"):
        details.append(_("单位：%s") % data["unit"])
    if data.get("late"):
        details.append(_("逾期报到"))
    if data.get("satisfaction"):
        details.append(Satisfaction(data["satisfaction"]).label)
    if data.get("reopened"):
        details.append(_("重办"))
    if data.get("until"):
        details.append(_("延期至 %s") % data["until"][:16].replace("T", " "))
    if "approved" in data:
        details.append(_("同意延期") if data["approved"] else _("不同意延期"))
    if data.get("into"):
        details.append(_("并入 %s") % data["into"])
    if data.get("to_node"):
        details.append(_("上报至 %s") % data["to_node"])
    return details


def detail_page(request, pk, *, error: ActionError | None = None, posted="", status=200):
    user = request.user
    case = _case_for_page(user, pk)
    actions = actions_for(user, case)
    photos = list(case.photos.all())
    assignments = list(case.assignments.all())
    events = list(case.events.all())
    submitted = next((e for e in events if e.action == "submit"), None)
    suggestions = (
        suggestions_for(case, submitted.data if submitted else {}) if "dispatch" in actions else []
    )
    context = {
        "case": case,
        "actions": [(action, ACTION_NAMES[action]) for action in actions],
        "options": action_options(case, actions, suggestions),
        "assignments": assignments,
        "handler_name": handler_name(case, assignments),
        "timeline": _timeline(case),
        "report_photos": [p for p in photos if p.kind == PhotoKind.REPORT],
        "result_photos": [p for p in photos if p.kind == PhotoKind.RESULT],
        "reporter_name": mask_name(case.reporter_name),
        "reporter_phone": mask_phone(case.reporter_phone),
        "revealed": take(request, f"case:{case.pk}"),
        "may_reveal": bool(case.reporter_phone) and has(user, "residents.reveal", case.org_code),
        "map_data": map_data(
            case, settings.MAP_TILE_URL, getattr(settings, "MAP_TILE_ATTRIBUTION", "")
        ),
        "channel_name": channel_names().get(case.channel, case.channel),
        "summary": case.public_summary or public_summary(case),
        "origins": origins_of(submitted.data if submitted else {}, user),
        "error": error,
        "posted": posted,
    }
    return render(request, "cases/detail.html", context, status=status)


@never_cache
@login_required
def detail(request, pk):
    case = visible_case_or_404(request.user, pk)
    if reporter_only(request.user, case):
        # A resident with an account sees their own case as residents do: without
        # staff names or the reporter's data.
        return redirect("cases:track", token=case.tracking_token)
    return detail_page(request, pk)


@never_cache
@require_POST
@login_required
def reveal_reporter(request, pk):
    """The reporter's name and phone in full, for a callback by phone (回访): for who holds
    ``residents.reveal`` where the case is; the request is in the audit log (POST) with
    the case named. Shown once on the case page it redirects to (POST-redirect-GET)."""
    case = visible_case_or_404(request.user, pk)
    if not case.reporter_phone or not has(request.user, "residents.reveal", case.org_code):
        raise PermissionDenied
    audit.note(request, action="reveal_reporter", obj=case)
    remember(request, f"case:{case.pk}", "reporter", f"{case.reporter_name} {case.reporter_phone}")
    return redirect(reverse("cases:detail", args=[case.pk]) + "#reporter")


def _next_url(request, case: Case) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cases:detail", args=[case.pk])


@require_POST
@login_required
def act(request, pk, action):
    """Every action form of every page posts here: the case's version and the action's
    fields. An error shows the case again with the reason and the error's status."""
    case = visible_case_or_404(request.user, pk)
    try:
        data = action_data(action, request.POST, request.user)
        if action in PHOTO_ACTIONS:
            data["photos"] = uploaded_photos(request)
        case = do_case_action(
            case.pk, action, actor=request.user, version=parse_version(request.POST), data=data
        )
    except ActionError as failure:
        return detail_page(request, pk, error=failure, posted=action, status=failure.status)
    messages.success(
        request,
        _("%(number)s：已%(action)s")
        % {"number": case.number, "action": ACTION_NAMES.get(action, action)},
    )
    return redirect(_next_url(request, case))
