"""Pages of the 十佳 lists (吉州): the keepers' list and proposal form, a list's page with
its actions and timeline (public once published), and the public page of published lists.
Proposing and acting need ``analytics.award`` at the list's node (``analytics.awards``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics.awards import ACTION_NAMES as AWARD_ACTIONS
from analytics.awards import AWARDS, EVENT_NAMES, awards, do_award_action, do_propose_award_list
from analytics.models import AwardList, AwardStatus
from gridgov.errors import ActionError, NotPermitted
from idempotency.keys import page_once
from org.codes import any_subtree_q
from org.models import OrgNode
from org.permissions import codes_with, has


@login_required
@page_once
def award_lists(request):
    """The 十佳 lists of the user's places, and the form that proposes a year's list."""
    user = request.user
    codes = codes_with(user, "analytics.award")
    if codes == []:
        raise PermissionDenied
    lists = AwardList.objects.select_related("node")
    if codes is not None:
        lists = lists.filter(any_subtree_q(codes, "node__code"))
    error, status = None, 200
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", "") or 0)
        except ValueError:
            year = 0
        try:
            award_list = do_propose_award_list(
                request.POST.get("award", ""), year, request.POST.get("node", ""), actor=user
            )
        except ActionError as exc:
            error, status = exc.detail, exc.status
        else:
            messages.success(request, _("已按数据提名，请核对后确认。"))
            return redirect(award_list)
    places = OrgNode.objects.filter(code__in=codes) if codes is not None else None
    if places is None:
        places = OrgNode.objects.filter(parent=None)
    context = {
        "lists": lists,
        "awards": list(awards().values()),
        "places": places.order_by("code"),
        "year": timezone.localdate().year,
        "error": error,
    }
    return render(request, "analytics/assessment/award_lists.html", context, status=status)


def public_awards(request):
    """The published 十佳 lists: a public page."""
    lists = (
        AwardList.objects.filter(status=AwardStatus.PUBLISHED)
        .select_related("node")
        .prefetch_related("entries")
    )
    return render(request, "analytics/assessment/public_awards.html", {"lists": lists})


ACTION_ORDER = ["confirm", "publish", "edit", "reopen"]


def award(request, pk):
    """A list's page: public once published; before that, only for ``analytics.award``
    holders at its node (404 for anyone else), with its actions and timeline."""
    award_list = get_object_or_404(AwardList.objects.select_related("node"), pk=pk)
    user = request.user
    keeper = has(user, "analytics.award", award_list.node.code)
    if award_list.status != AwardStatus.PUBLISHED and not keeper:
        raise Http404
    allowed = set(AWARDS.allowed_actions(user, award_list)) if keeper else set()
    events = (
        [
            (event, EVENT_NAMES.get(event.action, event.action))
            for event in award_list.events.select_related("actor")
        ]
        if keeper
        else []
    )
    entries = list(award_list.entries.all())
    context = {
        "award_list": award_list,
        "entries": entries,
        "entries_text": "\n".join(f"{e.name} {e.unit}".strip() for e in entries),
        "actions": [(a, AWARD_ACTIONS[a]) for a in ACTION_ORDER if a in allowed],
        "events": events,
        "keeper": keeper,
    }
    return render(request, "analytics/assessment/award.html", context)


@require_POST
@login_required
@page_once
def award_act(request, pk, action):
    award_list = get_object_or_404(AwardList.objects.select_related("node"), pk=pk)
    if not has(request.user, "analytics.award", award_list.node.code):
        if award_list.status != AwardStatus.PUBLISHED:
            raise Http404
        raise PermissionDenied
    if action not in AWARD_ACTIONS:
        raise Http404
    try:
        do_award_action(
            award_list.pk,
            action,
            actor=request.user,
            version=request.POST.get("version"),
            data={"entries": request.POST.get("entries", ""), "note": request.POST.get("note", "")},
        )
    except NotPermitted as exc:
        raise PermissionDenied(exc.detail) from None
    except ActionError as exc:
        messages.error(request, exc.detail)
        return _refused(request, award_list, exc)
    messages.success(request, _("已%(action)s。") % {"action": AWARD_ACTIONS[action]})
    return redirect(award_list)


def _refused(request, award_list, exc):
    """The list's page again with the refusal, answered with its status (409, 400)."""
    response = award(request, award_list.pk)
    response.status_code = exc.status
    return response
