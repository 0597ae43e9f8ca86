"""Who may award, spend and settle credit points, and who keeps a credit store: the verbs
``credit.award`` and ``credit.keep_store`` of the capability table (``org.permissions``).

By default the grid's and the community's own staff and those above them hold both;
volunteers, partner units and residents' representatives work the grid too, but neither
award points nor keep a store. A preset changes that in its ``[permissions]`` table.
"""

from org.models import LevelKind
from org.permissions import codes_with, has


def keeper_codes(user) -> list[str]:
    """Codes of the nodes where the user is seated keeping stores (none for a superuser,
    who keeps every store without a seat)."""
    return codes_with(user, "credit.keep_store") or []


def keeps(user, code: str) -> bool:
    """Whether the user keeps the stores at ``code`` (at it or above it)."""
    return has(user, "credit.keep_store", code)


def can_award(user, resident) -> bool:
    """Keepers award points to the residents of their subtree, never to themselves."""
    if not user.is_authenticated or resident.user_id == user.pk:
        return False
    return has(user, "credit.award", resident.household.code)


def can_stock(user, node) -> bool:
    """Stores belong to administrative nodes (a community, a street), kept by their keepers."""
    return node.level.kind == LevelKind.ADMIN and keeps(user, node.code)


def can_spend(user, account, item) -> bool:
    """A resident spends their own points; the store's keepers spend for a resident at its
    counter."""
    if not user.is_authenticated:
        return False
    return account.resident.user_id == user.pk or keeps(user, item.node.code)


def can_settle(user, redemption) -> bool:
    """The store's keepers hand goods out and cancel."""
    return keeps(user, redemption.item.node.code)


def can_cancel(user, redemption) -> bool:
    """A resident cancels their own uncollected redemption; the store's keepers any."""
    return redemption.account.resident.user_id == user.pk or can_settle(user, redemption)
