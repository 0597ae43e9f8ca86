"""Writes of the exchange app. A hotline order becomes an ordinary case through the case
loop's own intake (``cases.actions.do_create_case``); the ticket number makes it
idempotent. Register rows (staff, households and residents, partners, catalogue) are
written by the actions in ``exchange.registers``."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from cases.actions import Report, do_create_case
from cases.models import OPEN_STATUSES, Case, CaseEvent, Status
from exchange.models import HotlineSystem

TITLE_LENGTH = 30
# Case.description's limit; a longer text is kept whole in Case.full_text.
DESCRIPTION_LENGTH = 5000
MORE = "…（全文 {count} 字，见「全文」）"


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
    # The numbers sent as the point, also when they are no usable point (lng/lat None).
    raw_lng: float | None = None
    raw_lat: float | None = None
    # A historical order's state at the hotline: our status for its word ("" = new).
    status: str = ""
    status_text: str = ""
    result: str = ""
    resolved_at: datetime | None = None
    satisfaction: str = ""
    satisfaction_text: str = ""


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
    content = order.content.strip()
    report = Report(
        title=order_title(order),
        description=_description(content),
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
                "category_from": "import" if category_code else "",
                **({"raw_location": [order.raw_lng, order.raw_lat]} if order.lng is None else {}),
            }
        },
    )
    historical = bool(order.status) and order.status not in OPEN_STATUSES
    try:
        with transaction.atomic():
            # A closed order is history: nobody is told of it as new work.
            case = do_create_case(
                report, actor=actor, at=order.received_at, notify_staff=not historical
            )
            _keep_raw(case, order, content)
            if order.status and order.status != case.status:
                _import_state(case, order, actor)
    except IntegrityError:
        existing = find_order(system, order.ticket_no)
        if existing is None:
            raise
        return existing, False
    return case, True


def _description(content: str) -> str:
    if len(content) <= DESCRIPTION_LENGTH:
        return content
    more = MORE.format(count=len(content))
    return content[: DESCRIPTION_LENGTH - len(more)] + more


def _keep_raw(case: Case, order: HotlineOrder, content: str) -> None:
    """What the case's own fields cannot hold, kept as it came: the whole text over 5,000
    characters, the point sent when it is not one we can use."""
    fields = {}
    if len(content) > DESCRIPTION_LENGTH:
        fields["full_text"] = content
    if order.lng is None and (order.raw_lng is not None or order.raw_lat is not None):
        fields.update(raw_lng=order.raw_lng, raw_lat=order.raw_lat)
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
        for name, value in fields.items():
            setattr(case, name, value)


def _import_state(case: Case, order: HotlineOrder, actor) -> None:
    """A historical order's state at the hotline, written as it is: its status, closing
    time, result and rating, with an ``import_history`` event on the timeline saying so.

    Not the workflow's actions: they would dispatch to a unit, notify its people and
    stamp today's time on work the hotline finished years ago; the event records the
    one change (已提交 → the hotline's status) at the time the hotline gives."""
    status = order.status
    at = order.resolved_at or order.received_at
    fields = {"status": status, "version": case.version + 1}
    if status in (Status.RESOLVED, Status.CLOSED):
        fields.update(resolved_at=at, result=order.result, satisfaction=order.satisfaction)
        if status == Status.CLOSED:
            fields["closed_at"] = at
    elif status == Status.REJECTED:
        fields.update(closed_at=at, result=order.result)
    if status != Status.SUBMITTED and case.responded_at is None:
        fields["responded_at"] = order.received_at
    Case.objects.filter(pk=case.pk).update(**fields)
    CaseEvent.objects.create(
        case=case,
        action="import_history",
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        from_status=case.status,
        to_status=status,
        note=f"从热线导入的历史状态：{order.status_text}",
        data={
            "imported": True,
            "source_status": order.status_text,
            "resolved_at": order.resolved_at.isoformat() if order.resolved_at else None,
            "source_satisfaction": order.satisfaction_text,
            # Our value only: the timeline shows it by our label.
            **({"satisfaction": order.satisfaction} if order.satisfaction else {}),
        },
    )
    for name, value in fields.items():
        setattr(case, name, value)
