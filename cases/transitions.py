"""The case lifecycle as one table: (state, action) → (possible next states, who may), run
by the workflow engine (``gridgov.workflow``; ``cases.actions.flow.CASES``).

Who may is one of a few relations to the case, each decided in ``cases.permissions``; a
person in the relation must also hold the action's verb ``cases.<action>`` there
(``org.permissions``), except the reporter, who acts as themself:

- dispatcher: staff or leaders whose subtree holds the case (community, street, grid…)
- handler: the unit currently holding the case (its lead department, or the staff of
  the handling node and the nodes above it when no department leads)
- supervisor: staff or leaders above the handling node (urge also by the dispatcher)
- summoned: a department blown the whistle for that has not reported in yet
- reporter: the resident who reported the case
"""

from cases.models import Status
from gridgov.workflow import Transition
from gridgov.workflow import transition as _t

S = Status


_OPEN_WORK = (S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS)

TABLE: dict[tuple[str, str], Transition] = {
    # Intake and triage.
    (S.SUBMITTED, "accept"): _t(S.ACCEPTED, "dispatcher"),
    (S.SUBMITTED, "reject"): _t(S.REJECTED, "dispatcher"),
    (S.SUBMITTED, "claim"): _t(S.ACCEPTED, "dispatcher"),
    (S.ACCEPTED, "claim"): _t(S.ACCEPTED, "dispatcher"),
    (S.SUBMITTED, "handle"): _t(S.IN_PROGRESS, "dispatcher"),
    (S.ACCEPTED, "handle"): _t(S.IN_PROGRESS, "dispatcher"),
    (S.SUBMITTED, "dispatch"): _t(S.DISPATCHED, "dispatcher"),
    (S.ACCEPTED, "dispatch"): _t(S.DISPATCHED, "dispatcher"),
    # The unit's answer to a dispatch.
    (S.DISPATCHED, "accept"): _t(S.IN_PROGRESS, "handler"),
    (S.DISPATCHED, "return"): _t(S.ACCEPTED, "handler"),
    # Handling.
    (S.IN_PROGRESS, "progress"): _t(S.IN_PROGRESS, "handler"),
    (S.IN_PROGRESS, "request_extension"): _t(S.IN_PROGRESS, "handler"),
    (S.IN_PROGRESS, "approve_extension"): _t(S.IN_PROGRESS, "supervisor"),
    (S.IN_PROGRESS, "resolve"): _t(S.RESOLVED, "handler"),
    # Closure and feedback: an unsatisfied answer reopens the case (重办) within the limit.
    (S.RESOLVED, "callback"): _t((S.RESOLVED, S.IN_PROGRESS), "dispatcher"),
    (S.RESOLVED, "rate"): _t((S.RESOLVED, S.IN_PROGRESS), "reporter"),
    (S.RESOLVED, "reopen"): _t(S.IN_PROGRESS, "dispatcher", "supervisor"),
    (S.RESOLVED, "close"): _t(S.CLOSED, "dispatcher"),
    (S.CLOSED, "publish"): _t(S.CLOSED, "dispatcher"),
}

for _state in (S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS):
    TABLE[(_state, "whistle")] = _t(_state, "dispatcher")
    TABLE[(_state, "report_in")] = _t(_state, "summoned")
    TABLE[(_state, "escalate")] = _t(S.ACCEPTED, "dispatcher", "handler")
for _state in _OPEN_WORK:
    TABLE[(_state, "urge")] = _t(_state, "dispatcher", "supervisor")
    TABLE[(_state, "supervise")] = _t(_state, "supervisor")
    TABLE[(_state, "merge")] = _t(S.CLOSED, "dispatcher")


# A photo is an action too, so it has a version and a timeline row: the reporter adds what
# they saw, staff holding the case add theirs and the handler the result (cases.photos).
for _state in (*_OPEN_WORK, S.RESOLVED):
    TABLE[(_state, "add_photo")] = _t(_state, "reporter", "dispatcher", "handler")

ACTIONS = sorted({action for _, action in TABLE})
