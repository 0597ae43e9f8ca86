"""How a person stands to a volunteer order: the relations named in
``participation.transitions``, with the verbs of the capability table (``org.permissions``)."""

from org.permissions import has

# The verb a relation needs; requester and taker act as themselves.
RELATION_VERBS = {"volunteer": "volunteer.take", "manager": "volunteer.manage"}


def holds(user, order, relation: str) -> bool:
    """requester: who asked (or posted it for a resident); taker: who took it; volunteer:
    holds ``volunteer.take`` at the order's grid and did not ask for it; manager: holds
    ``volunteer.manage`` there."""
    if not user.is_authenticated:
        return False
    requester = order.created_by_id == user.pk or (
        order.requester_id is not None and order.requester.user_id == user.pk
    )
    if relation == "requester":
        return requester
    if relation == "taker":
        return order.taker_id == user.pk
    if relation == "volunteer" and requester:
        return False
    return has(user, RELATION_VERBS[relation], order.node.code)


def may_post_for(user, code: str) -> bool:
    """Whether the user posts orders for the residents (or the grid) at ``code``."""
    return has(user, "volunteer.post_for", code)
