"""Writes of the exchange app. A hotline order becomes an ordinary case through the case
loop's own intake (``cases.actions.do_create_case``); the ticket number makes it
idempotent. Register rows (staff, households and residents, partners, catalogue) are
written by the actions in ``exchange.registers``."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from cases.actions import Report, do_create_case
from cases.models import Case
from exchange.models import HotlineSystem

TITLE_LENGTH = 30


@dataclass
class HotlineOrder:
    """A 12345 work order as the hotline gives it."""

    ticket_no: str
    received_at: datetime
    content: str
    title: str = ""
    caller: str = ""
    phone: str = ""
    address: str = ""
    category: str = ""
    deadline: datetime | None = None
    lng: float | None = None
    lat: float | None = None


def order_title(order: HotlineOrder) -> str:
    """The order's own title, else the first sentence of its content (at most 30 characters)."""
    if order.title.strip():
        return order.title.strip()[:200]
    content = order.content.strip()
    for stop in "。！？!?\n；;":
        head, found, _ = content.partition(stop)
        if found and head:
            content = head
    return content[:TITLE_LENGTH]


def find_order(system: HotlineSystem, ticket_no: str) -> Case | None:
    # Repeating the partial index's condition lets SQLite use it (unique_external_ticket).
    return (
        Case.objects.filter(source_system=system.slug, external_ref=ticket_no)
        .exclude(external_ref="")
        .order_by()
        .first()
    )


def do_import_hotline_order(
    order: HotlineOrder,
    *,
    system: HotlineSystem,
    actor,
    grid_code: str | None = None,
    category_code: str | None = None,
    located_by: str = "",
) -> tuple[Case, bool]:
    """The case for a hotline order: the existing one when the ticket number came in
    before (nothing changes), else a new case on the hotline's channel that keeps the
    ticket number, the hotline's deadline and its received time.

    Returns (case, created). Raises gridgov.errors.ActionError for an order the case loop
    refuses. Two concurrent imports of one ticket: the unique constraint decides and
    the loser answers with the winner's case.
    """
    existing = find_order(system, order.ticket_no)
    if existing is not None:
        return existing, False
    report = Report(
        title=order_title(order),
        description=order.content.strip(),
        channel=system.channel,
        lng=order.lng,
        lat=order.lat,
        grid_code=grid_code,
        address=order.address.strip()[:200],
        category_code=category_code,
        reporter_name=order.caller.strip()[:50],
        reporter_phone=order.phone.strip()[:20],
        source_system=system.slug,
        external_ref=order.ticket_no,
        due_at=order.deadline,
        extra={
            "hotline": {
                "system": system.slug,
                "ticket_no": order.ticket_no,
                "category": order.category,
                "located_by": located_by,
            }
        },
    )
    try:
        with transaction.atomic():
            case = do_create_case(report, actor=actor, at=order.received_at)
    except IntegrityError:
        existing = find_order(system, order.ticket_no)
        if existing is None:
            raise
        return existing, False
    return case, True
