"""How a person stands to a case: the relations named in ``cases.transitions``.

A relation places the person against the case (the subtree holding it, the unit leading
it…); the capability table then says whether their duty holds the action's verb
``cases.<action>`` there (``org.permissions.has``). A volunteer of the grid stands as a
dispatcher to the grid's cases, but their duty holds no ``cases.reject``, so they cannot
refuse a report. The reporter acts as themself, not through a duty.
"""

from django.utils.crypto import constant_time_compare

from cases.models import Assignment, AssignmentRole, AssignmentStatus, Case
from org.permissions import has
from org.scoping import department_ids, in_scope

LIVE = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)


def verb(action: str) -> str:
    return f"cases.{action}"


def live_lead(assignments: list[Assignment]) -> Assignment | None:
    return next(
        (a for a in assignments if a.role == AssignmentRole.LEAD and a.status in LIVE), None
    )


def handling_code(case: Case) -> str:
    return case.handling_node.code if case.handling_node_id else case.org_code


def is_reporter(user, case: Case, reporter_token: str | None = None) -> bool:
    """The resident who reported the case: by their account, or, without one, by the case's
    tracking token (from the QR report's receipt)."""
    if reporter_token and constant_time_compare(reporter_token, case.tracking_token):
        return True
    return user.is_authenticated and case.reporter_user_id == user.pk


def reporter_only(user, case: Case) -> bool:
    """Whether the user stands to the case only as the resident who reported it (they see
    it as residents do: no staff names, no reporter's data)."""
    if not is_reporter(user, case) or user.is_superuser:
        return False
    if in_scope(user, case.org_code, personal=True):
        return False
    return not case.assignments.filter(department__in=department_ids(user)).exists()


def holds(
    user,
    case: Case,
    relation: str,
    action: str,
    assignments: list[Assignment],
    reporter_token: str | None = None,
) -> bool:
    """Whether ``user`` stands in ``relation`` to ``case`` holding the verb of ``action``.

    - dispatcher: the verb at the case's node (its grid, or where it was filed);
    - handler: the verb for the live lead unit (its department, or its node), else at the
      handling node;
    - supervisor: the verb at a node strictly above the handling node;
    - summoned: the verb for a department blown the whistle for that has not reported in;
    - reporter: the resident who reported it (no verb)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    if relation == "reporter":
        return is_reporter(user, case, reporter_token)
    name = verb(action)
    if relation == "dispatcher":
        return has(user, name, case.org_code)
    if relation == "supervisor":
        return has(user, name, handling_code(case), above=True)
    if relation == "handler":
        lead = live_lead(assignments)
        if lead is None:
            return has(user, name, handling_code(case))
        if lead.department_id:
            return has(user, name, department=lead.department_id)
        return has(user, name, lead.node.code)
    if relation == "summoned":
        return any(
            a.role == AssignmentRole.WHISTLE
            and a.status == AssignmentStatus.PENDING
            and a.department_id
            and has(user, name, department=a.department_id)
            for a in assignments
        )
    raise ValueError(f"unknown relation {relation!r}")
