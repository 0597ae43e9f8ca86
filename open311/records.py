"""What GeoReport shows of our data: services from the matter catalogue, service requests
from cases, and which cases a caller may see.

A case's Open311 face, field by field:

- service_request_id: the case number; status: open (submitted, accepted, dispatched,
  in progress) or closed (resolved, closed, rejected; a merged case is closed);
- status_notes: the last step a reporter may see, in words, with the note only where it
  is the answer to the reporter (a refusal's reason, a progress note) and the result once
  resolved; description, notes and address masked by ``gridgov.masking`` (phones in any
  spelling, ID and card numbers, e-mail addresses);
- agency_responsible: the lead unit (its latest lead assignment not returned), else the
  node holding the case; service_notice: the tier and its deadline;
- requested_datetime: created_at; updated_datetime: the last timeline event;
  expected_datetime: due_at;
- address, lat/long; address_id only for requests posted with one;
- media_url: the first photo's signed address (opens without a login), else the media_url
  the client posted.

The reporter's name, phone and the other contact fields are never shown.
"""

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseEvent,
    CasePhoto,
    Status,
)
from cases.photos import shared_photo_token
from cases.timeline import NOTE_SHOWN, PUBLIC_STEPS, RESULT_SHOWN, public_note
from catalog.models import MatterCategory
from gridgov.masking import mask_text
from open311.models import SCOPE_READ, SCOPE_READ_ALL, ApiClient

STATUS_VALUES = {
    "open": [str(s) for s in OPEN_STATUSES],
    "closed": [Status.RESOLVED, Status.CLOSED, Status.REJECTED],
}


def w3(moment) -> str | None:
    """A W3C date-time with the local offset, e.g. 2026-11-02T09:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


# -- services ------------------------------------------------------------------------------


def active_services():
    return MatterCategory.objects.filter(is_active=True).order_by("group", "code")


def service_row(category: MatterCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.group}：{category.name}",
        # Every entry asks at least the common attributes (open311.attributes).
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.keywords or []),
        "group": category.group,
    }


# -- service requests ------------------------------------------------------------------------


def visible_cases(client: ApiClient | None):
    """The cases a caller may read: those of public clients for anyone; with a key and
    ``open311.read``, also the client's own; with ``open311.read_all``, every case."""
    if client is not None and client.has_scope(SCOPE_READ_ALL):
        return Case.objects.all()
    query = Q(open311_submission__client__requests_public=True)
    if client is not None and client.has_scope(SCOPE_READ):
        query |= Q(open311_submission__client=client)
    return Case.objects.filter(query)


def with_request_fields(cases):
    """Everything a request row needs, in one query whatever the number of cases."""
    events = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk")
    shown = events.filter(action__in=PUBLIC_STEPS)
    leads = (
        Assignment.objects.filter(case=OuterRef("pk"), role=AssignmentRole.LEAD)
        .exclude(status=AssignmentStatus.RETURNED)
        .order_by("-created_at", "-pk")
        .annotate(unit=Coalesce("department__name", "node__name"))
    )
    photos = CasePhoto.objects.filter(case=OuterRef("pk")).order_by("pk")
    return cases.select_related("category", "tier", "handling_node", "open311_submission").annotate(
        o311_updated=Subquery(events.values("at")[:1]),
        o311_step=Subquery(shown.values("action")[:1]),
        o311_note=Subquery(shown.values("note")[:1]),
        o311_lead=Subquery(leads.values("unit")[:1]),
        o311_photo=Subquery(photos.values("pk")[:1]),
    )


def status_of(case: Case) -> str:
    return "open" if case.status in OPEN_STATUSES else "closed"


def status_notes(case: Case) -> str | None:
    step = case.o311_step
    if not step:
        return None
    words, detail = str(PUBLIC_STEPS[step]), ""
    if step in NOTE_SHOWN:
        detail = public_note(step, case.o311_note)
    elif step in RESULT_SHOWN:
        if case.status in OPEN_STATUSES:  # an unsatisfied answer reopened it
            words = str(PUBLIC_STEPS["reopen"])
        else:
            detail = mask_text(case.result).strip()
    return f"{words}：{detail}" if detail else words


def service_notice(case: Case) -> str | None:
    if case.tier_id is None:
        return None
    if case.due_at is None:
        return case.tier.name
    return f"{case.tier.name}，{timezone.localtime(case.due_at):%Y-%m-%d %H:%M} 前办结"


def _submission(case: Case):
    try:
        return case.open311_submission
    except Case.open311_submission.RelatedObjectDoesNotExist:
        return None


def request_row(case: Case, request) -> dict:
    """A case as a GeoReport service request (from a queryset ``with_request_fields``)."""
    submission = _submission(case)
    if case.o311_photo:
        token = shared_photo_token(case.o311_photo)
        media_url = request.build_absolute_uri(reverse("cases:shared_photo", args=[token]))
    else:
        media_url = submission.media_url if submission and submission.media_url else None
    agency = case.o311_lead or (case.handling_node.name if case.handling_node_id else None)
    return {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category_id else None,
        "service_code": case.category.code if case.category_id else None,
        "description": mask_text(case.description) or None,
        "agency_responsible": agency,
        "service_notice": service_notice(case),
        "requested_datetime": w3(case.created_at),
        "updated_datetime": w3(case.o311_updated or case.created_at),
        "expected_datetime": w3(case.due_at),
        "address": mask_text(case.address) or None,
        "address_id": (submission.address_id or None) if submission else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": media_url,
    }
