"""Who may do what to a case: the capabilities named in cases.transitions."""

from django.utils.crypto import constant_time_compare

from cases.models import Assignment, AssignmentRole, AssignmentStatus, Case
from org.scoping import department_ids, staff_codes

ALL = frozenset({"dispatcher", "handler", "supervisor", "summoned", "reporter"})
LIVE = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)


def capabilities(
    user, case: Case, assignments: list[Assignment] | None = None, *, reporter_token=None
) -> set[str]:
    """The capabilities ``user`` holds on ``case``. ``assignments`` may be passed when
    already loaded, to save a query. A reporter without an account proves who they are
    with the case's tracking token (from the QR report's receipt)."""
    if reporter_token and constant_time_compare(reporter_token, case.tracking_token):
        return {"reporter"} | (
            capabilities(user, case, assignments) if user.is_authenticated else set()
        )
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(ALL)
    caps: set[str] = set()
    if case.reporter_user_id == user.pk:
        caps.add("reporter")
    codes = staff_codes(user)
    departments = set(department_ids(user))
    if any(case.org_code.startswith(code) for code in codes):
        caps.add("dispatcher")
    handling = case.handling_node.code if case.handling_node_id else case.org_code
    if any(handling.startswith(code) and handling != code for code in codes):
        caps.add("supervisor")
    if assignments is None:
        assignments = list(case.assignments.select_related("node"))
    lead = next(
        (a for a in assignments if a.role == AssignmentRole.LEAD and a.status in LIVE), None
    )
    if lead is not None:
        if lead.department_id in departments or (
            lead.node_id and any(lead.node.code.startswith(code) for code in codes)
        ):
            caps.add("handler")
    elif any(handling.startswith(code) for code in codes):
        caps.add("handler")
    if any(
        a.role == AssignmentRole.WHISTLE
        and a.status == AssignmentStatus.PENDING
        and a.department_id in departments
        for a in assignments
    ):
        caps.add("summoned")
    return caps
