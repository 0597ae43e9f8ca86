"""Who is told of what happens to a case, and the case's notifications through the outbox
(``outbox.notify``): rows in the action's transaction, delivered after commit."""

from django.urls import reverse

from cases.models import Case
from org.models import User
from org.permissions import duties_with
from outbox import notify as outbox


def department_users(department_ids):
    return User.objects.filter(
        is_active=True, assignments__department__in=department_ids
    ).distinct()


def node_staff(node_ids, *, verb: str):
    """The people seated at those nodes whose duty holds ``verb``: those who can act on what
    they are told (a new case goes to who takes cases in, not to every 八员 and volunteer
    of the grid). The capability table decides, as it does for the actions."""
    return User.objects.filter(
        is_active=True,
        assignments__node__in=node_ids,
        assignments__department=None,
        assignments__role__duty__in=duties_with(verb),
    ).distinct()


def handler_users(case: Case):
    """The people of the unit holding the case: its live lead department, else those of
    the handling node who handle cases (``cases.resolve``)."""
    lead = case.assignments.filter(role="lead", status__in=["pending", "accepted"]).first()
    if lead is not None and lead.department_id:
        return department_users([lead.department_id])
    node_id = lead.node_id if lead is not None else case.handling_node_id
    return node_staff([node_id], verb="cases.resolve") if node_id else User.objects.none()


def supervisor_users(case: Case):
    """Those of the node one level above the handling node (a grid's community…) who urge
    and supervise (``cases.urge``)."""
    node = case.handling_node or case.grid
    if node is None or node.parent_id is None:
        return User.objects.none()
    return node_staff([node.parent_id], verb="cases.urge")


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
