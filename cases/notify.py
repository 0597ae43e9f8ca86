"""Recording notifications in the outbox, inside the action's transaction.

Delivery happens after commit (``cases.tasks.deliver_outbox``), so a rolled-back action
notifies nobody and a committed one is delivered even if the worker is down for a while.
"""

import contextlib
import contextvars

from django.db import transaction
from django.utils import timezone

from cases.models import Case, Outbox, Webhook
from org.models import RoleKind, User

STAFF_KINDS = (RoleKind.STAFF, RoleKind.LEADER)
_held = contextvars.ContextVar("gridgov_delivery_held", default=False)


@contextlib.contextmanager
def held_delivery():
    """Record notifications without queueing a delivery task for each: for bulk work such
    as the demo generator, which delivers the backlog in one go afterwards
    (cases.delivery.deliver_inbox_in_bulk); rows left over go out with the periodic retry."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def department_users(department_ids):
    return User.objects.filter(
        is_active=True, assignments__department__in=department_ids
    ).distinct()


# The duties that take in new cases at a node; the other staff of a grid (the 八员 of
# Jizhou, volunteers…) are not told of every report.
INTAKE_DUTIES = ("grid_worker", "grid_leader", "community_secretary", "street_staff")


def node_staff(node_ids, *, duties=None):
    users = User.objects.filter(
        is_active=True, assignments__node__in=node_ids, assignments__role__kind__in=STAFF_KINDS
    )
    if duties is not None:
        users = users.filter(assignments__role__duty__in=duties)
    return users.distinct()


def handler_users(case: Case):
    """The people of the unit holding the case: its live lead department, else the staff
    of the handling node."""
    lead = case.assignments.filter(role="lead", status__in=["pending", "accepted"]).first()
    if lead is not None and lead.department_id:
        return department_users([lead.department_id])
    node_id = lead.node_id if lead is not None else case.handling_node_id
    return node_staff([node_id]) if node_id else User.objects.none()


def supervisor_users(case: Case):
    """Staff of the node one level above the handling node (a grid's community…)."""
    node = case.handling_node or case.grid
    if node is None or node.parent_id is None:
        return User.objects.none()
    return node_staff([node.parent_id])


def notify(case: Case, event: str, users, title: str, body: str = "", *, at=None) -> None:
    """Queue an in-app message for each user and a webhook call for each subscriber.
    ``at`` is when it happened (the action's time)."""
    now = at or timezone.now()
    rows = [
        Outbox(
            channel="inbox",
            recipient=user,
            case=case,
            event=event,
            payload={"title": title, "body": body},
            next_attempt_at=now,
        )
        for user in users
    ]
    payload = {
        "event": event,
        "case": {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "version": case.version,
            "grid_code": case.grid.code if case.grid_id else None,
        },
        "title": title,
    }
    for webhook in Webhook.objects.filter(is_active=True):
        if not webhook.events or event in webhook.events:
            rows.append(
                Outbox(
                    channel="webhook",
                    webhook=webhook,
                    case=case,
                    event=event,
                    payload=payload,
                    next_attempt_at=now,
                )
            )
    if not rows:
        return
    for row in rows:
        row.created_at = now
    created = Outbox.objects.bulk_create(rows)
    if _held.get():
        return
    ids = [row.pk for row in created]

    def enqueue():
        from cases.tasks import deliver_outbox

        deliver_outbox(ids)

    transaction.on_commit(enqueue)
