"""Who may do what to a volunteer order: the capabilities named in the transitions."""

from credit.permissions import keeps
from org.scoping import staff_over


def capabilities(user, order) -> set[str]:
    """requester: who asked (or posted it for a resident); taker: who took it; volunteer:
    the grid's forces and volunteers, who may take it; manager: the grid's and community's
    keepers, who cancel, hand back and confirm."""
    if not user.is_authenticated:
        return set()
    caps = set()
    if order.created_by_id == user.pk or (
        order.requester_id is not None and order.requester.user_id == user.pk
    ):
        caps.add("requester")
    if order.taker_id == user.pk:
        caps.add("taker")
    if "requester" not in caps and staff_over(user, order.node.code):
        caps.add("volunteer")
    if keeps(user, order.node.code):
        caps.add("manager")
    return caps
