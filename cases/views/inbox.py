"""A department's inbox (dispatches to accept or return, whistles to report in to, cases in
hand), everyone's in-app messages, and the header's links with the unread count."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.models import Assignment, AssignmentRole, AssignmentStatus, Status
from cases.views.common import URGENCY, URGENT_ORDER, actions_for, visible_cases
from cases.views.filtering import filter_cases
from org.scoping import department_ids
from outbox.models import InboxMessage

PER_PAGE = 30


def _assignments(user):
    return (
        Assignment.objects.filter(department__in=department_ids(user))
        .select_related(
            "department", "case__category", "case__tier", "case__grid", "case__handling_node"
        )
        .prefetch_related(
            Prefetch(
                "case__assignments",
                queryset=Assignment.objects.select_related("department", "node"),
            )
        )
        .order_by("created_at", "pk")
    )


def _page(request, items, param):
    return Paginator(items, PER_PAGE).get_page(request.GET.get(param))


@login_required
def inbox(request):
    """A department's dispatches to sign for, whistles to report in to and cases in hand,
    each list searched and filtered alike and paged on its own; then everyone's messages."""
    user = request.user
    cases, filters = filter_cases(request, visible_cases(user), statuses=False)
    mine = _assignments(user).filter(case__in=cases.values("pk"))
    pending = mine.filter(
        status=AssignmentStatus.PENDING,
        case__status__in=[Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS],
    )
    dispatches = _page(request, pending.exclude(role=AssignmentRole.WHISTLE), "page")
    whistles = _page(request, pending.filter(role=AssignmentRole.WHISTLE), "wpage")
    in_hand = (
        cases.filter(
            status=Status.IN_PROGRESS,
            assignments__department__in=department_ids(user),
            assignments__role=AssignmentRole.LEAD,
            assignments__status=AssignmentStatus.ACCEPTED,
        )
        .distinct()
        .select_related("grid", "tier")
        .annotate(urgency=URGENCY)
        .order_by(*URGENT_ORDER)
    )
    inbox_messages = InboxMessage.objects.filter(user=user)
    context = {
        "dispatches": dispatches,
        "dispatch_rows": [(a, actions_for(user, a.case)) for a in dispatches],
        "whistles": whistles,
        "whistle_rows": [(a, actions_for(user, a.case)) for a in whistles],
        "in_hand": _page(request, in_hand, "hpage"),
        "is_department": bool(department_ids(user)),
        "messages_page": _page(request, inbox_messages, "mpage"),
        "unread": inbox_messages.filter(read_at=None).count(),
        **filters,
    }
    return render(request, "cases/inbox.html", context)


@require_POST
@login_required
def mark_read(request, pk):
    message = get_object_or_404(InboxMessage, pk=pk, user=request.user)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    if (
        message.url
        and request.POST.get("open")
        and url_has_allowed_host_and_scheme(message.url, allowed_hosts={request.get_host()})
    ):
        return redirect(message.url)
    return redirect("cases:inbox")


@require_POST
@login_required
def mark_all_read(request):
    InboxMessage.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("cases:inbox")
