"""Who is told of what happens to a case, and the case's notifications through the outbox
(``outbox.notify``): rows in the action's transaction, delivered after commit."""

from django.urls import reverse

from cases.models import Case
from org.models import RoleKind, User
from outbox import notify as outbox

STAFF_KINDS = (RoleKind.STAFF, RoleKind.LEADER)


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


def case_payload(case: Case) -> dict:
    """What a webhook subscriber learns of the case, beside the event and the title."""
    return {
        "case": {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "version": case.version,
            "grid_code": case.grid.code if case.grid_id else None,
        }
    }


def notify(case: Case, event: str, users, title: str, body: str = "", *, at=None) -> None:
    """Queue an in-app message for each user and a webhook call for each subscriber, about
    the case. ``at`` is when it happened (the action's time)."""
    outbox.notify(
        case,
        event,
        users,
        title,
        body,
        at=at,
        payload=case_payload(case),
        url=reverse("cases:detail", kwargs={"pk": case.pk}),
    )
